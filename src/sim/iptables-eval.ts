/**
 * @module sim/iptables-eval
 * Evaluates one table of an iptables rule set at one hook, as `ipt_do_table` does: rules
 * in order, jumps and gotos on a stack, RETURN, built-in chain policies; non-terminating
 * targets (MARK, LOG, CONNMARK, CT) change the packet and go on. A match the model does
 * not know makes the verdict `UNKNOWN` at that rule — never a guess.
 */
import type {
  Cidr,
  Match,
  Negatable,
  PortRange,
  Rule,
  Ruleset,
  TableName,
  Target,
} from '../model/iptables.js';
import type { CtState } from './conntrack.js';
import type { Packet } from './types.js';
import type { Choose } from './explore.js';
import { ipToInt, inPrefix } from '../util/ipv4.js';
import { chainIndex, nextPosition, packetKey, type ChainIndex, type PacketKey } from './rule-index.js';

export type Hook = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING';

export interface MatchEnv {
  hook: Hook;
  inDev?: string;
  outDev?: string;
  physIn?: string;
  physOut?: string;
  /** a bridged (not routed) frame seen through br_netfilter */
  bridged: boolean;
  ctState: CtState;
  ctDnat: boolean;
  ctSnat: boolean;
  ctDir: 'ORIGINAL' | 'REPLY';
  ctMark: number;
  /** address type of an IPv4 address in this namespace (fib lookup of RTN_*) */
  addrType(ip: string): string;
  choose: Choose;
  notes: string[];
  /** ipset membership (`-m set`): true/false, or why it is unknown */
  ipset?: (name: string, flags: ('src' | 'dst')[], p: Packet) => boolean | string;
  /**
   * Is the client in `-m recent` list `name` (ClientIP session affinity)? undefined: not
   * known, the client is taken as new (and a note says so).
   */
  recent?: (name: string) => boolean | undefined;
}

export type EvalVerdict =
  | { v: 'ACCEPT' | 'DROP' | 'QUEUE'; rule?: Rule; chain: string; policy?: boolean }
  | { v: 'REJECT'; with: string; rule: Rule; chain: string }
  | { v: 'DNAT' | 'SNAT' | 'MASQUERADE' | 'REDIRECT'; target: Target; rule: Rule; chain: string }
  | { v: 'UNKNOWN'; rule: Rule; chain: string; why: string };

export interface EvalResult {
  verdict: EvalVerdict;
  /** non-terminating rules that changed something (MARK ...), and jumps taken */
  trail: { rule: Rule; chain: string }[];
  notrack: boolean;
}

const cidrCache = new WeakMap<Cidr, { a: number; len: number } | null>();
function cidrMatch(c: Cidr, ip: string): boolean | undefined {
  let e = cidrCache.get(c);
  if (e === undefined) {
    const a = ipToInt(c.addr);
    e = a === undefined ? null : { a, len: c.len };
    cidrCache.set(c, e);
  }
  if (e === null) return undefined;
  const i = ipToInt(ip);
  if (i === undefined) return undefined;
  return inPrefix(i, e.a, e.len);
}

function ifaceMatch(pattern: string, dev: string | undefined): boolean {
  if (dev === undefined) return false;
  if (pattern.endsWith('+')) return dev.startsWith(pattern.slice(0, -1));
  return pattern === dev;
}

function neg<T>(n: Negatable<T>, r: boolean): boolean {
  return n.neg ? !r : r;
}

function inRange(r: PortRange, p: number): boolean {
  return p >= r.from && p <= r.to;
}

const PROTO_NUM: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp' };

type Tri = boolean | { unknown: string };

