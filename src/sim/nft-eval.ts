/**
 * @module sim/nft-eval
 * Evaluates one nftables base chain for one packet, as `nft_do_chain` does: rules in order,
 * each a list of statements that run until one does not match (NFT_BREAK) or gives a
 * verdict; jump pushes a return point, goto does not, return (or the end of a regular
 * chain) goes back, the end of the base chain applies its policy. Payload, meta, ct and
 * fib expressions, anonymous and named sets (concatenations, prefixes, ranges), verdict
 * maps, `numgen random` (every value a choice with its exact probability through the same
 * `choose` as iptables' `statistic`), mark and ct mark, NAT statements and notrack are
 * modelled; anything else makes the verdict UNKNOWN at that rule, with why.
 */
import type { NftChain, NftJson, NftRule, NftSet, NftTable } from '../model/nft.js';
import type { Target } from '../model/iptables.js';
import type { Packet } from './types.js';
import type { MatchEnv } from './iptables-eval.js';
import { ipToInt, maskOf } from '../util/ipv4.js';

export type NftVerdict =
  | { v: 'ACCEPT' | 'DROP'; rule?: NftRule; chain: string; policy?: boolean }
  | { v: 'REJECT'; with: string; rule: NftRule; chain: string }
  | { v: 'DNAT' | 'SNAT' | 'MASQUERADE' | 'REDIRECT'; target: Target; rule: NftRule; chain: string }
  | { v: 'UNKNOWN'; rule?: NftRule; chain: string; why: string };

export interface NftTrailEntry {
  rule: NftRule;
  chain: string;
  what: 'jump' | 'goto' | 'mark' | 'ct mark';
  /** jump/goto: the chain entered */
  target?: string;
}

export interface NftEvalResult {
  verdict: NftVerdict;
  trail: NftTrailEntry[];
  notrack: boolean;
  /** `ct mark set`: the new mark of the connection */
  ctMark?: number;
}

