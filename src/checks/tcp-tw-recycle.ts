/**
 * @module checks/tcp-tw-recycle
 * FM-15: with net.ipv4.tcp_tw_recycle = 1, tcp_conn_request rejects SYNs whose timestamp is
 * older than the last one seen from that *IP* (PAWS per inet_peer): clients behind one NAT
 * (all pods masqueraded to a node IP) lose SYNs. Removed in Linux 4.12.
 */
import type { Check, Evidence } from './types.js';
import { finding, needAll, sysctlEvidence, sourceOf } from './util.js';

export const check: Check = {
  id: 'tcp-tw-recycle',
  severity: 'warning',
  title: 'net.ipv4.tcp_tw_recycle = 1: SYNs from clients behind one NAT address are dropped',
  fm: ['FM-15'],
  missing: (node) => needAll(node, 'sysctl'),
  run(node) {
    const ev: Evidence[] = [];
    if (node.host.sysctl.get('net.ipv4.tcp_tw_recycle')?.value === '1')
      ev.push(sysctlEvidence(node, 'net.ipv4.tcp_tw_recycle'));
    for (const p of node.pods) {
      const s = p.sysctl.get('net.ipv4.tcp_tw_recycle');
      if (s?.value === '1')
        ev.push({
          source: s.source,
          line: s.line,
          text: `net.ipv4.tcp_tw_recycle = 1 in pod namespace ${p.name}`,
        });
    }
    if (ev.length === 0) return [];
    return [
      finding(check, node, {
        symptom:
          'Some clients (those sharing a NAT/SNAT address, e.g. pods masqueraded to one node IP) intermittently cannot connect: their SYNs are silently dropped, others work.',
        evidence: [...ev, { source: sourceOf(node, 'uname'), text: `kernel ${node.kernel ?? '(unknown)'}` }],
        fix: [
          {
            kind: 'runtime',
            description: 'turn it off',
            commands: ['sudo sysctl -w net.ipv4.tcp_tw_recycle=0'],
          },
          {
            kind: 'persistent',
            description:
              'remove it from sysctl files (use tcp_tw_reuse for outbound TIME_WAIT pressure), or upgrade to a kernel >= 4.12 where it no longer exists',
            commands: [
              'sudo grep -rn tcp_tw_recycle /etc/sysctl.conf /etc/sysctl.d/',
              "echo 'net.ipv4.tcp_tw_recycle = 0' | sudo tee /etc/sysctl.d/99-no-tw-recycle.conf",
            ],
          },
        ],
        references: [
          'https://vincent.bernat.ch/en/blog/2014-tcp-time-wait-state-linux',
          'torvalds/linux@4396e46187ca',
        ],
        versions: [
          'Linux 4.10 randomises timestamps per connection (tw_recycle breaks even without NAT)',
          'Linux 4.12 removes tcp_tw_recycle',
        ],
      }),
    ];
  },
};
