/**
 * @module checks/vxlan-double-nat-checksum
 * FM-20, the "63-second delay": kube-proxy's mark 0x4000 stays on the skb when the packet is
 * encapsulated by a VXLAN device; the outer UDP packet meets KUBE-POSTROUTING again, is
 * masqueraded a second time (--random-fully changes its source port) and, with TX checksum
 * offload, leaves with a bad outer UDP checksum that the peer drops. Fixed kube-proxy clears
 * the mark first (`! --mark 0x4000/0x4000 -j RETURN`, `--xor-mark 0x4000`).
 */
import type { Check, Finding } from './types.js';
import { finding, needAll, sourceOf } from './util.js';
import { chainOf, hasMark, ruleEvidence, rulesets } from './rules.js';

export const check: Check = {
  id: 'vxlan-double-nat-checksum',
  severity: 'warning',
  title:
    'KUBE-POSTROUTING masquerades on the mark without clearing it, over VXLAN: outer packets are NATed twice (63 s delays)',
  fm: ['FM-20', 'FM-05'],
  missing: (node) => needAll(node, 'iptables', 'ip-link'),
  run(node) {
    const vx = node.host.links.filter((l) => l.kind === 'vxlan');
    if (vx.length === 0) return [];
    const out: Finding[] = [];
    for (const src of rulesets(node)) {
      const c = chainOf(src.rs, 'nat', 'KUBE-POSTROUTING');
      if (!c) continue;
      const i = c.rules.findIndex((r) => r.target?.t === 'MASQUERADE');
      if (i < 0) continue;
      const masq = c.rules[i]!;
      const before = c.rules.slice(0, i);
      const cleared = before.some(
        (r) => r.target?.t === 'MARK' && (r.target.op.value & 0x4000) === 0x4000 && r.target.op.mask === 0,
      );
      const returned = before.some((r) => r.target?.t === 'RETURN' && hasMark(r, 0x4000, true));
      // unfixed: marked packets are masqueraded while the mark stays on the skb
      if (cleared || !(hasMark(masq, 0x4000) || returned)) continue;
      const rf = masq.target?.t === 'MASQUERADE' && masq.target.randomFully;
      out.push(
        finding(check, node, {
          severity: rf ? 'warning' : 'info',
          symptom:
            'Node -> ClusterIP / NodePort / DNS traffic across nodes takes ~63 s (or 1 s, 3 s) or times out while pod IPs work; the receiving node logs "UDP: bad checksum ... to <node>:8472".',
          evidence: [
            ruleEvidence(
              src,
              { chain: c, rule: masq },
              `no MARK --xor-mark 0x4000 before it${rf ? '; --random-fully rewrites the outer source port' : ''}`,
            ),
            ...vx.map((l) => ({
              source: sourceOf(node, 'ip-link'),
              line: l.line,
              text: `${l.name}: vxlan id ${l.vxlan?.id ?? '?'} dstport ${l.vxlan?.port ?? '?'} (TX checksum offload state not collected: ethtool -k ${l.name})`,
            })),
          ],
          fix: [
            {
              kind: 'runtime',
              description: 'turn off TX checksum offload on the VXLAN device (the widely used workaround)',
              commands: vx.map((l) => `sudo ethtool -K ${l.name} tx-checksum-ip-generic off`),
            },
            {
              kind: 'persistent',
              description:
                'upgrade kube-proxy to a release that clears the mark (1.16.13 / 1.17.9 / 1.18.6 or newer); keep the ethtool setting in a udev rule or systemd unit until then',
              commands: [
                'kubectl -n kube-system set image daemonset/kube-proxy kube-proxy=registry.k8s.io/kube-proxy:<fixed version>',
              ],
            },
          ],
          references: [
            'kubernetes/kubernetes#88986',
            'kubernetes/kubernetes#90854',
            'kubernetes/kubernetes#91519',
            'kubernetes/kubernetes#92035',
            'kubernetes/kubernetes#96868',
            'flannel-io/flannel#1279',
            'flannel-io/flannel#1282',
            'projectcalico/calico#3145',
          ],
          versions: [
            'kube-proxy 1.16.13, 1.17.9, 1.18.6 clear the mark before MASQUERADE (PR #92035)',
            'kernel fix "netfilter: nat: never update the UDP checksum when it\'s 0" [version unconfirmed]',
          ],
        }),
      );
    }
    return out;
  },
};
