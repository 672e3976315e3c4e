/**
 * @module checks/iptables-backends-mixed
 * FM-14: iptables-legacy (x_tables) and iptables-nft (nf_tables) tables are both registered
 * on the netfilter hooks and both run for every packet, while each tool shows only its own.
 * Service or CNI rules in both = two programs fighting (stale DNAT to old pods).
 */
import type { Check, Evidence } from './types.js';
import type { Ruleset } from '../model/iptables.js';
import { finding, needAny } from './util.js';
import { allRules, rulesets, rulesetSize, type SourcedRuleset } from './rules.js';

/** chains of kube-proxy's Services and of CNIs (not kubelet's own KUBE-FIREWALL / KUBE-MARK-* / KUBE-POSTROUTING) */
const OWNER =
  /^(KUBE-(SERVICES|SVC-|SEP-|FORWARD|NODEPORTS|EXTERNAL)|FLANNEL-|cali-|CILIUM_|CNI-|AWS-|KUBE-ROUTER-)/;

function owned(rs: Ruleset): { n: number; first?: { chain: string; line: number; text: string } } {
  let n = 0;
  let first: { chain: string; line: number; text: string } | undefined;
  for (const { chain, rule } of allRules(rs))
    if (OWNER.test(chain.name)) {
      n++;
      if (!first || rule.line < first.line) first = { chain: chain.name, line: rule.line, text: rule.text };
    }
  return { n, first };
}

function ev(src: SourcedRuleset): Evidence {
  const size = rulesetSize(src.rs);
  const o = owned(src.rs);
  return {
    source: src.source,
    line: o.first?.line,
    text: `${src.backend}: ${size.rules} rules, ${o.n} in kube-proxy/CNI chains${o.first ? ` (first: -A ${o.first.chain} ${o.first.text})` : ''}`,
  };
}

export const check: Check = {
  id: 'iptables-backends-mixed',
  severity: 'critical',
  title: 'rules in both iptables backends (legacy and nft): both run, each tool shows only half',
  fm: ['FM-14'],
  missing: (node) => needAny(node, 'iptables'),
  run(node) {
    const all = rulesets(node);
    const legacy = all.find((s) => s.backend === 'legacy');
    const nft = all.find((s) => s.backend === 'nft');
    const fix = [
      {
        kind: 'runtime' as const,
        description:
          'see both halves, then flush the backend the node does not use (here: the one with fewer rules) and restart kube-proxy and the CNI agent',
        commands: [
          'sudo iptables-legacy-save | grep -c KUBE-',
          'sudo iptables-nft-save | grep -c KUBE-',
          'sudo iptables-legacy -t nat -F && sudo iptables-legacy -t filter -F   # only after checking which side is stale',
        ],
      },
      {
        kind: 'persistent' as const,
        description:
          'one backend per node: update-alternatives on the host and the same mode in every container that writes rules (kubernetes-sigs/iptables-wrappers)',
        commands: [
          'sudo update-alternatives --set iptables /usr/sbin/iptables-nft',
          'sudo update-alternatives --set ip6tables /usr/sbin/ip6tables-nft',
        ],
      },
    ];
    const refs = [
      'kubernetes/kubernetes#71305',
      'kubernetes/kubernetes#109811',
      'kubernetes/kubernetes#112477',
      'kubernetes/website#16271',
      'cloudnativelabs/kube-router#1069',
      'Rancher KB 000022178',
    ];
    const versions = [
      'iptables 1.8.0-1.8.2 (nft) had rule-duplication bugs (kubernetes#71305); iptables-save/restore of 1.8.8 vs 1.8.7 disagree (kubernetes#112477)',
    ];
    if (legacy && nft) {
      const l = rulesetSize(legacy.rs).rules;
      const n = rulesetSize(nft.rs).rules;
      if (l === 0 || n === 0) return [];
      const both = owned(legacy.rs).n > 0 && owned(nft.rs).n > 0;
      return [
        finding(check, node, {
          severity: both ? 'critical' : 'warning',
          symptom: both
            ? 'Service and pod traffic is partly broken while the rules "look right" in one tool: stale Service chains in the other backend keep DNATing to old pod IPs ("no route to host"), or drop what the visible rules accept.'
            : 'Two rule sets run for every packet; what one tool shows is not what the kernel does.',
          evidence: [ev(legacy), ev(nft)],
          fix,
          references: refs,
          versions,
        }),
      ];
    }
    const warned = all.find((s) => s.backend === 'nft' && s.rs.legacyTablesPresent);
    if (warned && !legacy)
      return [
        finding(check, node, {
          severity: 'warning',
          symptom:
            'Legacy tables exist next to the nft rules shown: both run, and podpath cannot see the legacy half (collect iptables-legacy-save too).',
          evidence: [
            {
              source: warned.source,
              text: '# Warning: iptables-legacy tables present, use iptables-legacy-save to see them',
            },
            ev(warned),
          ],
          fix,
          references: refs,
          versions,
        }),
      ];
    return [];
  },
};
