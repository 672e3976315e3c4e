/**
 * @module checks/nft-raw
 * Base chains of the `nft-ruleset` source, read just far enough for the checks: family,
 * table, chain, hook, policy, and whether the chain ends in an unconditional drop/reject.
 * Both forms are read: `nft -j list ruleset` (JSON) and `nft list ruleset` (text).
 */

export interface NftBaseChain {
  family: string;
  table: string;
  chain: string;
  hook: string;
  priority?: string;
  policy: string;
  /** text line (1-based) of the chain header; JSON: index of the object in `nftables` + 1 */
  line: number;
  /** an unconditional `drop` / `reject ...` rule in the chain, as written */
  catchAll?: { text: string; line: number };
}

export interface NftView {
  chains: NftBaseChain[];
  /** every table as `family name`, with the full text of what it mentions (interface names) */
  tables: { family: string; name: string; line: number; text: string }[];
}

type Obj = Record<string, unknown>;

function fromJson(doc: unknown): NftView | undefined {
  const items = (doc as { nftables?: unknown })?.nftables;
  if (!Array.isArray(items)) return undefined;
  const view: NftView = { chains: [], tables: [] };
  items.forEach((it: Obj, i) => {
    const table = it['table'] as Obj | undefined;
    if (table)
      view.tables.push({
        family: String(table['family']),
        name: String(table['name']),
        line: i + 1,
        text: '',
      });
    const chain = it['chain'] as Obj | undefined;
    if (chain && chain['hook'])
      view.chains.push({
        family: String(chain['family']),
        table: String(chain['table']),
        chain: String(chain['name']),
        hook: String(chain['hook']),
        priority: chain['prio'] === undefined ? undefined : String(chain['prio']),
        policy: String(chain['policy'] ?? 'accept'),
        line: i + 1,
      });
    const rule = it['rule'] as Obj | undefined;
    if (rule) {
      const t = view.tables.find(
        (x) => x.family === String(rule['family']) && x.name === String(rule['table']),
      );
      if (t) t.text += JSON.stringify(rule['expr']) + '\n';
      const expr = rule['expr'];
      if (Array.isArray(expr) && expr.length >= 1) {
        const verdicts = expr.filter((e: Obj) => 'drop' in e || 'reject' in e);
        const others = expr.filter(
          (e: Obj) => !('drop' in e || 'reject' in e || 'counter' in e || 'log' in e),
        );
        const c = view.chains.find(
          (x) =>
            x.family === String(rule['family']) &&
            x.table === String(rule['table']) &&
            x.chain === String(rule['chain']),
        );
        if (c && verdicts.length && others.length === 0)
          c.catchAll ??= { text: JSON.stringify(expr), line: i + 1 };
      }
    }
  });
  return view;
}

function fromText(text: string): NftView {
  const view: NftView = { chains: [], tables: [] };
  let table: NftView['tables'][number] | undefined;
  let chain: { name: string; line: number; base?: NftBaseChain } | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const t = raw.trim();
    const tm = /^table\s+(\S+)\s+(\S+)\s*\{/.exec(t);
    if (tm) {
      table = { family: tm[1]!, name: tm[2]!, line, text: '' };
      view.tables.push(table);
      chain = undefined;
      return;
    }
    if (!table) return;
    table.text += t + '\n';
    const cm = /^chain\s+(\S+)\s*\{/.exec(t);
    if (cm) {
      chain = { name: cm[1]!, line };
      return;
    }
    const hm = /type\s+\S+\s+hook\s+(\S+)\s+priority\s+([^;]+);(?:\s*policy\s+(\w+);)?/.exec(t);
    if (hm && chain) {
      chain.base = {
        family: table.family,
        table: table.name,
        chain: chain.name,
        hook: hm[1]!,
        priority: hm[2]!.trim(),
        policy: hm[3] ?? 'accept',
        line: chain.line,
      };
      view.chains.push(chain.base);
      return;
    }
    if (
      chain?.base &&
      /^(counter( packets \d+ bytes \d+)?\s+)?(log( prefix "[^"]*")?\s+)?(drop|reject( with .*)?)$/.test(t)
    )
      chain.base.catchAll ??= { text: t, line };
  });
  return view;
}

export function parseNftRuleset(text: string | undefined): NftView {
  if (!text || !text.trim()) return { chains: [], tables: [] };
  if (text.trimStart().startsWith('{')) {
    try {
      const v = fromJson(JSON.parse(text));
      if (v) return v;
    } catch {
      // not JSON after all: fall through to the text form
    }
  }
  return fromText(text);
}

/** Tables that iptables-nft owns (their rules are already in iptables-nft-save). */
export function isIptablesNftTable(family: string, name: string): boolean {
  return ['ip', 'ip6'].includes(family) && ['filter', 'nat', 'mangle', 'raw', 'security'].includes(name);
}
