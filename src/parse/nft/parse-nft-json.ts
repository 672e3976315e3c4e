/**
 * @module parse/nft/parse-nft-json
 * `nft -j list ruleset` (libnftables JSON, schema version 1) -> `NftRuleset`
 * (src/model/nft.ts) plus diagnostics that name the JSON pointer of the offending value
 * and its line and column. Never throws: a bad object is reported and skipped, the rest
 * is kept.
 */
import { diag, type Diagnostic, type ParseResult } from '../diagnostic.js';
import { parseJson } from '../json/parse-json.js';
import { offsetToPosition } from '../json/position.js';
import {
  NFT_FAMILIES,
  tableKey,
  type NftBaseChain,
  type NftChain,
  type NftChainType,
  type NftFamily,
  type NftHook,
  type NftJson,
  type NftRuleset,
  type NftSet,
  type NftSetElement,
  type NftTable,
} from '../../model/nft.js';
import { resolvePriority } from './priority.js';
import { renderRule } from './render-expr.js';

export const MAX_NFT_DIAGNOSTICS = 1000;

type Obj = { [key: string]: NftJson };
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const CHAIN_TYPES: readonly NftChainType[] = ['filter', 'nat', 'route'];
const HOOKS: Record<NftFamily, readonly NftHook[]> = {
  ip: ['prerouting', 'input', 'forward', 'output', 'postrouting'],
  ip6: ['prerouting', 'input', 'forward', 'output', 'postrouting'],
  inet: ['prerouting', 'input', 'forward', 'output', 'postrouting', 'ingress'],
  bridge: ['prerouting', 'input', 'forward', 'output', 'postrouting'],
  netdev: ['ingress', 'egress'],
  arp: ['input', 'output'],
};

/** statements of a rule that nft prints; the evaluator knows most, the rest are kept */
const STATEMENTS = new Set([
  'match',
  'vmap',
  'counter',
  'log',
  'mangle',
  'dnat',
  'snat',
  'masquerade',
  'redirect',
  'notrack',
  'accept',
  'drop',
  'continue',
  'return',
  'jump',
  'goto',
  'queue',
  'reject',
  'set',
  'map',
  'limit',
  'quota',
  'ct helper',
  'ct timeout',
  'ct expectation',
  'meter',
  'xt',
  'flow',
  'tproxy',
  'synproxy',
  'dup',
  'fwd',
  'secmark',
  'ct count',
  'last',
]);
/** top-level objects that carry no packet-path meaning for podpath */
const IGNORED = new Set([
  'metainfo',
  'element',
  'flowtable',
  'counter',
  'quota',
  'limit',
  'ct helper',
  'ct timeout',
  'ct expectation',
  'secmark',
  'synproxy',
]);

interface Pending {
  pointer: string;
  item: number;
  d: Diagnostic;
}

class Ctx {
  readonly pending: Pending[] = [];
  dropped = 0;
  add(item: number, pointer: string, code: Diagnostic['code'], message: string): void {
    if (this.pending.length >= MAX_NFT_DIAGNOSTICS) {
      this.dropped++;
      return;
    }
    this.pending.push({ pointer, item, d: diag(code, `${pointer}: ${message}`, 0) });
  }
}

const esc = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

function str(o: Obj, k: string): string | undefined {
  const v = o[k];
  return typeof v === 'string' ? v : undefined;
}
function int(o: Obj, k: string): number | undefined {
  const v = o[k];
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}
function strList(v: NftJson | undefined): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

/** Fills line and column of each diagnostic from its pointer (or its nearest existing ancestor), in one extra pass. */
function position(text: string, pending: Pending[]): Diagnostic[] {
  if (pending.length === 0) return [];
  const items = new Set(pending.map((p) => p.item - 1));
  const at = new Map<string, number>();
  parseJson(text, {
    onValue: (path, start) => {
      if (path.length < 2) at.set(path.length === 0 ? '' : `/${esc(String(path[0]))}`, start);
      else if (path[0] === 'nftables' && items.has(path[1] as number))
        at.set('/' + path.map((x) => esc(String(x))).join('/'), start);
    },
  });
  return pending.map((p) => {
    let ptr = p.pointer;
    while (!at.has(ptr) && ptr.length > 0) ptr = ptr.slice(0, ptr.lastIndexOf('/'));
    const pos = offsetToPosition(text, at.get(ptr) ?? 0);
    return { ...p.d, line: pos.line, column: pos.column };
  });
}

