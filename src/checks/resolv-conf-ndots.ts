/**
 * @module checks/resolv-conf-ndots
 * FM-26: the node's /etc/resolv.conf is what kubelet gives pods with dnsPolicy Default and
 * what it appends to ClusterFirst pods' search list. Loopback nameservers (systemd-resolved
 * 127.0.0.53) are unreachable from pods and make CoreDNS forward to itself; more than 3
 * nameservers are cut by kubelet and glibc; a long search list multiplies queries (ndots:5).
 */
import type { Check, Evidence } from './types.js';
import { finding, needAll, sourceOf } from './util.js';

export const check: Check = {
  id: 'resolv-conf-ndots',
  severity: 'warning',
  title: 'the node resolv.conf that kubelet hands to pods misbehaves in pods',
  fm: ['FM-26', 'FM-03'],
  missing: (node) => needAll(node, 'resolv-conf'),
  run(node) {
    const text = node.raw['resolv-conf'];
    if (text === undefined) return [];
    const src = sourceOf(node, 'resolv-conf');
    const lines = text.split(/\r?\n/).map((t, i) => ({ t: t.trim(), line: i + 1 }));
    const ns = lines.filter((l) => /^nameserver\s+\S+/.test(l.t));
    const search = lines.filter((l) => /^(search|domain)\s+/.test(l.t)).pop();
    const domains = search ? search.t.split(/\s+/).slice(1) : [];
    const ndots = lines
      .map((l) => ({ l, m: /\bndots:(\d+)/.exec(l.t) }))
      .filter((x) => x.m && x.l.t.startsWith('options'))
      .pop();
    const ev: Evidence[] = [];
    let severity: 'warning' | 'info' | undefined;
    const loop = ns.filter((l) => /^nameserver\s+(127\.|::1\b)/.test(l.t));
    if (loop.length) {
      severity = 'info'; // kubeadm points kubelet at /run/systemd/resolve/resolv.conf when systemd-resolved runs; the kubelet config is not in the snapshot
      ev.push(
        ...loop.map((l) => ({
          source: src,
          line: l.line,
          text: `${l.t}  (loopback: unreachable from pods, CoreDNS forwarding to it loops, unless kubelet --resolv-conf names the upstream file)`,
        })),
      );
    }
    if (ns.length > 3) {
      severity = 'warning';
      ev.push({
        source: src,
        line: ns[3]!.line,
        text: `${ns.length} nameservers: kubelet and glibc use the first 3 ("Nameserver limits were exceeded")`,
      });
    }
    if (domains.length + 3 > 6) {
      severity ??= 'info';
      ev.push({
        source: src,
        line: search!.line,
        text: `${search!.t}  (${domains.length} node domains + 3 cluster domains: > 6 is cut by glibc < 2.26 and by kubelet < 1.26; every external name is tried ${domains.length + 4} times with ndots:5)`,
      });
    }
    if (ndots && Number(ndots.m![1]) >= 5) {
      severity ??= 'info';
      ev.push({
        source: src,
        line: ndots.l.line,
        text: `${ndots.l.t}  (every name with < 5 dots is tried with each search domain first)`,
      });
    }
    if (!severity) return [];
    return [
      finding(check, node, {
        severity,
        symptom:
          'DNS in pods fails or is slow: CoreDNS crash-loops with "Loop ... detected" or pods with dnsPolicy Default get no answer; lookups of external names send many queries (A and AAAA per search domain), which amplifies the conntrack race and table pressure.',
        evidence: ev,
        fix: [
          {
            kind: 'runtime',
            description:
              'point kubelet at the real upstream file (systemd-resolved) and keep the lists short',
            commands: [
              'kubelet --resolv-conf=/run/systemd/resolve/resolv.conf   # resolvConf in KubeletConfiguration',
            ],
          },
          {
            kind: 'persistent',
            description: 'in pods: FQDNs with a trailing dot, dnsConfig ndots:2, NodeLocal DNSCache',
            commands: ['dnsConfig: { options: [ { name: ndots, value: "2" } ] }   # pod spec'],
          },
        ],
        references: [
          'kubernetes/kubernetes#16534',
          'gliderlabs/docker-alpine#8',
          'gliderlabs/docker-alpine#255',
          'k3s-io/k3s#6561',
          'https://coredns.io/plugins/loop/#troubleshooting',
        ],
        versions: [
          'musl (Alpine) queries all nameservers in parallel and ignores single-request options',
          'kubelet >= 1.26 allows 32 search domains (was 6)',
        ],
      }),
    ];
  },
};