function matchOne(m: Match, p: Packet, env: MatchEnv): Tri {
  switch (m.m) {
    case 'tcp':
    case 'udp':
    case 'sctp': {
      if (p.proto !== m.m) return false;
      if (m.sport && !neg(m.sport, inRange(m.sport.value, p.sport))) return false;
      if (m.dport && !neg(m.dport, inRange(m.dport.value, p.dport))) return false;
      if (m.tcpFlags) {
        const set = new Set<string>();
        if (p.flags.includes('S')) set.add('SYN');
        if (p.flags.includes('.')) set.add('ACK');
        if (p.flags.includes('R')) set.add('RST');
        const mask = m.tcpFlags.value.mask.map((f) => f.toUpperCase());
        const comp = new Set(m.tcpFlags.value.comp.map((f) => f.toUpperCase()));
        const all = mask.includes('ALL') ? ['SYN', 'ACK', 'RST', 'FIN', 'PSH', 'URG'] : mask;
        const ok = all.every((f) => set.has(f) === (comp.has(f) || (comp.has('ALL') && true)));
        if (!neg(m.tcpFlags, ok)) return false;
      }
      return true;
    }
    case 'multiport': {
      if (p.proto !== 'tcp' && p.proto !== 'udp') return false;
      if (
        m.dports &&
        !neg(
          m.dports,
          m.dports.value.some((r) => inRange(r, p.dport)),
        )
      )
        return false;
      if (
        m.sports &&
        !neg(
          m.sports,
          m.sports.value.some((r) => inRange(r, p.sport)),
        )
      )
        return false;
      if (
        m.ports &&
        !neg(
          m.ports,
          m.ports.value.some((r) => inRange(r, p.dport) || inRange(r, p.sport)),
        )
      )
        return false;
      return true;
    }
    case 'comment':
    case 'nfacct':
      return true;
    case 'limit':
      env.notes.push('a -m limit rule was assumed to be under its rate');
      return true;
    case 'conntrack': {
      if (m.ctstate) {
        const states = m.ctstate.value;
        const has =
          states.includes(env.ctState as never) ||
          (states.includes('DNAT') && env.ctDnat) ||
          (states.includes('SNAT') && env.ctSnat);
        if (!neg(m.ctstate, has)) return false;
      }
      if (m.ctstatus) {
        const st = m.ctstatus.value.map((s) => s.toUpperCase());
        const has = st.some(
          (s) =>
            (s === 'DNAT' && env.ctDnat) ||
            (s === 'SNAT' && env.ctSnat) ||
            (s === 'SEEN_REPLY' && env.ctState === 'ESTABLISHED') ||
            (s === 'CONFIRMED' && env.ctState !== 'NEW'),
        );
        if (!neg(m.ctstatus, has)) return false;
      }
      if (m.ctdir) {
        if (m.ctdir !== env.ctDir) return false;
      }
      if (m.ctorigdst || m.ctorigsrc || m.ctorigdstport || m.ctreplsrc)
        return { unknown: 'conntrack --ctorig*/--ctrepl* match' };
      return true;
    }
    case 'state': {
      const has = m.state.value.includes(env.ctState as never);
      return neg(m.state, has);
    }
    case 'mark':
      return neg(m.mark, (p.mark & m.mark.value.mask) >>> 0 === m.mark.value.value >>> 0);
    case 'connmark':
      return neg(m.mark, (env.ctMark & m.mark.value.mask) >>> 0 === m.mark.value.value >>> 0);
    case 'addrtype': {
      if (m.srcType && !neg(m.srcType, m.srcType.value.includes(env.addrType(p.src) as never))) return false;
      if (m.dstType && !neg(m.dstType, m.dstType.value.includes(env.addrType(p.dst) as never))) return false;
      return true;
    }
    case 'statistic': {
      if (m.mode === 'random') {
        const pr = m.neg ? 1 - m.probability : m.probability;
        const i = env.choose([
          { label: `statistic ${m.probability}: match`, p: pr },
          { label: `statistic ${m.probability}: no match`, p: 1 - pr },
        ]);
        return i === 0;
      }
      return { unknown: 'statistic --mode nth (depends on packet count)' };
    }
    case 'physdev': {
      if (m.physdevIn && !neg(m.physdevIn, ifaceMatch(m.physdevIn.value, env.physIn))) return false;
      if (m.physdevOut && !neg(m.physdevOut, ifaceMatch(m.physdevOut.value, env.physOut))) return false;
      if (m.isIn && !neg(m.isIn, env.physIn !== undefined)) return false;
      if (m.isOut && !neg(m.isOut, env.physOut !== undefined)) return false;
      if (m.isBridged && !neg(m.isBridged, env.bridged)) return false;
      return true;
    }
    case 'recent': {
      if (m.action === 'set') return !m.neg;
      if (m.action === 'remove') return m.neg;
      const pinned = env.recent?.(m.name);
      if (pinned !== undefined) {
        if (pinned) env.notes.push(`-m recent --name ${m.name}: a returning client, pinned by this list`);
        return m.neg ? !pinned : pinned;
      }
      env.notes.push(`-m recent --name ${m.name}: assumed a new client (no affinity entry yet)`);
      return m.neg;
    }
    case 'icmp':
    case 'icmp6':
      if (p.proto !== 'icmp') return false;
      if (!m.type || m.type.value === 'any') return true;
      return { unknown: `icmp type ${m.type.value}` };
    case 'pkttype':
      return neg(m.type, m.type.value === 'unicast');
    case 'mac':
      if (!p.srcMac) return { unknown: 'mac source unknown' };
      return neg(m.source, m.source.value.toLowerCase() === p.srcMac.toLowerCase());
    case 'iprange': {
      const within = (ip: string, r: [string, string]) => {
        const i = ipToInt(ip)!,
          a = ipToInt(r[0])!,
          b = ipToInt(r[1])!;
        return i >= a && i <= b;
      };
      if (m.srcRange && !neg(m.srcRange, within(p.src, m.srcRange.value))) return false;
      if (m.dstRange && !neg(m.dstRange, within(p.dst, m.dstRange.value))) return false;
      return true;
    }
    case 'set': {
      const r = env.ipset?.(m.setName.value, m.flags, p) ?? `ipset ${m.setName.value}: no ipset data`;
      return typeof r === 'string' ? { unknown: r } : neg(m.setName, r);
    }
    case 'unsupported':
      return { unknown: `unsupported match -m ${m.module}` };
  }
  return { unknown: 'unknown match' };
}

