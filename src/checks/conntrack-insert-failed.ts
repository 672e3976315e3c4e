/**
 * @module checks/conntrack-insert-failed
 * FM-03 / FM-05: __nf_conntrack_confirm found an entry with the same tuple and the packet
 * lost the race (insert_failed; `drop` counts the packets actually dropped). Parallel DNS
 * A/AAAA queries from one socket and SNAT port collisions are the usual causes.
 */
import type { Check } from './types.js';
import { finding, needAll } from './util.js';
import { ctStat, ctStatEvidence } from './ct-stats.js';

export const check: Check = {
  id: 'conntrack-insert-failed',
  severity: 'warning',
  title: 'conntrack insertions fail (insert_failed > 0): packets lost in the confirm race',
  fm: ['FM-03', 'FM-05'],
  missing: (node) => needAll(node, 'conntrack-stats'),
  run(node) {
    const failed = ctStat(node, 'insert_failed') ?? 0;
    if (failed === 0) return [];
    const drop = ctStat(node, 'drop') ?? 0;
    return [
      finding(check, node, {
        severity: drop > 0 ? 'warning' : 'info',
        title: `conntrack insert_failed = ${failed}${drop > 0 ? `, drop = ${drop}` : ''}: packets lost in the conntrack confirm race`,
        symptom:
          'Intermittent 5 s DNS lookups (glibc resends the lost A or AAAA query after its 5 s timeout) and ~1 s connect() delays to one busy destination (the first SYN of a flow whose SNAT port collided is dropped).',
        evidence: ctStatEvidence(node, ['insert_failed', 'drop']),
        fix: [
          {
            kind: 'runtime',
            description: 'watch whether the counters grow with the timeouts',
            commands: ['watch -n1 conntrack -S'],
          },
          {
            kind: 'persistent',
            description:
              'DNS: NodeLocal DNSCache, or pod dnsConfig option single-request-reopen (glibc); SNAT: --random-fully on every MASQUERADE/SNAT rule; a kernel with the clash-resolution fixes',
            commands: ['dnsConfig: { options: [ { name: single-request-reopen } ] }   # in the pod spec'],
          },
        ],
        references: [
          'kubernetes/kubernetes#56903',
          'kubernetes/kubernetes#76699',
          'kubernetes/kubernetes#78547',
          'weaveworks/weave#3287',
        ],
        versions: [
          'Linux 4.19 and 5.0 fix the same-endpoint DNS races (clash resolution); insert_failed still counts resolved clashes there, `drop` counts real losses',
        ],
      }),
    ];
  },
};