function familyOf(ctx: Ctx, o: Obj, item: number, ptr: string): NftFamily | undefined {
  const f = str(o, 'family');
  if (f === undefined) {
    ctx.add(item, `${ptr}/family`, 'SYNTAX', 'expected "family" (ip, ip6, inet, bridge, netdev or arp)');
    return undefined;
  }
  if (!(NFT_FAMILIES as readonly string[]).includes(f)) {
    ctx.add(
      item,
      `${ptr}/family`,
      'BAD_VALUE',
      `unknown family ${JSON.stringify(f)} (expected ip, ip6, inet, bridge, netdev or arp)`,
    );
    return undefined;
  }
  return f as NftFamily;
}

function name(ctx: Ctx, o: Obj, k: string, item: number, ptr: string): string | undefined {
  const v = str(o, k);
  if (v === undefined || v === '')
    ctx.add(item, `${ptr}/${k}`, 'SYNTAX', `expected a non-empty string "${k}"`);
  return v || undefined;
}

function baseChain(
  ctx: Ctx,
  o: Obj,
  family: NftFamily,
  item: number,
  ptr: string,
): NftBaseChain | undefined | null {
  if (o.hook === undefined && o.type === undefined && o.prio === undefined) return undefined;
  const type = str(o, 'type');
  if (!type || !(CHAIN_TYPES as readonly string[]).includes(type)) {
    ctx.add(
      item,
      `${ptr}/type`,
      'BAD_VALUE',
      `chain type ${JSON.stringify(o.type ?? null)}: expected filter, nat or route`,
    );
    return null;
  }
  const hook = str(o, 'hook');
  if (!hook || !HOOKS[family].includes(hook as NftHook)) {
    ctx.add(
      item,
      `${ptr}/hook`,
      'BAD_VALUE',
      `hook ${JSON.stringify(o.hook ?? null)} does not exist in family ${family} (expected ${HOOKS[family].join(', ')})`,
    );
    return null;
  }
  const prio = resolvePriority(family, o.prio);
  if (!prio) {
    ctx.add(
      item,
      `${ptr}/prio`,
      'BAD_VALUE',
      `priority ${JSON.stringify(o.prio ?? null)}: expected an integer or a standard name (raw, mangle, dstnat, filter, security, srcnat) with an optional offset`,
    );
    return null;
  }
  const policy = str(o, 'policy') ?? 'accept';
  if (policy !== 'accept' && policy !== 'drop') {
    ctx.add(item, `${ptr}/policy`, 'BAD_VALUE', `policy ${JSON.stringify(policy)}: expected accept or drop`);
    return null;
  }
  const b: NftBaseChain = { type: type as NftChainType, hook: hook as NftHook, priority: prio.value, policy };
  if (prio.text !== undefined) b.priorityText = prio.text;
  const dev = strList(o.dev);
  if (dev.length > 0) b.device = dev;
  return b;
}

function elements(
  ctx: Ctx,
  raw: NftJson | undefined,
  isMap: boolean,
  item: number,
  ptr: string,
): NftSetElement[] {
  if (raw === undefined) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  const out: NftSetElement[] = [];
  list.forEach((e, i) => {
    let key: NftJson = e;
    let value: NftJson | undefined;
    if (isMap) {
      if (!Array.isArray(e) || e.length !== 2) {
        ctx.add(item, `${ptr}/elem/${i}`, 'SYNTAX', 'a map element is [key, value]');
        return;
      }
      key = e[0]!;
      value = e[1]!;
    }
    let comment: string | undefined;
    if (isObj(key) && isObj(key.elem)) {
      const el = key.elem;
      comment = str(el, 'comment');
      key = el.val ?? null;
    }
    if (key === null || typeof key === 'boolean') {
      ctx.add(
        item,
        `${ptr}/elem/${i}`,
        'BAD_VALUE',
        'an element key must be a value, prefix, range or concatenation',
      );
      return;
    }
    const el: NftSetElement = { key };
    if (value !== undefined) el.value = value;
    if (comment !== undefined) el.comment = comment;
    out.push(el);
  });
  return out;
}