/** Does the rule match the packet? */
export function ruleMatches(r: Rule, p: Packet, env: MatchEnv): Tri {
  if (r.proto) {
    const pr = PROTO_NUM[r.proto.value] ?? r.proto.value.toLowerCase();
    const eq = pr === 'all' || pr === '0' || pr === p.proto;
    if (!neg(r.proto, eq)) return false;
  }
  if (r.src) {
    const x = cidrMatch(r.src.value, p.src);
    if (x === undefined) return false;
    if (!neg(r.src, x)) return false;
  }
  if (r.dst) {
    const x = cidrMatch(r.dst.value, p.dst);
    if (x === undefined) return false;
    if (!neg(r.dst, x)) return false;
  }
  if (r.inIface && !neg(r.inIface, ifaceMatch(r.inIface.value, env.inDev))) return false;
  if (r.outIface && !neg(r.outIface, ifaceMatch(r.outIface.value, env.outDev))) return false;
  if (r.fragment && !neg(r.fragment, false)) return false;
  for (const m of r.matches) {
    const x = matchOne(m, p, env);
    if (x !== true) return x;
  }
  return true;
}

const BUILTIN: Record<TableName, Hook[]> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};

export function tableHasHook(table: TableName, hook: Hook): boolean {
  return BUILTIN[table].includes(hook);
}

export interface EvalOptions {
  /** skip to candidate rules through sim/rule-index (default true; false = plain linear scan) */
  index?: boolean;
}

/**
 * ipt_do_table: evaluate `table` at `hook`. Returns undefined when the table/chain is absent.
 * Long chains are looked up through sim/rule-index; the result is the linear scan's.
 */
