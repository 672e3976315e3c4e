/**
 * @module checks/conntrack-table-near-full
 * FM-04: when nf_conntrack_count reaches nf_conntrack_max, __nf_conntrack_alloc first tries
 * early_drop of a non-assured entry and otherwise drops the new packet ("nf_conntrack: table
 * full, dropping packet"). Fill >= 90 % critical, >= 75 % warning; early_drop > 0 in the
 * statistics proves the table was full at some point since boot.
 */
import type { NodeModel } from '../model/node.js';
import type { Check, Evidence } from './types.js';
import { finding, needAny, sourceOf, sysctlEvidence, sysctlInt } from './util.js';
import { ctStat, ctStatEvidence } from './ct-stats.js';

function count(node: NodeModel): { n: number; ev: Evidence } | undefined {
  const s = sysctlInt(node, 'net.netfilter.nf_conntrack_count');
  if (s !== undefined) return { n: s, ev: sysctlEvidence(node, 'net.netfilter.nf_conntrack_count') };
  const raw = node.raw['conntrack-count']?.trim();
  if (raw && /^\d+$/.test(raw))
    return {
      n: Number(raw),
      ev: { source: sourceOf(node, 'conntrack-count'), line: 1, text: `conntrack -C = ${raw}` },
    };
  return undefined;
}

export const check: Check = {
  id: 'conntrack-table-near-full',
  severity: 'critical',
  title: 'the conntrack table is (nearly) full: new connections are dropped',
  fm: ['FM-04'],
  missing: (node) => needAny(node, 'sysctl', 'conntrack-count'),
  run(node) {
    const max = sysctlInt(node, 'net.netfilter.nf_conntrack_max') ?? sysctlInt(node, 'net.nf_conntrack_max');
    const c = count(node);
    const early = ctStat(node, 'early_drop') ?? 0;
    const drop = ctStat(node, 'drop') ?? 0;
    const fill = c && max ? c.n / max : undefined;
    const severity =
      fill !== undefined && fill >= 0.9
        ? 'critical'
        : (fill !== undefined && fill >= 0.75) || early > 0
          ? 'warning'
          : undefined;
    if (!severity) return [];
    const maxName = node.host.sysctl.has('net.netfilter.nf_conntrack_max')
      ? 'net.netfilter.nf_conntrack_max'
      : 'net.nf_conntrack_max';
    const evidence: Evidence[] = [];
    if (c) evidence.push(c.ev);
    if (max) evidence.push(sysctlEvidence(node, maxName));
    if (fill !== undefined)
      evidence.push({
        source: 'computed',
        text: `table ${(fill * 100).toFixed(1)} % full (${c!.n} of ${max})`,
      });
    if (early > 0 || drop > 0) evidence.push(...ctStatEvidence(node, ['early_drop', 'drop']));
    const target = max ? Math.max(max * 2, 262144) : 262144;
    return [
      finding(check, node, {
        severity,
        title:
          fill !== undefined && fill >= 0.75
            ? `the conntrack table is ${(fill * 100).toFixed(0)} % full: new connections are dropped when it fills`
            : 'the conntrack table has been full since boot (early_drop > 0)',
        symptom:
          'Random new connections (TCP SYNs, DNS queries) are dropped while established ones keep working; health checks flap; dmesg shows "nf_conntrack: table full, dropping packet". Clients retry after 1 s, 3 s, 7 s ...',
        evidence,
        fix: [
          {
            kind: 'runtime',
            description: 'raise the limit and the hash table with it (hashsize = max / 4)',
            commands: [
              `sudo sysctl -w net.netfilter.nf_conntrack_max=${target}`,
              `echo ${Math.floor(target / 4)} | sudo tee /sys/module/nf_conntrack/parameters/hashsize`,
            ],
          },
          {
            kind: 'persistent',
            description:
              'keep it (kube-proxy also sets max = maxPerCore x CPUs at start: raise conntrack.maxPerCore/min there, or set maxPerCore: 0 to keep the system value)',
            commands: [
              `echo 'net.netfilter.nf_conntrack_max = ${target}' | sudo tee /etc/sysctl.d/99-conntrack.conf`,
              `echo 'options nf_conntrack hashsize=${Math.floor(target / 4)}' | sudo tee /etc/modprobe.d/nf_conntrack.conf`,
              'sudo sysctl --system',
            ],
          },
          {
            kind: 'alternative',
            description:
              'make fewer entries: shorter timeouts (time_wait, close_wait, udp), NodeLocal DNSCache (NOTRACK for DNS), connection reuse',
            commands: [
              'sudo sysctl -w net.netfilter.nf_conntrack_tcp_timeout_time_wait=30 net.netfilter.nf_conntrack_udp_timeout=30',
            ],
          },
        ],
        references: [
          'kubernetes/kubernetes#18604',
          'kubernetes/kubernetes#71261',
          'kubernetes/kubernetes#72472',
          'kubernetes/kubernetes#33051',
          'kubernetes/kops#2223',
        ],
        versions: [
          'kube-proxy sets nf_conntrack_max = max(32768 x CPUs, 131072) at start unless conntrack.maxPerCore = 0',
        ],
      }),
    ];
  },
};
