/**
 * @module sim/hook-entries
 * What runs on one IPv4 netfilter hook of a namespace, in the order the kernel runs it
 * (`nf_hook_entries`, sorted by priority): conntrack (-200, PREROUTING/OUTPUT), each
 * iptables rule set's tables at their fixed priorities (raw -300, mangle -150, filter 0,
 * security 50), the base chains of every nf_tables table of family ip and inet at their
 * own priority, one nf_nat hook (dst -100 at PREROUTING/OUTPUT, src 100 at INPUT/
 * POSTROUTING) that consults every nat table and nat-type chain in their priority order
 * (`nf_nat_register_fn`: nat chains share the nat core's single hook), and conntrack
 * confirm (INT_MAX, INPUT/POSTROUTING).
 *
 * Equal priorities: the kernel inserts a new hook entry before the entries of the same
 * priority (`nf_hook_entries_grow`), so the one registered last runs first (checked in a
 * namespace: iptables-legacy SNAT and an nft snat chain, both at 100, bind in the reverse
 * order of their creation). The snapshot does not say when iptables tables were created:
 * native nft chains are taken as the newer ones (the later table handle, then the later
 * chain handle, first), before the iptables tables, which keep their listed order; a trace
 * that depends on it says so.
 *
 * Tables that iptables-nft writes are nf_tables tables too and show in `nft -j list
 * ruleset`; when the iptables-nft rule set is read (iptables-nft-save), those tables are
 * taken from it and skipped here, so nothing runs twice.
 */
import type { Ruleset, TableName } from '../model/iptables.js';
import type { NftChain, NftHook, NftTable } from '../model/nft.js';
import type { Netfilter } from './world.js';
import { tableHasHook, type Hook } from './iptables-eval.js';

export const NF_IP_PRI = {
  raw: -300,
  conntrack: -200,
  mangle: -150,
  natDst: -100,
  filter: 0,
  security: 50,
  natSrc: 100,
  confirm: 2147483647,
} as const;

export type NatMember =
  | { kind: 'ipt'; prio: number; rs: Ruleset; source: string }
  | { kind: 'nft'; prio: number; table: NftTable; chain: NftChain; source: string };

export type HookEntry =
  | { kind: 'conntrack'; prio: number }
  | { kind: 'confirm'; prio: number }
  | { kind: 'ipt'; prio: number; table: Exclude<TableName, 'nat'>; rs: Ruleset; source: string }
  | { kind: 'nft'; prio: number; table: NftTable; chain: NftChain; source: string }
  | { kind: 'nat'; prio: number; members: NatMember[] };

export interface HookPlan {
  entries: HookEntry[];
  /** nf_tables tables not evaluated, and why; assumptions about the order of equal priorities */
  skipped: string[];
}

/** sort key within one priority: native nft chains newest first, then iptables in listed order */
function rankOf(e: HookEntry | NatMember, listed: number): number {
  if (e.kind === 'nft') return -((e.table.handle ?? 0) * 1e6 + (e.chain.handle ?? 0)) - 1;
  return listed;
}

function hasRules(e: HookEntry | NatMember, hook: Hook): boolean {
  if (e.kind === 'nft') return e.chain.rules.length > 0;
  if (e.kind === 'ipt') {
    const t = 'table' in e ? e.table : 'nat';
    return (e.rs.tables[t]?.chains[hook]?.rules.length ?? 0) > 0;
  }
  return false;
}

function byPriority<T extends HookEntry | NatMember>(xs: T[], hook: Hook, notes: string[]): T[] {
  const ranked = xs.map((e, i) => ({ e, r: rankOf(e, i) }));
  ranked.sort((a, b) => a.e.prio - b.e.prio || a.r - b.r);
  for (let i = 1; i < ranked.length; i++) {
    const a = ranked[i - 1]!.e,
      b = ranked[i]!.e;
    if (a.prio === b.prio && a.kind === 'nft' && b.kind === 'ipt' && hasRules(a, hook) && hasRules(b, hook))
      notes.push(
        `at ${hook} priority ${a.prio} nft chain ${a.table.family} ${a.table.name} ${a.chain.name} and an iptables table share a priority: the one registered last runs first; assumed the nft chain is the newer`,
      );
  }
  return ranked.map((x) => x.e);
}