type Obj = { [key: string]: NftJson };
const isObj = (v: NftJson | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** how literals on the other side of a comparison are read */
type Kind = 'ipv4' | 'int' | 'proto' | 'ether' | 'str' | 'flags' | 'nfproto';

type Val =
  | { t: 'int'; v: number }
  | { t: 'str'; v: string }
  | { t: 'flags'; v: Set<string> }
  | { t: 'tuple'; v: Val[] };

interface Typed {
  val: Val;
  kinds: Kind[];
}

class Unknown {
  readonly why: string;
  constructor(why: string) {
    this.why = why;
  }
}
/** the expression does not apply to this packet (e.g. `tcp dport` of a UDP datagram): NFT_BREAK */
const ABSENT = Symbol('absent');

type Pattern =
  | { p: 'range'; lo: number; hi: number }
  | { p: 'str'; v: string; glob: boolean }
  | { p: 'flags'; v: Set<string> }
  | { p: 'tuple'; v: Pattern[] };

const PROTO: Record<string, number> = {
  icmp: 1,
  igmp: 2,
  tcp: 6,
  udp: 17,
  gre: 47,
  esp: 50,
  sctp: 132,
  icmpv6: 58,
};
const PROTO_OF: Record<Packet['proto'], number> = { tcp: 6, udp: 17, icmp: 1 };

interface Env extends MatchEnv {
  /** mark set by an earlier `ct mark set` of this evaluation */
  ctMarkNow: number;
}

function ctStateFlags(env: MatchEnv): Set<string> {
  return new Set([env.ctState.toLowerCase()]);
}

function ctStatusFlags(env: MatchEnv): Set<string> {
  const s = new Set<string>();
  if (env.ctDnat) s.add('dnat');
  if (env.ctSnat) s.add('snat');
  if (env.ctState === 'ESTABLISHED') s.add('seen-reply');
  if (env.ctState !== 'NEW' && env.ctState !== 'UNTRACKED' && env.ctState !== 'INVALID') s.add('confirmed');
  return s;
}

/** The value of an expression for this packet. */
function evalExpr(e: NftJson, p: Packet, env: Env): Typed | Unknown | typeof ABSENT {
  if (typeof e === 'number') return { val: { t: 'int', v: e }, kinds: ['int'] };
  if (!isObj(e)) return new Unknown(`expression ${JSON.stringify(e)}`);
  const k = Object.keys(e)[0] ?? '';
  const a = e[k];
  const o = isObj(a) ? a : {};
  switch (k) {
    case 'payload': {
      const proto = String(o.protocol ?? '');
      const field = String(o.field ?? '');
      if (proto === 'ip') {
        if (field === 'saddr' || field === 'daddr') {
          const n = ipToInt(field === 'saddr' ? p.src : p.dst);
          return n === undefined ? ABSENT : { val: { t: 'int', v: n }, kinds: ['ipv4'] };
        }
        if (field === 'protocol') return { val: { t: 'int', v: PROTO_OF[p.proto] }, kinds: ['proto'] };
        if (field === 'ttl') return { val: { t: 'int', v: p.ttl }, kinds: ['int'] };
        return new Unknown(`ip ${field}`);
      }
      if (proto === 'ip6' || proto === 'arp' || proto === 'icmpv6') return ABSENT; // an IPv4 packet
      if (proto === 'th' || proto === 'tcp' || proto === 'udp' || proto === 'sctp') {
        if (proto !== 'th' && proto !== p.proto) return ABSENT;
        if (p.proto === 'icmp') return ABSENT;
        if (field === 'sport') return { val: { t: 'int', v: p.sport }, kinds: ['int'] };
        if (field === 'dport') return { val: { t: 'int', v: p.dport }, kinds: ['int'] };
        return new Unknown(`${proto} ${field}`);
      }
      if (proto === 'icmp') {
        if (p.proto !== 'icmp') return ABSENT;
        return new Unknown(`icmp ${field}`);
      }
      return new Unknown(`payload ${proto} ${field}`);
    }
    case 'meta': {
      const key = String(o.key ?? '');
      switch (key) {
        case 'l4proto':
          return { val: { t: 'int', v: PROTO_OF[p.proto] }, kinds: ['proto'] };
        case 'protocol':
          return { val: { t: 'int', v: 0x0800 }, kinds: ['ether'] };
        case 'nfproto':
          return { val: { t: 'int', v: 2 }, kinds: ['nfproto'] };
        case 'mark':
          return { val: { t: 'int', v: p.mark >>> 0 }, kinds: ['int'] };
        case 'iifname':
        case 'iif':
          return { val: { t: 'str', v: env.inDev ?? '' }, kinds: ['str'] };
        case 'oifname':
        case 'oif':
          return { val: { t: 'str', v: env.outDev ?? '' }, kinds: ['str'] };
        case 'pkttype':
          return { val: { t: 'str', v: 'host' }, kinds: ['str'] };
        default:
          return new Unknown(`meta ${key}`);
      }
    }
    case 'ct': {
      const key = String(o.key ?? '');
      if (o.dir !== undefined) return new Unknown(`ct ${String(o.dir)} ${key}`);
      if (key === 'state') return { val: { t: 'flags', v: ctStateFlags(env) }, kinds: ['flags'] };
      if (key === 'status') return { val: { t: 'flags', v: ctStatusFlags(env) }, kinds: ['flags'] };
      if (key === 'mark') return { val: { t: 'int', v: env.ctMarkNow >>> 0 }, kinds: ['int'] };
      if (key === 'direction') return { val: { t: 'str', v: env.ctDir.toLowerCase() }, kinds: ['str'] };
      return new Unknown(`ct ${key}`);
    }
    case 'fib': {
      const flags = Array.isArray(o.flags) ? o.flags.map(String) : [String(o.flags ?? '')];
      if (o.result !== 'type' || flags.length !== 1 || (flags[0] !== 'daddr' && flags[0] !== 'saddr'))
        return new Unknown(`fib ${flags.join(' . ')} ${String(o.result)}`);
      const t = env.addrType(flags[0] === 'daddr' ? p.dst : p.src).toLowerCase();
      return { val: { t: 'str', v: t }, kinds: ['str'] };
    }
    case 'numgen': {
      if (o.mode !== 'random') return new Unknown(`numgen ${String(o.mode)} (depends on the packet count)`);
      const mod = Number(o.mod);
      const off = Number(o.offset ?? 0);
      if (!Number.isInteger(mod) || mod < 1 || mod > 65536) return new Unknown(`numgen mod ${String(o.mod)}`);
      const options = Array.from({ length: mod }, (_, i) => ({
        label: `numgen random mod ${mod}: ${i + off}`,
        p: 1 / mod,
      }));
      const i = env.choose(options);
      return { val: { t: 'int', v: i + off }, kinds: ['int'] };
    }
    case 'concat': {
      if (!Array.isArray(a)) return new Unknown('concat');
      const vals: Val[] = [];
      const kinds: Kind[] = [];
      for (const x of a) {
        const r = evalExpr(x, p, env);
        if (r === ABSENT || r instanceof Unknown) return r;
        vals.push(r.val);
        kinds.push(...r.kinds);
      }
      return { val: { t: 'tuple', v: vals }, kinds };
    }
    case '&':
    case '|':
    case '^': {
      if (!Array.isArray(a) || a.length !== 2) return new Unknown(`binary ${k}`);
      const l = evalExpr(a[0]!, p, env);
      const r = evalExpr(a[1]!, p, env);
      if (l === ABSENT || l instanceof Unknown) return l;
      if (r === ABSENT || r instanceof Unknown) return r;
      if (l.val.t !== 'int' || r.val.t !== 'int') return new Unknown(`binary ${k} of non-numbers`);
      const x = l.val.v,
        y = r.val.v;
      const v = k === '&' ? x & y : k === '|' ? x | y : x ^ y;
      return { val: { t: 'int', v: v >>> 0 }, kinds: ['int'] };
    }
    default:
      return new Unknown(`expression ${k}`);
  }
}

/** Reads a literal (or prefix, range, concatenation) as a pattern for values of `kinds`. */
function pattern(lit: NftJson, kinds: Kind[]): Pattern | Unknown {
  if (kinds.length > 1) {
    const parts = isObj(lit) && Array.isArray(lit.concat) ? lit.concat : undefined;
    if (!parts || parts.length !== kinds.length)
      return new Unknown(`element ${JSON.stringify(lit)} for a concatenation`);
    const v: Pattern[] = [];
    for (let i = 0; i < parts.length; i++) {
      const x = pattern(parts[i]!, [kinds[i]!]);
      if (x instanceof Unknown) return x;
      v.push(x);
    }
    return { p: 'tuple', v };
  }
  const kind = kinds[0]!;
  if (isObj(lit)) {
    if (isObj(lit.prefix) && kind === 'ipv4') {
      const a = ipToInt(String(lit.prefix.addr));
      const len = Number(lit.prefix.len);
      if (a === undefined || !Number.isInteger(len) || len < 0 || len > 32)
        return new Unknown(`prefix ${JSON.stringify(lit)}`);
      const lo = (a & maskOf(len)) >>> 0;
      return { p: 'range', lo, hi: (lo | ~maskOf(len)) >>> 0 };
    }
    if (Array.isArray(lit.range) && lit.range.length === 2) {
      const lo = pattern(lit.range[0]!, kinds);
      const hi = pattern(lit.range[1]!, kinds);
      if (lo instanceof Unknown) return lo;
      if (hi instanceof Unknown) return hi;
      if (lo.p !== 'range' || hi.p !== 'range') return new Unknown(`range ${JSON.stringify(lit)}`);
      return { p: 'range', lo: lo.lo, hi: hi.hi };
    }
    return new Unknown(`value ${JSON.stringify(lit)}`);
  }
  if (kind === 'flags') {
    const names = Array.isArray(lit) ? lit.map(String) : [String(lit)];
    return { p: 'flags', v: new Set(names) };
  }
  if (kind === 'str') {
    if (typeof lit !== 'string') return new Unknown(`value ${JSON.stringify(lit)}`);
    const glob = lit.endsWith('*') && !lit.endsWith('\\*');
    return { p: 'str', v: glob ? lit.slice(0, -1) : lit.replace(/\\\*$/, '*'), glob };
  }
  let n: number | undefined;
  if (typeof lit === 'number') n = lit;
  else if (typeof lit === 'string') {
    if (kind === 'ipv4') n = ipToInt(lit);
    else if (kind === 'proto') n = PROTO[lit];
    else if (kind === 'ether')
      n = lit === 'ip' ? 0x0800 : lit === 'ip6' ? 0x86dd : lit === 'arp' ? 0x0806 : undefined;
    else if (kind === 'nfproto') n = lit === 'ipv4' ? 2 : lit === 'ipv6' ? 10 : undefined;
    else if (/^(0x[0-9a-f]+|\d+)$/i.test(lit)) n = Number(lit);
  }
  if (n === undefined || !Number.isFinite(n)) return new Unknown(`value ${JSON.stringify(lit)}`);
  return { p: 'range', lo: n >>> 0, hi: n >>> 0 };
}

function matches(v: Val, pt: Pattern): boolean {
  switch (pt.p) {
    case 'range':
      return v.t === 'int' && v.v >= pt.lo && v.v <= pt.hi;
    case 'str':
      return v.t === 'str' && (pt.glob ? v.v.startsWith(pt.v) : v.v === pt.v);
    case 'flags':
      return v.t === 'flags' && [...v.v].some((f) => pt.v.has(f));
    case 'tuple':
      return v.t === 'tuple' && v.v.length === pt.v.length && pt.v.every((x, i) => matches(v.v[i]!, x));
  }
}

/** exact key of a value or point pattern, for the hash index of big sets */
function valKey(v: Val): string {
  if (v.t === 'int') return String(v.v);
  if (v.t === 'str') return `s:${v.v}`;
  if (v.t === 'tuple') return v.v.map(valKey).join('|');
  return '';
}
function patKey(p: Pattern): string | undefined {
  if (p.p === 'range') return p.lo === p.hi ? String(p.lo) : undefined;
  if (p.p === 'str') return p.glob ? undefined : `s:${p.v}`;
  if (p.p === 'tuple') {
    const parts = p.v.map(patKey);
    return parts.every((x) => x !== undefined) ? parts.join('|') : undefined;
  }
  return undefined;
}

interface IndexedSet {
  /** exact keys -> element index (first wins) */
  exact: Map<string, number>;
  /** elements that are prefixes, ranges or globs */
  other: { i: number; pt: Pattern }[];
  bad?: string;
}

const setIndex = new WeakMap<NftSet | NftJson[], Map<string, IndexedSet>>();

function indexElements(owner: NftSet | NftJson[], keys: NftJson[], kinds: Kind[]): IndexedSet {
  let byKinds = setIndex.get(owner);
  if (!byKinds) {
    byKinds = new Map();
    setIndex.set(owner, byKinds);
  }
  const sig = kinds.join(',');
  const hit = byKinds.get(sig);
  if (hit) return hit;
  const ix: IndexedSet = { exact: new Map(), other: [] };
  keys.forEach((k, i) => {
    const pt = pattern(k, kinds);
    if (pt instanceof Unknown) {
      ix.bad ??= pt.why;
      return;
    }
    const key = patKey(pt);
    if (key !== undefined) {
      if (!ix.exact.has(key)) ix.exact.set(key, i);
    } else ix.other.push({ i, pt });
  });
  byKinds.set(sig, ix);
  return ix;
}

/** index of the element matching `v`, -1 for none */
function lookup(ix: IndexedSet, v: Val): number | Unknown {
  const e = ix.exact.get(valKey(v));
  if (e !== undefined) return e;
  for (const o of ix.other) if (matches(v, o.pt)) return o.i;
  if (ix.bad) return new Unknown(ix.bad);
  return -1;
}

interface ResolvedSet {
  owner: NftSet | NftJson[];
  keys: NftJson[];
  values?: NftJson[];
}

/** resolved sets by owner: a packet must not copy a 30k-element map (the index is cached the same way) */
const resolved = new WeakMap<NftSet | NftJson[], ResolvedSet>();

/** a set or map on the right of a match or vmap: named (`@name`) or anonymous */
function resolveSet(table: NftTable, ref: NftJson): ResolvedSet | Unknown | undefined {
  if (typeof ref === 'string' && ref.startsWith('@')) {
    const s = table.sets.get(ref.slice(1));
    if (!s) return new Unknown(`set ${ref} is not defined in table ${table.family} ${table.name}`);
    let r = resolved.get(s);
    if (!r || r.keys.length !== s.elements.length) {
      r = { owner: s, keys: s.elements.map((e) => e.key), values: s.elements.map((e) => e.value ?? null) };
      resolved.set(s, r);
    }
    return r;
  }
  if (isObj(ref) && Array.isArray(ref.set)) {
    const items = ref.set;
    const hit = resolved.get(items);
    if (hit) return hit;
    const isMap = items.every((x) => Array.isArray(x) && x.length === 2);
    const keys = items
      .map((x) => (isMap ? (x as NftJson[])[0]! : x))
      .map((k) => (isObj(k) && isObj(k.elem) ? (k.elem.val ?? null) : k));
    const r: ResolvedSet = isMap
      ? { owner: items, keys, values: items.map((x) => (x as NftJson[])[1]!) }
      : { owner: items, keys };
    resolved.set(items, r);
    return r;
  }
  return undefined;
}

type StmtResult =
  { r: 'next' } | { r: 'break' } | { r: 'unknown'; why: string } | { r: 'verdict'; verdict: NftJson };

function evalMatch(o: Obj, table: NftTable, p: Packet, env: Env): StmtResult {
  const left = evalExpr(o.left ?? null, p, env);
  if (left === ABSENT) return { r: 'break' };
  if (left instanceof Unknown) return { r: 'unknown', why: left.why };
  const op = String(o.op ?? '==');
  const right = o.right ?? null;
  let hit: boolean;
  const set = resolveSet(table, right);
  if (set instanceof Unknown) return { r: 'unknown', why: set.why };
  if (set) {
    const found = lookup(indexElements(set.owner, set.keys, left.kinds), left.val);
    if (found instanceof Unknown) return { r: 'unknown', why: found.why };
    hit = found >= 0;
  } else {
    const pt = pattern(right, left.kinds);
    if (pt instanceof Unknown) return { r: 'unknown', why: pt.why };
    if (op === '<' || op === '>' || op === '<=' || op === '>=') {
      if (left.val.t !== 'int' || pt.p !== 'range') return { r: 'unknown', why: `${op} on a non-number` };
      const x = left.val.v;
      hit = op === '<' ? x < pt.lo : op === '>' ? x > pt.lo : op === '<=' ? x <= pt.lo : x >= pt.lo;
      return { r: hit ? 'next' : 'break' };
    }
    hit = matches(left.val, pt);
  }
  if (op === '!=') hit = !hit;
  return { r: hit ? 'next' : 'break' };
}

function evalVmap(o: Obj, table: NftTable, p: Packet, env: Env): StmtResult {
  const key = evalExpr(o.key ?? null, p, env);
  if (key === ABSENT) return { r: 'break' };
  if (key instanceof Unknown) return { r: 'unknown', why: key.why };
  const set = resolveSet(table, o.data ?? null);
  if (set instanceof Unknown) return { r: 'unknown', why: set.why };
  if (!set?.values) return { r: 'unknown', why: `vmap data ${JSON.stringify(o.data)}` };
  const found = lookup(indexElements(set.owner, set.keys, key.kinds), key.val);
  if (found instanceof Unknown) return { r: 'unknown', why: found.why };
  if (found < 0) return { r: 'break' };
  return { r: 'verdict', verdict: set.values[found]! };
}

/** value of a `mark set` right-hand side */
function evalValue(e: NftJson, p: Packet, env: Env): number | Unknown {
  const r = evalExpr(e, p, env);
  if (r === ABSENT) return new Unknown(`value ${JSON.stringify(e)} does not apply`);
  if (r instanceof Unknown) return r;
  return r.val.t === 'int' ? r.val.v : new Unknown(`value ${JSON.stringify(e)} is not a number`);
}

function rejectWith(a: NftJson): string {
  if (!isObj(a)) return 'icmp-port-unreachable';
  if (a.type === 'tcp reset') return 'tcp-reset';
  return `icmp-${String(a.expr ?? 'port-unreachable')}`;
}

function natTarget(k: string, o: Obj): Target | Unknown {
  const flags = Array.isArray(o.flags) ? o.flags.map(String) : o.flags !== undefined ? [String(o.flags)] : [];
  const random = flags.includes('random');
  const randomFully = flags.includes('fully-random');
  const persistent = flags.includes('persistent');
  let portFrom: number | undefined, portTo: number | undefined;
  if (typeof o.port === 'number') portFrom = portTo = o.port;
  else if (isObj(o.port) && Array.isArray(o.port.range)) {
    portFrom = Number(o.port.range[0]);
    portTo = Number(o.port.range[1]);
  } else if (o.port !== undefined) return new Unknown(`${k} port ${JSON.stringify(o.port)}`);
  if (k === 'masquerade')
    return {
      t: 'MASQUERADE',
      toPorts: portFrom !== undefined ? { from: portFrom, to: portTo! } : undefined,
      random,
      randomFully,
    };
  if (k === 'redirect')
    return {
      t: 'REDIRECT',
      toPorts: portFrom !== undefined ? { from: portFrom, to: portTo! } : undefined,
      random,
    };
  let addrFrom: string | undefined, addrTo: string | undefined;
  if (typeof o.addr === 'string' && ipToInt(o.addr) !== undefined) addrFrom = addrTo = o.addr;
  else if (isObj(o.addr) && Array.isArray(o.addr.range)) {
    addrFrom = String(o.addr.range[0]);
    addrTo = String(o.addr.range[1]);
  } else if (o.addr !== undefined)
    return new Unknown(`${k} to ${JSON.stringify(o.addr)} (an address computed by an expression or map)`);
  const to = { addrFrom, addrTo, portFrom, portTo };
  if (k === 'dnat') return { t: 'DNAT', to, random, persistent };
  return { t: 'SNAT', to, random, randomFully, persistent };
}

const JUMP_TARGETS = new WeakMap<object, NftChain | undefined>();

/** The chain a jump/goto statement names, resolved once per statement (tens of thousands of chains at scale). */
function jumpTarget(table: NftTable, va: object, target: string): NftChain | undefined {
  if (JUMP_TARGETS.has(va)) return JUMP_TARGETS.get(va);
  const c = table.chains.get(target);
  JUMP_TARGETS.set(va, c);
  return c;
}

/** nft_do_chain for the base chain `base` of `table`. */
export function evalNftChain(table: NftTable, base: NftChain, p: Packet, menv: MatchEnv): NftEvalResult {
  // menv is made for this call: extend it in place (a spread per chain was a hot spot at 10k Services)
  const env = Object.assign(menv, { ctMarkNow: menv.ctMark }) as Env;
  const trail: NftTrailEntry[] = [];
  let notrack = false;
  let ctMark: number | undefined;
  const done = (verdict: NftVerdict): NftEvalResult => {
    const r: NftEvalResult = { verdict, trail, notrack };
    if (ctMark !== undefined) r.ctMark = ctMark;
    return r;
  };
  const policy = (): NftEvalResult =>
    done({ v: base.base?.policy === 'drop' ? 'DROP' : 'ACCEPT', chain: base.name, policy: true });
  const stack: { chain: NftChain; i: number }[] = [];
  let chain = base;
  let i = 0;
  let steps = 0;
  for (;;) {
    if (++steps > 1_000_000) return done({ v: 'UNKNOWN', chain: chain.name, why: 'rule loop' });
    if (i >= chain.rules.length) {
      const back = stack.pop();
      if (!back) return policy();
      chain = back.chain;
      i = back.i;
      continue;
    }
    const rule = chain.rules[i]!;
    i++;
    let verdict: NftJson | undefined;
    let broke = false;
    for (const stmt of rule.expr) {
      const k = isObj(stmt) ? (Object.keys(stmt)[0] ?? '') : '';
      const a = isObj(stmt) ? (stmt[k] ?? null) : null;
      const o = isObj(a) ? a : {};
      let res: StmtResult;
      switch (k) {
        case 'match':
          res = evalMatch(o, table, p, env);
          break;
        case 'vmap':
          res = evalVmap(o, table, p, env);
          break;
        case 'accept':
        case 'drop':
        case 'continue':
        case 'return':
        case 'jump':
        case 'goto':
        case 'reject':
        case 'queue':
          res = { r: 'verdict', verdict: stmt };
          break;
        case 'counter':
        case 'log':
          res = { r: 'next' };
          break;
        case 'limit':
          menv.notes.push('an nft `limit` statement was assumed to be under its rate');
          res = { r: 'next' };
          break;
        case 'set':
          menv.notes.push(
            `nft \`${String(o.op)} ${String(o.set)}\` (a dynamic set update, e.g. session affinity) is not modelled: the set is taken as collected`,
          );
          res = { r: 'next' };
          break;
        case 'notrack':
          notrack = true;
          res = { r: 'next' };
          break;
        case 'mangle': {
          const key = isObj(o.key) ? o.key : {};
          const what = isObj(key.meta)
            ? `meta ${String(key.meta.key)}`
            : isObj(key.ct)
              ? `ct ${String(key.ct.key)}`
              : '';
          if (what !== 'meta mark' && what !== 'ct mark') {
            res = { r: 'unknown', why: `${what || JSON.stringify(o.key)} set` };
            break;
          }
          const v = evalValue(o.value ?? null, p, env);
          if (v instanceof Unknown) {
            res = { r: 'unknown', why: v.why };
            break;
          }
          if (what === 'meta mark') p.mark = v >>> 0;
          else ctMark = env.ctMarkNow = v >>> 0;
          trail.push({ rule, chain: chain.name, what: what === 'meta mark' ? 'mark' : 'ct mark' });
          res = { r: 'next' };
          break;
        }
        case 'dnat':
        case 'snat':
        case 'masquerade':
        case 'redirect': {
          const tg = natTarget(k, o);
          if (tg instanceof Unknown) return done({ v: 'UNKNOWN', rule, chain: chain.name, why: tg.why });
          return done({ v: tg.t as 'DNAT', target: tg, rule, chain: chain.name });
        }
        case 'xt':
          res = {
            r: 'unknown',
            why: `x_tables ${String(o.type)} ${String(o.name)} inside nf_tables (iptables-nft compat)`,
          };
          break;
        default:
          res = { r: 'unknown', why: `statement ${k || JSON.stringify(stmt)}` };
      }
      if (res.r === 'unknown') return done({ v: 'UNKNOWN', rule, chain: chain.name, why: res.why });
      if (res.r === 'break') {
        broke = true;
        break;
      }
      if (res.r === 'verdict') {
        verdict = res.verdict;
        break;
      }
    }
    if (broke || verdict === undefined) continue;
    const vk = isObj(verdict) ? (Object.keys(verdict)[0] ?? '') : '';
    const va = isObj(verdict) ? verdict[vk] : null;
    switch (vk) {
      case 'accept':
        return done({ v: 'ACCEPT', rule, chain: chain.name });
      case 'drop':
        return done({ v: 'DROP', rule, chain: chain.name });
      case 'reject':
        return done({ v: 'REJECT', with: rejectWith(va ?? null), rule, chain: chain.name });
      case 'continue':
        continue;
      case 'return': {
        const back = stack.pop();
        if (!back) return policy();
        chain = back.chain;
        i = back.i;
        continue;
      }
      case 'jump':
      case 'goto': {
        const target = isObj(va) ? String(va.target) : '';
        const next = isObj(va) ? jumpTarget(table, va, target) : undefined;
        if (!next)
          return done({
            v: 'UNKNOWN',
            rule,
            chain: chain.name,
            why: `chain ${target} is not defined in table ${table.family} ${table.name}`,
          });
        trail.push({ rule, chain: chain.name, what: vk, target });
        if (vk === 'jump') stack.push({ chain, i });
        chain = next;
        i = 0;
        continue;
      }
      case 'queue':
        return done({ v: 'UNKNOWN', rule, chain: chain.name, why: 'queue hands the packet to user space' });
      default:
        return done({ v: 'UNKNOWN', rule, chain: chain.name, why: `verdict ${JSON.stringify(verdict)}` });
    }
  }
}