export function evalTable(
  rs: Ruleset,
  table: TableName,
  hook: Hook,
  p: Packet,
  env: MatchEnv,
  opts: EvalOptions = {},
): EvalResult | undefined {
  const t = rs.tables[table];
  const base = t?.chains[hook];
  if (!t || !base) return undefined;
  const trail: { rule: Rule; chain: string }[] = [];
  let notrack = false;
  const stack: { chain: string; i: number }[] = [];
  let chain = base;
  let i = 0;
  let steps = 0;
  const useIndex = opts.index !== false;
  // the index of the current chain; a NAT target ends the table, so the packet key stays fixed
  let ix: ChainIndex | null = useIndex ? chainIndex(chain) : null;
  let ixOf = chain;
  let key: PacketKey | undefined;
  let keyed = false;
  for (;;) {
    if (useIndex && ixOf !== chain) {
      ix = chainIndex(chain);
      ixOf = chain;
    }
    if (ix && i < chain.rules.length) {
      if (!keyed) {
        key = packetKey(p);
        keyed = true;
      }
      i = nextPosition(ix, key, i);
    }
    if (++steps > 1_000_000)
      return {
        verdict: { v: 'UNKNOWN', rule: chain.rules[0]!, chain: chain.name, why: 'rule loop' },
        trail,
        notrack,
      };
    if (i >= chain.rules.length) {
      if (chain.builtin || stack.length === 0) {
        return {
          verdict: { v: chain.policy === 'DROP' ? 'DROP' : 'ACCEPT', chain: chain.name, policy: true },
          trail,
          notrack,
        };
      }
      const back = stack.pop()!;
      chain = t.chains[back.chain]!;
      i = back.i;
      continue;
    }
    const rule = chain.rules[i]!;
    i++;
    const m = ruleMatches(rule, p, env);
    if (m === false) continue;
    if (m !== true)
      return { verdict: { v: 'UNKNOWN', rule, chain: chain.name, why: m.unknown }, trail, notrack };
    const tg = rule.target;
    if (!tg) continue;
    switch (tg.t) {
      case 'ACCEPT':
      case 'DROP':
      case 'QUEUE':
        return { verdict: { v: tg.t, rule, chain: chain.name }, trail, notrack };
      case 'RETURN': {
        if (stack.length === 0) {
          return {
            verdict: { v: base.policy === 'DROP' ? 'DROP' : 'ACCEPT', chain: base.name, policy: true },
            trail,
            notrack,
          };
        }
        const back = stack.pop()!;
        chain = t.chains[back.chain]!;
        i = back.i;
        continue;
      }
      case 'jump':
      case 'goto': {
        const next = t.chains[tg.chain];
        if (!next)
          return {
            verdict: { v: 'UNKNOWN', rule, chain: chain.name, why: `chain ${tg.chain} is not defined` },
            trail,
            notrack,
          };
        trail.push({ rule, chain: chain.name });
        if (tg.t === 'jump') stack.push({ chain: chain.name, i });
        chain = next;
        i = 0;
        continue;
      }
      case 'REJECT':
        return {
          verdict: { v: 'REJECT', with: tg.with || 'icmp-port-unreachable', rule, chain: chain.name },
          trail,
          notrack,
        };
      case 'DNAT':
      case 'SNAT':
      case 'MASQUERADE':
      case 'REDIRECT':
        return { verdict: { v: tg.t, target: tg, rule, chain: chain.name }, trail, notrack };
      case 'MARK':
        p.mark = ((p.mark & ~tg.op.mask) ^ tg.op.value) >>> 0;
        trail.push({ rule, chain: chain.name });
        continue;
      case 'CONNMARK':
        trail.push({ rule, chain: chain.name });
        continue;
      case 'NOTRACK':
        notrack = true;
        continue;
      case 'CT':
        if (tg.notrack) notrack = true;
        continue;
      case 'LOG':
      case 'NFLOG':
      case 'TRACE':
      case 'CHECKSUM':
      case 'TCPMSS':
        continue;
      case 'NFQUEUE':
        return {
          verdict: { v: 'UNKNOWN', rule, chain: chain.name, why: 'NFQUEUE hands the packet to user space' },
          trail,
          notrack,
        };
      case 'unsupported':
        return {
          verdict: { v: 'UNKNOWN', rule, chain: chain.name, why: `unsupported target ${tg.target}` },
          trail,
          notrack,
        };
    }
  }
}
