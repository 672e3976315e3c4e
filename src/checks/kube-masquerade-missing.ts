/**
 * @module checks/kube-masquerade-missing
 * FM-18 (masquerade gaps), FM-09: kube-proxy marks Service packets that need SNAT with 0x4000
 * (KUBE-MARK-MASQ) and relies on a MASQUERADE rule in nat POSTROUTING (KUBE-POSTROUTING) to
 * rewrite them. When the marks are set but nothing reachable from POSTROUTING masquerades
 * (a hand-edited or half-restored rule set, a broken kube-proxy sync), a pod reaching itself
 * through its Service gets a packet from its own address (dropped as a martian) and
 * off-cluster clients get replies around the DNAT node.
 */
import type { Rule } from '../model/iptables.js';
import type { Check, Finding } from './types.js';
import { finding, needAny } from './util.js';
import {
  chainEvidence,
  chainOf,
  iptablesCommand,
  postroutingNat,
  ruleEvidence,
  rulesets,
  type RuleAt,
} from './rules.js';

/** kube-proxy's own rule, or one with no source match at all */
function coversMarkedPodTraffic(x: RuleAt): boolean {
  return x.chain.name.startsWith('KUBE-') || !/(^| )-s /.test(x.rule.text);
}

/** `-j MARK --or-mark 0x4000` / `--set-xmark 0x4000/0x4000`: sets the masquerade bit */
function setsMasqMark(r: Rule): boolean {
  const t = r.target;
  return t?.t === 'MARK' && (t.op.value & 0x4000) === 0x4000 && (t.op.mask & 0x4000) === 0x4000;
}

export const check: Check = {
  id: 'kube-masquerade-missing',
  severity: 'warning',
  title:
    'kube-proxy marks packets for masquerade (0x4000) but no MASQUERADE/SNAT rule in nat POSTROUTING rewrites them',
  fm: ['FM-18', 'FM-09'],
  missing: (node) => needAny(node, 'iptables'),
  run(node) {
    const out: Finding[] = [];
    for (const src of rulesets(node)) {
      const markChain = chainOf(src.rs, 'nat', 'KUBE-MARK-MASQ');
      const mark = markChain?.rules.find(setsMasqMark);
      if (!markChain || !mark) continue;
      const nat = postroutingNat(src.rs);
      // kube-proxy's own rule lives in KUBE-POSTROUTING; a CNI rule with a source match (flannel's
      // `-s <clusterCIDR>` after its pod-to-pod RETURN, `! -s <clusterCIDR>`) does not cover a
      // pod hairpinning to itself
      if (nat.some(coversMarkedPodTraffic)) continue;
      const kp = chainOf(src.rs, 'nat', 'KUBE-POSTROUTING');
      const ipt = iptablesCommand(node, src);
      out.push(
        finding(check, node, {
          symptom:
            'A pod that reaches its own Service times out whenever the Service picks the pod itself (its own address comes back as the source and is dropped as a martian); clients outside the pod network that kube-proxy marks for SNAT get replies from pod IPs.',
          evidence: [
            ruleEvidence(src, { chain: markChain, rule: mark }, 'packets are marked for SNAT'),
            kp
              ? chainEvidence(src, 'nat', kp, `has ${kp.rules.length} rule(s), none -j MASQUERADE`)
              : { source: src.source, text: 'no KUBE-POSTROUTING chain in the nat table' },
            {
              source: src.source,
              text: `${nat.length} MASQUERADE/SNAT rule(s) reachable from nat POSTROUTING${nat.length ? `, all limited by -s (${nat.map((x) => x.chain.name).join(', ')})` : ''}`,
            },
          ],
          fix: [
            {
              kind: 'runtime',
              description:
                'let kube-proxy write its rules again (it restores KUBE-POSTROUTING on its next sync), or add the rule by hand',
              commands: [
                'kubectl -n kube-system rollout restart daemonset/kube-proxy',
                `sudo ${ipt} -t nat -A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully`,
              ],
            },
            {
              kind: 'persistent',
              description:
                'find what removes the rule (an iptables-restore of a saved rule set, a firewall service flushing nat, a second kube-proxy) and stop it',
              commands: [`sudo ${ipt}-save -t nat | grep -n KUBE-POSTROUTING`],
            },
          ],
          references: [
            'kubernetes/kubernetes#24224',
            'kubernetes/kubernetes#44916',
            'kubernetes/kubernetes#91545',
          ],
        }),
      );
    }
    return out;
  },
};