const NFT_HOOK: Record<Hook, NftHook> = {
  PREROUTING: 'prerouting',
  INPUT: 'input',
  FORWARD: 'forward',
  OUTPUT: 'output',
  POSTROUTING: 'postrouting',
};

const IPT_TABLES = ['raw', 'mangle', 'filter', 'security'] as const;

/** The tables iptables-nft creates (family ip, the x_tables names). */
export function ownedByIptablesNft(t: { family: string; name: string }): boolean {
  return t.family === 'ip' && ['filter', 'nat', 'mangle', 'raw', 'security'].includes(t.name);
}

const cache = new WeakMap<Netfilter, Map<Hook, HookPlan & { n: number; nft: Netfilter['nft'] }>>();

/** The entries of `hook`, sorted by priority (equal priorities: see above). */
export function hookPlan(nf: Netfilter, hook: Hook): HookPlan {
  let m = cache.get(nf);
  if (!m) {
    m = new Map();
    cache.set(nf, m);
  }
  const hit = m.get(hook);
  if (hit && hit.n === nf.rulesets.length && hit.nft === nf.nft) return hit;
  const entries: HookEntry[] = [];
  const skipped: string[] = [];
  const dst = hook === 'PREROUTING' || hook === 'OUTPUT';
  if (dst) entries.push({ kind: 'conntrack', prio: NF_IP_PRI.conntrack });
  const nat: NatMember[] = [];
  for (const { rs, source } of nf.rulesets) {
    for (const t of IPT_TABLES)
      if (rs.tables[t]?.chains[hook] && tableHasHook(t, hook))
        entries.push({ kind: 'ipt', prio: NF_IP_PRI[t], table: t, rs, source });
    if (rs.tables.nat?.chains[hook] && tableHasHook('nat', hook))
      nat.push({ kind: 'ipt', prio: dst ? NF_IP_PRI.natDst : NF_IP_PRI.natSrc, rs, source });
  }
  const iptNft = nf.rulesets.some((r) => r.rs.backend === 'nft');
  if (nf.nft) {
    const { rs, source } = nf.nft;
    for (const table of rs.tables) {
      if (table.family !== 'ip' && table.family !== 'inet') continue;
      const chains = [...table.chains.values()].filter((c) => c.base?.hook === NFT_HOOK[hook]);
      if (chains.length === 0) continue;
      if (iptNft && ownedByIptablesNft(table)) {
        skipped.push(
          `nft table ${table.family} ${table.name} belongs to iptables-nft: evaluated from iptables-nft-save, not a second time from ${source}`,
        );
        continue;
      }
      if (table.flags.includes('dormant')) {
        skipped.push(`nft table ${table.family} ${table.name} is dormant (its chains are not on the hooks)`);
        continue;
      }
      for (const chain of chains) {
        const prio = chain.base!.priority;
        if (chain.base!.type === 'nat') nat.push({ kind: 'nft', prio, table, chain, source });
        else entries.push({ kind: 'nft', prio, table, chain, source });
      }
    }
  }
  // the nat core is always there (conntrack's reverse NAT of replies); FORWARD has no NAT
  if (hook !== 'FORWARD')
    entries.push({
      kind: 'nat',
      prio: dst ? NF_IP_PRI.natDst : NF_IP_PRI.natSrc,
      members: byPriority(nat, hook, skipped),
    });
  if (hook === 'INPUT' || hook === 'POSTROUTING') entries.push({ kind: 'confirm', prio: NF_IP_PRI.confirm });
  const plan = { entries: byPriority(entries, hook, skipped), skipped, n: nf.rulesets.length, nft: nf.nft };
  m.set(hook, plan);
  return plan;
}
