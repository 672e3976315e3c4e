/**
 * @module checks/mtu-mismatch-vxlan
 * FM-10: VXLAN adds 50 bytes over IPv4 (outer Ethernet 14 + IP 20 + UDP 8 + VXLAN 8; 70 over
 * IPv6), so the VXLAN device must be at most underlay MTU - 50 and the pods at most the VXLAN
 * MTU. Otherwise full-size packets need fragmentation or PMTU discovery, and when the ICMP
 * "fragmentation needed" is lost the connection hangs after the handshake.
 */
import type { NodeModel } from '../model/node.js';
import type { Link } from '../model/net.js';
import type { Check, Evidence, Finding } from './types.js';
import { finding, needAll, sourceOf } from './util.js';
import { podBridges } from './topology.js';

function underlayOf(node: NodeModel, vx: Link): Link | undefined {
  const byName = (n?: string) => (n ? node.host.links.find((l) => l.name === n) : undefined);
  const local = vx.vxlan?.local;
  return (
    byName(vx.vxlan?.dev) ??
    byName(local ? node.host.addrs.find((a) => a.local === local)?.ifname : undefined) ??
    byName(node.host.routes.find((r) => r.dst === 'default' && r.family === 'inet')?.dev)
  );
}

export function vxlanOverhead(vx: Link): number {
  return vx.vxlan?.local?.includes(':') ? 70 : 50;
}

export const check: Check = {
  id: 'mtu-mismatch-vxlan',
  severity: 'warning',
  title: 'MTUs along the VXLAN path do not fit: pod or tunnel packets are larger than the next hop carries',
  fm: ['FM-10'],
  missing: (node) => needAll(node, 'ip-link'),
  run(node, cluster) {
    const out: Finding[] = [];
    const ipLink = sourceOf(node, 'ip-link');
    const ev = (l: Link, note: string): Evidence => ({
      source: ipLink,
      line: l.line,
      text: `${l.name} mtu ${l.mtu}${note ? ` ${note}` : ''}`,
    });
    for (const vx of node.host.links.filter((l) => l.kind === 'vxlan')) {
      const under = underlayOf(node, vx);
      const oh = vxlanOverhead(vx);
      const evidence: Evidence[] = [];
      let severity: 'critical' | 'warning' | undefined;
      if (under && vx.mtu > under.mtu - oh) {
        severity = 'critical';
        evidence.push(
          ev(vx, `(VXLAN, ${oh} bytes of encapsulation)`),
          ev(under, `(underlay): the tunnel can carry at most ${under.mtu - oh}`),
        );
      }
      const podSide = podBridges(node)
        .flatMap((b) => [b.bridge, ...b.ports])
        .filter((l) => l.mtu > vx.mtu);
      const podNs = node.pods.flatMap((p) =>
        p.links
          .filter((l) => l.name !== 'lo' && l.linkType !== 'loopback' && l.mtu > vx.mtu)
          .map((l) => ({ p, l })),
      );
      if (podSide.length || podNs.length) {
        severity ??= 'warning';
        if (!evidence.length) evidence.push(ev(vx, '(VXLAN)'));
        for (const l of podSide.slice(0, 4)) evidence.push(ev(l, `(pod side) > ${vx.name} mtu ${vx.mtu}`));
        for (const { p, l } of podNs.slice(0, 4))
          evidence.push({
            source: sourceOf(node, `netns/${p.name}/ip-link`),
            line: l.line,
            text: `pod ${p.pod ? `${p.pod.namespace}/${p.pod.name}` : p.name} ${l.name} mtu ${l.mtu} > ${vx.name} mtu ${vx.mtu}`,
          });
      }
      // the other nodes' tunnels must fit this node's underlay too
      if (under)
        for (const other of cluster.nodes) {
          if (other === node) continue;
          for (const ovx of other.host.links.filter(
            (l) => l.kind === 'vxlan' && l.vxlan?.id === vx.vxlan?.id,
          ))
            if (ovx.mtu + vxlanOverhead(ovx) > under.mtu) {
              severity ??= 'warning';
              evidence.push({
                source: sourceOf(other, 'ip-link'),
                line: ovx.line,
                text: `${other.name} ${ovx.name} mtu ${ovx.mtu}: its encapsulated packets (${ovx.mtu + vxlanOverhead(ovx)}) exceed ${node.name} ${under.name} mtu ${under.mtu}`,
              });
            }
        }
      if (!severity) continue;
      const target = under ? Math.min(vx.mtu, under.mtu - oh) : vx.mtu;
      out.push(
        finding(check, node, {
          severity,
          symptom:
            'TCP handshakes and small requests work, but large responses, uploads and TLS handshakes across nodes hang (full-size segments are retransmitted and never acknowledged).',
          evidence,
          fix: [
            {
              kind: 'runtime',
              description: `bring the tunnel to at most underlay - ${oh} and the pod side to at most the tunnel MTU`,
              commands: [
                `sudo ip link set ${vx.name} mtu ${target}`,
                ...podBridges(node)
                  .flatMap((b) => [b.bridge, ...b.ports])
                  .filter((l) => l.mtu > target)
                  .slice(0, 4)
                  .map((l) => `sudo ip link set ${l.name} mtu ${target}`),
                'sudo sysctl -w net.ipv4.tcp_mtu_probing=1   # mitigates PMTU black holes',
              ],
            },
            {
              kind: 'persistent',
              description:
                'set the MTU where the CNI takes it from (flannel: MTU in net-conf.json / FLANNEL_MTU; CNI conflist "mtu"; Calico veth_mtu), keep underlay MTUs equal on all nodes, let ICMP type 3 code 4 through',
              commands: ['cat /run/flannel/subnet.env   # FLANNEL_MTU'],
            },
          ],
          references: [
            'flannel-io/flannel#463',
            'flannel-io/flannel#841',
            'flannel-io/flannel#1011',
            'flannel-io/flannel#1614',
            'flannel-io/flannel#1736',
          ],
        }),
      );
    }
    return out;
  },
};
