/**
 * @module checks/stale-udp-conntrack
 * FM-23: NAT is decided only when a conntrack entry is created (nf_nat_inet_fn on NEW), so a
 * UDP flow that keeps refreshing its entry stays pinned to what it got then: a backend that
 * is gone, or no DNAT at all (the entry was created while the Service had no endpoints).
 */
import type { Check, Evidence } from './types.js';
import { finding, needAll } from './util.js';
import { kubeServices } from './services.js';
import { ctEvidence } from './conntrack-lines.js';

export const check: Check = {
  id: 'stale-udp-conntrack',
  severity: 'warning',
  title:
    'UDP conntrack entries to a Service point at no current endpoint: the flow is black-holed until it stops',
  fm: ['FM-23'],
  missing: (node) => needAll(node, 'conntrack', 'iptables'),
  run(node) {
    const svcs = kubeServices(node).filter((s) => s.proto === 'udp' && s.endpoints.length > 0);
    if (svcs.length === 0) return [];
    const ev: Evidence[] = [];
    const vips = new Set<string>();
    for (const e of node.host.conntrack ?? []) {
      if (e.proto !== 'udp') continue;
      const s = svcs.find((x) => x.vip === e.orig.dst && x.port === e.orig.dport);
      if (!s) continue;
      const backend = `${e.reply.src}:${e.reply.sport}`;
      if (s.endpoints.includes(backend)) continue;
      const why =
        e.reply.src === s.vip
          ? `no DNAT: created while ${s.name ?? s.vip} had no endpoints`
          : `DNATed to ${backend}, which is no longer an endpoint`;
      ev.push(
        ctEvidence(
          node,
          e,
          `${why}; endpoints now ${s.endpoints.slice(0, 3).join(', ')}${s.endpoints.length > 3 ? ', ...' : ''}`,
        ),
      );
      vips.add(`${s.vip}:${s.port}`);
    }
    if (ev.length === 0) return [];
    return [
      finding(check, node, {
        symptom:
          'A continuous UDP sender (DNS client reusing its port, statsd, syslog, jaeger agent) keeps sending to a dead backend, or to the Service IP itself, until it pauses for longer than the UDP timeout; restarting the client "fixes" it.',
        evidence: ev.slice(0, 10),
        fix: [
          {
            kind: 'runtime',
            description: 'delete the stale entries; the next packet is NATed afresh',
            commands: [...vips].map(
              (v) =>
                `sudo conntrack -D -p udp --orig-dst ${v.split(':')[0]} --orig-port-dst ${v.split(':')[1]}`,
            ),
          },
          {
            kind: 'persistent',
            description:
              'keep kube-proxy healthy and current (it deletes stale UDP entries on endpoint changes; hostPort flows need a portmap plugin that flushes conntrack)',
            commands: ['kubectl -n kube-system logs -l k8s-app=kube-proxy | grep -i conntrack'],
          },
        ],
        references: [
          'kubernetes/kubernetes#59033',
          'kubernetes/kubernetes#66651',
          'kubernetes/kubernetes#106274',
          'kubernetes/kubernetes#125467',
          'kubernetes/kubernetes#126130',
          'projectcalico/calico#4124',
        ],
        versions: [
          'kube-proxy cleans NodePort UDP entries since PR #71573/#98305 and runs a full conntrack reconciler since 2025 (#126130)',
        ],
      }),
    ];
  },
};
