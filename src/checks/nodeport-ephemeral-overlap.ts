/**
 * @module checks/nodeport-ephemeral-overlap
 * FM-22: the kernel picks ephemeral source ports (inet_hash_connect) from ip_local_port_range
 * minus ip_local_reserved_ports. When that overlaps the NodePort range, a host connection
 * can get a NodePort as its source port and its replies are taken by Service machinery.
 */
import type { Check, Evidence } from './types.js';
import { finding, needAll, sysctlEvidence, sysctlValue, sourceOf } from './util.js';
import { allRules, rulesets } from './rules.js';

const NODEPORT_DEFAULT = { from: 30000, to: 32767 };

export function parsePortList(v: string | undefined): { from: number; to: number }[] {
  if (!v) return [];
  return v
    .split(/[,\s]+/)
    .filter(Boolean)
    .map((p) => {
      const [a, b] = p.split('-');
      return { from: Number(a), to: Number(b ?? a) };
    })
    .filter((r) => Number.isInteger(r.from) && Number.isInteger(r.to));
}

/** Ports of [from, to] not covered by `reserved`, as ranges. */
function unreserved(
  from: number,
  to: number,
  reserved: { from: number; to: number }[],
): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  let cur = from;
  for (const r of [...reserved].sort((a, b) => a.from - b.from)) {
    if (r.to < cur || r.from > to) continue;
    if (r.from > cur) out.push({ from: cur, to: r.from - 1 });
    cur = Math.max(cur, r.to + 1);
  }
  if (cur <= to) out.push({ from: cur, to });
  return out;
}

export const check: Check = {
  id: 'nodeport-ephemeral-overlap',
  severity: 'warning',
  title: 'ip_local_port_range overlaps the NodePort range and the NodePorts are not reserved',
  fm: ['FM-22'],
  missing: (node) => needAll(node, 'sysctl'),
  run(node) {
    const range = parsePortList(sysctlValue(node, 'net.ipv4.ip_local_port_range')?.replace(/\s+/, '-'))[0];
    if (!range) return [];
    const reserved = parsePortList(sysctlValue(node, 'net.ipv4.ip_local_reserved_ports'));
    // NodePorts actually programmed (KUBE-NODEPORTS rules), besides the default range
    const nodePorts: { port: number; source: string; line: number }[] = [];
    for (const src of rulesets(node))
      for (const { chain, rule } of allRules(src.rs, 'nat'))
        if (chain.name === 'KUBE-NODEPORTS')
          for (const m of rule.matches)
            if ((m.m === 'tcp' || m.m === 'udp') && m.dport && !m.dport.neg)
              nodePorts.push({ port: m.dport.value.from, source: src.source, line: rule.line });
    const np = {
      from: Math.min(NODEPORT_DEFAULT.from, ...nodePorts.map((p) => p.port)),
      to: Math.max(NODEPORT_DEFAULT.to, ...nodePorts.map((p) => p.port)),
    };
    const lo = Math.max(range.from, np.from);
    const hi = Math.min(range.to, np.to);
    if (lo > hi) return [];
    const open = unreserved(lo, hi, reserved);
    if (open.length === 0) return [];
    const inUse = nodePorts.filter(
      (p) =>
        p.port >= range.from && p.port <= range.to && open.some((o) => p.port >= o.from && p.port <= o.to),
    );
    const ev: Evidence[] = [
      sysctlEvidence(node, 'net.ipv4.ip_local_port_range'),
      node.host.sysctl.has('net.ipv4.ip_local_reserved_ports')
        ? sysctlEvidence(node, 'net.ipv4.ip_local_reserved_ports')
        : {
            source: sourceOf(node, 'sysctl'),
            text: 'net.ipv4.ip_local_reserved_ports absent (nothing reserved)',
          },
      {
        source: 'inference',
        text: `ephemeral ports ${open.map((o) => (o.from === o.to ? `${o.from}` : `${o.from}-${o.to}`)).join(', ')} fall in the NodePort range ${np.from}-${np.to} (kube-apiserver --service-node-port-range default 30000-32767, widened to the NodePorts seen)`,
      },
      ...inUse.slice(0, 5).map((p) => ({
        source: p.source,
        line: p.line,
        text: `NodePort ${p.port} is programmed and can be handed out as a source port`,
      })),
    ];
    return [
      finding(check, node, {
        severity: inUse.length > 0 ? 'warning' : 'info',
        symptom:
          'Host-network clients (kubelet, node agents, apiserver peers) sporadically time out when the kernel picks an ephemeral source port equal to a NodePort: the reply is taken for NodePort traffic.',
        evidence: ev,
        fix: [
          {
            kind: 'runtime',
            description: 'reserve the NodePort range for listeners',
            commands: [`sudo sysctl -w net.ipv4.ip_local_reserved_ports=${np.from}-${np.to}`],
          },
          {
            kind: 'persistent',
            description: 'keep it (or keep the two ranges disjoint)',
            commands: [
              `echo 'net.ipv4.ip_local_reserved_ports = ${np.from}-${np.to}' | sudo tee /etc/sysctl.d/99-nodeport-reserved.conf`,
              'sudo sysctl --system',
            ],
          },
        ],
        references: [
          'kubernetes/kubernetes#111682',
          'kubernetes/kubernetes#111697',
          'kubernetes/kubernetes#35641',
          'kubernetes/kops#6342',
          'awslabs/amazon-eks-ami#1307',
          'cilium/cilium#10261',
        ],
        versions: [
          'kube-proxy < ~1.22 held NodePort sockets open, which hid the overlap (PR #108496 removed that)',
        ],
      }),
    ];
  },
};