function checkStatements(ctx: Ctx, expr: NftJson[], item: number, ptr: string): void {
  expr.forEach((s, i) => {
    if (!isObj(s) || Object.keys(s).length !== 1) {
      ctx.add(item, `${ptr}/expr/${i}`, 'SYNTAX', 'a statement is an object with exactly one key');
      return;
    }
    const k = Object.keys(s)[0]!;
    if (!STATEMENTS.has(k)) {
      ctx.add(item, `${ptr}/expr/${i}/${esc(k)}`, 'UNSUPPORTED', `unknown statement "${k}"`);
      return;
    }
    const a = s[k];
    if (k === 'match') {
      if (!isObj(a) || a.left === undefined || a.right === undefined)
        ctx.add(item, `${ptr}/expr/${i}/match`, 'SYNTAX', 'a match needs "left" and "right"');
      else if (a.op !== undefined && !['==', '!=', '<', '>', '<=', '>=', 'in'].includes(String(a.op)))
        ctx.add(item, `${ptr}/expr/${i}/match/op`, 'BAD_VALUE', `unknown operator ${JSON.stringify(a.op)}`);
    } else if ((k === 'jump' || k === 'goto') && !(isObj(a) && typeof a.target === 'string'))
      ctx.add(item, `${ptr}/expr/${i}/${k}`, 'SYNTAX', `${k} needs a "target" chain name`);
    else if (k === 'vmap' && !(isObj(a) && a.key !== undefined && a.data !== undefined))
      ctx.add(item, `${ptr}/expr/${i}/vmap`, 'SYNTAX', 'a vmap needs "key" and "data"');
  });
}

