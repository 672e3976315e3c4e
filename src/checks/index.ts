/**
 * @module checks
 * The check catalog and `runChecks`: every check on every node, findings sorted by
 * severity then id; checks whose inputs are unknown are listed as skipped.
 */
import type { ClusterModel } from '../model/node.js';
import type { Check, Finding, Severity } from './types.js';
import { bridgeNfCallIptablesDisabled, bridgeNfCallIp6tablesDisabled } from './bridge-nf-call-iptables-disabled.js';
import { brNetfilterNotLoaded } from './br-netfilter-not-loaded.js';
import { ipForwardDisabled } from './ip-forward-disabled.js';
import { forwardPolicyDrop } from './forward-policy-drop.js';
import { hairpinModeOff } from './hairpin-mode-off.js';

export const ALL_CHECKS: Check[] = [
  bridgeNfCallIptablesDisabled,
  bridgeNfCallIp6tablesDisabled,
  brNetfilterNotLoaded,
  ipForwardDisabled,
  forwardPolicyDrop,
  hairpinModeOff,
];

const RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

export interface CheckRun {
  findings: Finding[];
  skipped: { id: string; node: string; reason: string }[];
}

export function runChecks(cluster: ClusterModel, opts: { only?: string[] } = {}): CheckRun {
  const findings: Finding[] = [];
  const skipped: CheckRun['skipped'] = [];
  for (const node of cluster.nodes) {
    for (const c of ALL_CHECKS) {
      if (opts.only && !opts.only.includes(c.id)) continue;
      try {
        findings.push(...c.run(node, cluster));
      } catch (e) {
        skipped.push({ id: c.id, node: node.name, reason: `check failed: ${(e as Error).message}` });
      }
    }
  }
  findings.sort((a, b) => RANK[a.severity] - RANK[b.severity] || a.id.localeCompare(b.id) || a.node.localeCompare(b.node));
  return { findings, skipped };
}

export function exitCodeFor(findings: Finding[], failOn: Severity | 'none'): number {
  if (failOn === 'none') return 0;
  return findings.some((f) => RANK[f.severity] <= RANK[failOn]) ? 1 : 0;
}
