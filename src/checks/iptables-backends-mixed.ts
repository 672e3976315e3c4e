/**
 * @module checks/iptables-backends-mixed
 * FM-14: iptables-legacy (x_tables) and iptables-nft (nf_tables) tables are both registered
 * on the netfilter hooks and both run for every packet, while each tool shows only its own.
 * Service or CNI rules in both = two programs fighting (stale DNAT to old pods).
 * Native nf_tables tables (`nft -j list ruleset`: kube-proxy's nftables mode, firewalld,
 * a CNI) run on the same hooks too: a drop in any of them wins, an accept only ends its
 * own chain, so kube-proxy in nftables mode next to an iptables FORWARD policy DROP breaks.
 */
import type { Check, Evidence } from './types.js';
import type { Ruleset } from '../model/iptables.js';
import { finding, needAny } from './util.js';
import { allRules, rulesets, rulesetSize, type SourcedRuleset } from './rules.js';
import type { NftTable } from '../model/nft.js';
import { ownedByIptablesNft } from '../sim/hook-entries.js';
import { sourceOf } from './util.js';

/** native nf_tables tables of kube-proxy or a CNI */
const NFT_OWNER = /^(kube-proxy|kube-router|cali|calico|cilium|flannel|antrea|k8s)/i;

interface NativeNft {
  tables: NftTable[];
  rules: number;
  source: string;
}

/** ip/inet tables of `nft -j list ruleset` not written by iptables-nft, when they hold rules or base chains */
function nativeNft(node: Parameters<Check['run']>[0]): NativeNft | undefined {
  const rs = node.host.nft;
  if (!rs) return undefined;
  const tables = rs.tables.filter(
    (t) =>
      (t.family === 'ip' || t.family === 'inet') &&
      !ownedByIptablesNft(t) &&
      [...t.chains.values()].some((c) => c.base || c.rules.length > 0),
  );
  if (tables.length === 0) return undefined;
  let rules = 0;
  for (const t of tables) for (const c of t.chains.values()) rules += c.rules.length;
  return { tables, rules, source: sourceOf(node, 'nft-ruleset') };
}

function nativeEvidence(n: NativeNft): Evidence {
  const names = n.tables.map((t) => `${t.family} ${t.name}`).join(', ');
  const owned = n.tables.filter((t) => NFT_OWNER.test(t.name)).map((t) => `${t.family} ${t.name}`);
  return {
    source: n.source,
    line: n.tables[0]!.item,
    text: `nftables: ${n.rules} rules in ${n.tables.length} native table${n.tables.length > 1 ? 's' : ''} (${names})${owned.length ? `, kube-proxy/CNI: ${owned.join(', ')}` : ''}`,
  };
}

/** built-in filter chains with policy DROP (INPUT/FORWARD/OUTPUT) */
function dropPolicies(rs: Ruleset): string[] {
  const f = rs.tables.filter;
  if (!f) return [];
  return ['INPUT', 'FORWARD', 'OUTPUT'].filter((c) => f.chains[c]?.policy === 'DROP');
}

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
    const native = nativeNft(node);
    if (legacy && nft) {
      const l = rulesetSize(legacy.rs).rules;
      const n = rulesetSize(nft.rs).rules;
      if (l === 0 || n === 0) return native ? nativeFinding() : [];
      const both = owned(legacy.rs).n > 0 && owned(nft.rs).n > 0;
      return [
        finding(check, node, {
          severity: both ? 'critical' : 'warning',
          symptom: both
            ? 'Service and pod traffic is partly broken while the rules "look right" in one tool: stale Service chains in the other backend keep DNATing to old pod IPs ("no route to host"), or drop what the visible rules accept.'
            : 'Two rule sets run for every packet; what one tool shows is not what the kernel does.',
          evidence: native ? [ev(legacy), ev(nft), nativeEvidence(native)] : [ev(legacy), ev(nft)],
          fix,
          references: refs,
          versions,
        }),
      ];
    }
    if (native && (legacy || nft)) return nativeFinding();
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

    function nativeFinding() {
      const ipt = [legacy, nft].filter(
        (x): x is SourcedRuleset =>
          x !== undefined && rulesetSize(x.rs).rules + dropPolicies(x.rs).length > 0,
      );
      if (!native || ipt.length === 0) return [];
      const kubeNative = native.tables.some((t) => NFT_OWNER.test(t.name));
      const drops = ipt.flatMap((x) => dropPolicies(x.rs).map((c) => `${x.backend} filter ${c}`));
      const kubeBoth =
        kubeNative &&
        ipt.some((x) => [...allRules(x.rs)].some((r) => /^KUBE-(SERVICES|SVC-|SEP-)/.test(r.chain.name)));
      const critical = kubeNative && (drops.length > 0 || kubeBoth);
      return [
        finding(check, node, {
          // a CNI's iptables rules beside kube-proxy's nftables table are normal when nothing drops
          severity: critical ? 'critical' : drops.length > 0 ? 'warning' : 'info',
          title: 'rules in iptables and in native nftables tables: all of them run on the same hooks',
          symptom: kubeBoth
            ? 'kube-proxy rules exist both in iptables (a former iptables-mode kube-proxy) and in its nftables table: whichever NAT binds first wins, stale Service chains DNAT to old pods.'
            : drops.length > 0 && kubeNative
              ? `kube-proxy runs in nftables mode while iptables keeps a policy DROP (${drops.join(', ')}): an accept in kube-proxy's table only ends its own chain, the iptables chain still drops forwarded Service and pod traffic (iptables mode's KUBE-FORWARD accept rules are gone).`
              : 'Native nftables tables and iptables rules both run for every packet; a drop in either wins, and neither `iptables-save` nor the other tool shows the whole picture.',
          evidence: [...ipt.map(ev), nativeEvidence(native)],
          fix: [
            {
              kind: 'runtime' as const,
              description: 'see every table on the hooks, in priority order',
              commands: ['sudo nft list ruleset', 'sudo iptables-legacy-save', 'sudo iptables-nft-save'],
            },
            {
              kind: 'persistent' as const,
              description:
                'accept cluster traffic in the iptables chain that drops it (e.g. flannel >= 0.10 FLANNEL-FWD, or -A FORWARD -s/-d <clusterCIDR> -j ACCEPT), or move that firewall to nftables; remove stale iptables-mode kube-proxy rules (kube-proxy --cleanup)',
              commands: ['sudo iptables-legacy -A FORWARD -s 10.224.0.0/16 -j ACCEPT   # your clusterCIDR'],
            },
          ],
          references: ['kubernetes/enhancements#3866', ...refs],
          versions: ['kube-proxy nftables mode: alpha 1.29, beta 1.31, GA 1.33'],
        }),
      ];
    }
  },
};