export function parseNftJson(text: string): ParseResult<NftRuleset> {
  const rs: NftRuleset = { tables: [] };
  const trimmed = text.trim();
  if (trimmed === '')
    return {
      value: rs,
      diagnostics: [
        diag('EMPTY', 'no nft output (no nftables rules, or nft printed nothing)', 0, 0, 'warning'),
      ],
    };
  if (!trimmed.startsWith('{')) {
    const pos = offsetToPosition(text, text.length - text.trimStart().length);
    return {
      value: rs,
      diagnostics: [
        diag(
          'WRONG_FORMAT',
          'expected the JSON of `nft -j list ruleset` (this looks like the text form of `nft list ruleset`)',
          pos.line,
          pos.column,
        ),
      ],
    };
  }
  const r = parseJson(text);
  if (!r.ok) {
    const pos = offsetToPosition(text, r.error.offset);
    return {
      value: rs,
      diagnostics: [diag(r.error.eof ? 'UNEXPECTED_EOF' : 'SYNTAX', r.error.message, pos.line, pos.column)],
    };
  }
  const ctx = new Ctx();
  const doc = r.value;
  const list = isObj(doc) ? doc.nftables : undefined;
  if (!Array.isArray(list)) {
    ctx.add(0, isObj(doc) ? '/nftables' : '', 'SYNTAX', 'expected an object { "nftables": [ ... ] }');
    return { value: rs, diagnostics: position(text, ctx.pending) };
  }
  const tables = new Map<string, NftTable>();
  const pendingChains: { o: Obj; item: number; ptr: string }[] = [];
  const later: { kind: string; o: Obj; item: number; ptr: string }[] = [];
  list.forEach((entry, i) => {
    const item = i + 1;
    const ptr0 = `/nftables/${i}`;
    if (!isObj(entry) || Object.keys(entry).length !== 1) {
      ctx.add(item, ptr0, 'SYNTAX', 'expected an object with one key (table, chain, rule, set, map, ...)');
      return;
    }
    const kind = Object.keys(entry)[0]!;
    const o = entry[kind];
    const ptr = `${ptr0}/${esc(kind)}`;
    if (IGNORED.has(kind)) {
      if (kind === 'metainfo' && isObj(o)) rs.version = str(o, 'version');
      return;
    }
    if (!isObj(o)) {
      ctx.add(item, ptr, 'SYNTAX', `expected an object for "${kind}"`);
      return;
    }
    if (kind === 'table') {
      const family = familyOf(ctx, o, item, ptr);
      const nm = name(ctx, o, 'name', item, ptr);
      if (!family || !nm) return;
      const key = tableKey({ family, name: nm });
      if (tables.has(key)) {
        ctx.add(item, ptr, 'DUPLICATE', `table ${key} listed twice`);
        return;
      }
      const t: NftTable = {
        family,
        name: nm,
        path: ptr,
        item,
        flags: strList(o.flags),
        chains: new Map(),
        sets: new Map(),
      };
      const h = int(o, 'handle');
      if (h !== undefined) t.handle = h;
      const c = str(o, 'comment');
      if (c !== undefined) t.comment = c;
      tables.set(key, t);
      rs.tables.push(t);
    } else if (kind === 'chain') pendingChains.push({ o, item, ptr });
    else if (kind === 'rule' || kind === 'set' || kind === 'map') later.push({ kind, o, item, ptr });
    else ctx.add(item, ptr, 'UNSUPPORTED', `unknown object "${kind}"`);
  });
  const tableOf = (o: Obj, item: number, ptr: string): NftTable | undefined => {
    const family = familyOf(ctx, o, item, ptr);
    const tn = name(ctx, o, 'table', item, ptr);
    if (!family || !tn) return undefined;
    const t = tables.get(tableKey({ family, name: tn }));
    if (!t) ctx.add(item, `${ptr}/table`, 'UNKNOWN_CHAIN', `table ${family} ${tn} is not listed`);
    return t;
  };
  for (const { o, item, ptr } of pendingChains) {
    const t = tableOf(o, item, ptr);
    const nm = name(ctx, o, 'name', item, ptr);
    if (!t || !nm) continue;
    if (t.chains.has(nm)) {
      ctx.add(item, ptr, 'DUPLICATE', `chain ${nm} listed twice in table ${tableKey(t)}`);
      continue;
    }
    const base = baseChain(ctx, o, t.family, item, ptr);
    if (base === null) continue;
    const ch: NftChain = { family: t.family, table: t.name, name: nm, path: ptr, item, rules: [] };
    if (base) ch.base = base;
    const h = int(o, 'handle');
    if (h !== undefined) ch.handle = h;
    const c = str(o, 'comment');
    if (c !== undefined) ch.comment = c;
    t.chains.set(nm, ch);
  }
  for (const { kind, o, item, ptr } of later) {
    const t = tableOf(o, item, ptr);
    if (!t) continue;
    if (kind === 'rule') {
      const cn = name(ctx, o, 'chain', item, ptr);
      if (!cn) continue;
      const ch = t.chains.get(cn);
      if (!ch) {
        ctx.add(item, `${ptr}/chain`, 'UNKNOWN_CHAIN', `chain ${cn} is not listed in table ${tableKey(t)}`);
        continue;
      }
      const expr = o.expr;
      if (!Array.isArray(expr)) {
        ctx.add(item, `${ptr}/expr`, 'SYNTAX', 'expected "expr": [ statements ]');
        continue;
      }
      checkStatements(ctx, expr, item, ptr);
      const comment = str(o, 'comment');
      const rule = { path: ptr, item, expr, text: renderRule(expr, comment) } as NftChain['rules'][number];
      const h = int(o, 'handle');
      if (h !== undefined) rule.handle = h;
      if (comment !== undefined) rule.comment = comment;
      ch.rules.push(rule);
    } else {
      const nm = name(ctx, o, 'name', item, ptr);
      if (!nm) continue;
      const type = strList(o.type);
      if (type.length === 0) {
        ctx.add(item, `${ptr}/type`, 'SYNTAX', 'expected a key "type" (a name or a list of names)');
        continue;
      }
      const s: NftSet = {
        kind: kind as 'set' | 'map',
        name: nm,
        type,
        flags: strList(o.flags),
        elements: elements(ctx, o.elem, kind === 'map', item, ptr),
        path: ptr,
        item,
      };
      if (kind === 'map') {
        const m = str(o, 'map');
        if (m === undefined) ctx.add(item, `${ptr}/map`, 'SYNTAX', 'a map needs its data type "map"');
        else s.map = m;
      }
      const c = str(o, 'comment');
      if (c !== undefined) s.comment = c;
      if (t.sets.has(nm)) ctx.add(item, ptr, 'DUPLICATE', `set ${nm} listed twice in table ${tableKey(t)}`);
      else t.sets.set(nm, s);
    }
  }
  const diagnostics = position(text, ctx.pending);
  if (ctx.dropped > 0)
    diagnostics.push(diag('SYNTAX', `${ctx.dropped} more problems not listed`, 0, 0, 'warning'));
  return { value: rs, diagnostics };
}
