/**
 * @module checks
 * The check catalog (one file per check, each `export const check`) and `runChecks`: every
 * check on every node, findings sorted by severity then id then node; a check whose inputs
 * the snapshot lacks (its `missing(node)` says what) is listed in `skipped` instead.
 */
import type { ClusterModel, NodeModel } from '../model/node.js';
import type { Check, Finding, Severity } from './types.js';
import { known } from './util.js';
import { check as bridgeNfCallIptablesDisabled } from './bridge-nf-call-iptables-disabled.js';
import { check as bridgeNfCallIp6tablesDisabled } from './bridge-nf-call-ip6tables-disabled.js';
import { check as brNetfilterNotLoaded } from './br-netfilter-not-loaded.js';
import { check as ipForwardDisabled } from './ip-forward-disabled.js';
import { check as ipForwardInterfaceDisabled } from './ip-forward-interface-disabled.js';
import { check as ipForwardIpv6Disabled } from './ip-forward-ipv6-disabled.js';
import { check as forwardPolicyDrop } from './forward-policy-drop.js';
import { check as firewallBaseChainDrop } from './firewall-base-chain-drop.js';
import { check as hairpinModeOff } from './hairpin-mode-off.js';
import { check as conntrackUnrepliedSameBridge } from './conntrack-unreplied-same-bridge.js';
import { check as conntrackTableNearFull } from './conntrack-table-near-full.js';
import { check as conntrackInsertFailed } from './conntrack-insert-failed.js';
import { check as dnsConntrackRaceExposed } from './dns-conntrack-race-exposed.js';
import { check as staleUdpConntrack } from './stale-udp-conntrack.js';
import { check as ctInvalidNotDropped } from './ct-invalid-not-dropped.js';
import { check as iptablesBackendsMixed } from './iptables-backends-mixed.js';
import { check as serviceWithoutEndpoints } from './service-without-endpoints.js';
import { check as etpLocalNoLocalEndpoint } from './etp-local-no-local-endpoint.js';
import { check as clusterCidrMissing } from './cluster-cidr-missing.js';
import { check as kubeMasqueradeMissing } from './kube-masquerade-missing.js';
import { check as masqueradeNotRandomFully } from './masquerade-not-random-fully.js';
import { check as vxlanDoubleNatChecksum } from './vxlan-double-nat-checksum.js';
import { check as mtuMismatchVxlan } from './mtu-mismatch-vxlan.js';
import { check as rpFilterStrictAsymmetric } from './rp-filter-strict-asymmetric.js';
import { check as routeLocalnetExposed } from './route-localnet-exposed.js';
import { check as nodeportEphemeralOverlap } from './nodeport-ephemeral-overlap.js';
import { check as neighbourTableSmall } from './neighbour-table-small.js';
import { check as tcpTwRecycle } from './tcp-tw-recycle.js';
import { check as ipvsConntrackDisabled } from './ipvs-conntrack-disabled.js';
import { check as ipvsConnReuseDelay } from './ipvs-conn-reuse-delay.js';
import { check as ipvsStrictArp } from './ipvs-strict-arp.js';
import { check as ipvsIdleTimeout } from './ipvs-idle-timeout.js';
import { check as resolvConfNdots } from './resolv-conf-ndots.js';
import { check as sysctlNotPersistent } from './sysctl-not-persistent.js';

/** The catalog, in the order of failure-modes.md. Ids are stable: add, never rename. */
export const ALL_CHECKS: Check[] = [
  bridgeNfCallIptablesDisabled,
  bridgeNfCallIp6tablesDisabled,
  brNetfilterNotLoaded,
  conntrackUnrepliedSameBridge,
  ipForwardDisabled,
  ipForwardInterfaceDisabled,
  ipForwardIpv6Disabled,
  dnsConntrackRaceExposed,
  conntrackTableNearFull,
  conntrackInsertFailed,
  masqueradeNotRandomFully,
  ipvsConnReuseDelay,
  ipvsConntrackDisabled,
  ctInvalidNotDropped,
  hairpinModeOff,
  mtuMismatchVxlan,
  rpFilterStrictAsymmetric,
  forwardPolicyDrop,
  firewallBaseChainDrop,
  iptablesBackendsMixed,
  tcpTwRecycle,
  etpLocalNoLocalEndpoint,
  serviceWithoutEndpoints,
  clusterCidrMissing,
  kubeMasqueradeMissing,
  routeLocalnetExposed,
  vxlanDoubleNatChecksum,
  neighbourTableSmall,
  nodeportEphemeralOverlap,
  staleUdpConntrack,
  ipvsIdleTimeout,
  ipvsStrictArp,
  resolvConfNdots,
  sysctlNotPersistent,
];

export function checkById(id: string): Check | undefined {
  return ALL_CHECKS.find((c) => c.id === id);
}

/** Is source `id` (or `iptables`: any iptables-save variant) in the node's snapshot? */
export function hasSource(node: NodeModel, id: string): boolean {
  return known(node, id);
}

/** What `check` lacks on `node`, or undefined when it can run. */
export function missingSource(node: NodeModel, check: Check): string | undefined {
  return check.missing?.(node);
}

export const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

export interface CheckRun {
  findings: Finding[];
  skipped: { id: string; node: string; reason: string }[];
}

export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      a.id.localeCompare(b.id) ||
      a.node.localeCompare(b.node),
  );
}

export function runChecks(cluster: ClusterModel, opts: { only?: string[]; checks?: Check[] } = {}): CheckRun {
  const findings: Finding[] = [];
  const skipped: CheckRun['skipped'] = [];
  for (const node of cluster.nodes) {
    for (const c of opts.checks ?? ALL_CHECKS) {
      if (opts.only && !opts.only.includes(c.id)) continue;
      const missing = c.missing?.(node);
      if (missing !== undefined) {
        skipped.push({ id: c.id, node: node.name, reason: missing });
        continue;
      }
      try {
        findings.push(...c.run(node, cluster));
      } catch (e) {
        skipped.push({ id: c.id, node: node.name, reason: `check failed: ${(e as Error).message}` });
      }
    }
  }
  return { findings: sortFindings(findings), skipped };
}

/** 1 when a finding is at or above `failOn`, else 0 (`none`: always 0). */
export function exitCodeFor(findings: Finding[], failOn: Severity | 'none'): number {
  if (failOn === 'none') return 0;
  return findings.some((f) => SEVERITY_RANK[f.severity] <= SEVERITY_RANK[failOn]) ? 1 : 0;
}
