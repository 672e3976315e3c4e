/**
 * @module checks/rules
 * Walking the iptables rule sets of a node: which ones the kernel runs (legacy and nft are
 * both evaluated when both hold tables), every rule with its chain, the chains reachable
 * from a built-in chain, comments and the `-A CHAIN ...` text for evidence.
 */
import type { NodeModel } from '../model/node.js';
import type { Chain, Rule, Ruleset, TableName } from '../model/iptables.js';
import type { Evidence } from './types.js';
import { sourceOf } from './util.js';

export interface SourcedRuleset {
  rs: Ruleset;
  /** file for evidence */
  source: string;
  /** `legacy`, `nft` or `unknown` */
  backend: string;
}

/** Rule sets that the kernel runs on this node for one family, with their source file. */
export function rulesets(node: NodeModel, family: 'ipv4' | 'ipv6' = 'ipv4'): SourcedRuleset[] {
  const ipt = family === 'ipv4' ? node.host.iptables : node.host.ip6tables;
  const base = family === 'ipv4' ? 'iptables' : 'ip6tables';
  // the model builder moves a lone `iptables-save` into legacy/nft by its header: find its file
  const file = (b: 'legacy' | 'nft') => {
    const id = `${base}-${b}-save`;
    if (node.sourceFiles[id] || node.host.known.has(id)) return sourceOf(node, id);
    return sourceOf(node, `${base}-save`);
  };
  const out: SourcedRuleset[] = [];
  if (ipt.legacy) out.push({ rs: ipt.legacy, source: file('legacy'), backend: 'legacy' });
  if (ipt.nft) out.push({ rs: ipt.nft, source: file('nft'), backend: 'nft' });
  if (ipt.unknown) out.push({ rs: ipt.unknown, source: sourceOf(node, `${base}-save`), backend: 'unknown' });
  return out;
}

export interface RuleAt {
  table: TableName;
  chain: Chain;
  rule: Rule;
}

export function* allRules(rs: Ruleset, table?: TableName): Generator<RuleAt> {
  for (const [name, t] of Object.entries(rs.tables)) {
    if (!t || (table && name !== table)) continue;
    for (const chain of Object.values(t.chains))
      for (const rule of chain.rules) yield { table: t.name, chain, rule };
  }
}

export function chainOf(rs: Ruleset, table: TableName, name: string): Chain | undefined {
  return rs.tables[table]?.chains[name];
}

/** Chains reachable from `start` by -j/-g, breadth first, `start` first. */
export function reachableChains(rs: Ruleset, table: TableName, start: Chain): Chain[] {
  const seen = new Set<string>([start.name]);
  const out = [start];
  for (let i = 0; i < out.length; i++) {
    for (const r of out[i]!.rules) {
      const t = r.target;
      if ((t?.t === 'jump' || t?.t === 'goto') && !seen.has(t.chain)) {
        const c = chainOf(rs, table, t.chain);
        if (c) {
          seen.add(t.chain);
          out.push(c);
        }
      }
    }
  }
  return out;
}

export function commentOf(r: Rule): string | undefined {
  for (const m of r.matches) if (m.m === 'comment') return m.comment;
  return undefined;
}

/** `-A KUBE-FORWARD -m conntrack ...` */
export function ruleText(chain: Chain | string, r: Rule): string {
  return `-A ${typeof chain === 'string' ? chain : chain.name} ${r.text}`;
}

export function ruleEvidence(
  src: SourcedRuleset,
  at: { chain: Chain | string; rule: Rule },
  note = '',
): Evidence {
  return {
    source: src.source,
    line: at.rule.line,
    text: `${ruleText(at.chain, at.rule)}${note ? `  (${note})` : ''}`,
  };
}

export function chainEvidence(src: SourcedRuleset, table: TableName, c: Chain, note = ''): Evidence {
  const head = c.builtin ? `:${c.name} ${c.policy ?? '-'}` : `:${c.name} -`;
  return { source: src.source, line: c.line, text: `${head} (${table} table)${note ? `  ${note}` : ''}` };
}

/** Number of rules in a rule set, and whether kube-proxy chains are in it. */
export function rulesetSize(rs: Ruleset): { rules: number; kube: number } {
  let rules = 0;
  let kube = 0;
  for (const { chain } of allRules(rs)) {
    rules++;
    if (chain.name.startsWith('KUBE-')) kube++;
  }
  return { rules, kube };
}

/** Does a rule match only on mark `value/mask` (kube-proxy KUBE-MARK-MASQ: 0x4000/0x4000)? */
export function hasMark(r: Rule, value: number, neg = false): boolean {
  return r.matches.some(
    (m) =>
      m.m === 'mark' &&
      m.mark.neg === neg &&
      (m.mark.value.value & value) === value &&
      (m.mark.value.mask & value) === value,
  );
}

/** ctstate (or -m state) list of a rule, when not negated. */
export function ctStates(r: Rule): string[] | undefined {
  for (const m of r.matches) {
    if (m.m === 'conntrack' && m.ctstate && !m.ctstate.neg) return m.ctstate.value;
    if (m.m === 'state' && !m.state.neg) return m.state.value;
  }
  return undefined;
}

/** The iptables command that edits this rule set (`iptables-legacy` when both backends hold rules). */
export function iptablesCommand(node: NodeModel, src: SourcedRuleset): string {
  const ipt = src.rs.family === 'ipv6' ? node.host.ip6tables : node.host.iptables;
  const base = src.rs.family === 'ipv6' ? 'ip6tables' : 'iptables';
  if (ipt.legacy && ipt.nft && src.backend !== 'unknown') return `${base}-${src.backend}`;
  return base;
}

/** MASQUERADE/SNAT rules reachable from nat POSTROUTING of one rule set, with their chains. */
export function postroutingNat(rs: Ruleset): RuleAt[] {
  const post = chainOf(rs, 'nat', 'POSTROUTING');
  if (!post) return [];
  return reachableChains(rs, 'nat', post).flatMap((chain) =>
    chain.rules
      .filter((rule) => rule.target?.t === 'MASQUERADE' || rule.target?.t === 'SNAT')
      .map((rule) => ({ table: 'nat' as TableName, chain, rule })),
  );
}

/**
 * Would a packet the node sends into the pod network with an uplink source address be
 * rewritten? kube-proxy's KUBE-POSTROUTING masquerade (marked Service traffic) or a CNI rule
 * not limited to a positive `-s` (flannel's `! -s <clusterCIDR> -d <clusterCIDR>`) does it.
 * undefined when no iptables rule set is known.
 */
export function nodeTrafficMasqueraded(node: NodeModel): boolean | undefined {
  const all = rulesets(node);
  if (all.length === 0) return undefined;
  return all.some((src) => postroutingNat(src.rs).some((x) => coversNodeSource(x)));
}

/** kube-proxy's own rule, or one without a positive source match */
export function coversNodeSource(x: RuleAt): boolean {
  return x.chain.name.startsWith('KUBE-') || !/(^|[^!] )-s /.test(` ${x.rule.text}`);
}
