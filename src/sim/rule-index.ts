/**
 * @module sim/rule-index
 * A lookup index over the long, flat chains kube-proxy writes (KUBE-SERVICES,
 * KUBE-NODEPORTS, KUBE-EXTERNAL-SERVICES, KUBE-FW-...): a rule of the form
 * `[-d IP/32] -p P ... -m P --dport N ... -j X` can only match a packet whose protocol is P,
 * destination port N and (if given) destination IP. Such rules, when they stand in runs, form
 * an indexed segment; every other rule keeps its own position in a linear segment, so the
 * first rule that matches is still the one the kernel would pick.
 *
 * The index is only a filter: the evaluator still runs every candidate rule in full. A rule
 * is indexed only when nothing before its port match can have an effect (a `statistic`
 * draw, a `recent`/`limit` note, an `unknown` answer), so skipping it changes nothing —
 * not even the choice points the explorer sees. Built lazily, once per chain object.
 */
import type { Chain, Match, Rule } from '../model/iptables.js';
import type { Packet } from './types.js';
import { ipToInt } from '../util/ipv4.js';

/** Chains shorter than this are evaluated linearly (an index would not pay for itself). */
export const MIN_INDEXED_CHAIN = 8;
/** Shortest run of indexable rules that becomes an indexed segment. */
export const MIN_RUN = 4;

export interface IndexedSegment {
  /** first rule index (inclusive) and end (exclusive) */
  from: number;
  to: number;
  /** `portKey(proto, port)` -> destination (-1: any) -> ascending rule positions */
  byPort: Map<number, Map<number, number[]>>;
}

export interface ChainIndex {
  /** indexed segments in chain order; positions outside them are linear */
  segments: IndexedSegment[];
  /** position -> segment number, or -1 when the rule is evaluated linearly */
  segmentAt: Int32Array;
}

/** A packet's lookup key: protocol and port in one number, and its destination. */
export interface PacketKey {
  port: number;
  /** the destination as an integer, -1 when it is not IPv4 */
  dst: number;
}

const PROTO_CODE: Record<string, number> = { tcp: 1, udp: 2, sctp: 3 };

function portKey(proto: string, port: number): number {
  return port * 4 + (PROTO_CODE[proto] ?? 0);
}

const PROTO_NAME: Record<string, string> = { '6': 'tcp', '17': 'udp', '132': 'sctp' };

/** Matches that are pure (no choice, no note) and never answer `unknown`. */
function pureMatch(m: Match): boolean {
  switch (m.m) {
    case 'comment':
    case 'nfacct':
    case 'tcp':
    case 'udp':
    case 'sctp':
    case 'multiport':
    case 'mark':
    case 'connmark':
    case 'state':
    case 'addrtype':
    case 'physdev':
    case 'pkttype':
    case 'iprange':
      return true;
    case 'conntrack':
      return !(m.ctorigdst || m.ctorigsrc || m.ctorigdstport || m.ctreplsrc);
    default:
      return false;
  }
}

/** The index key of a rule (`proto/port/dst` or `proto/port/*`), or undefined when the rule is not indexable. */
export function ruleKey(r: Rule): string | undefined {
  const k = ruleKeyParts(r);
  return k && `${k.proto}/${k.port}/${k.dst < 0 ? '*' : k.dst}`;
}

function ruleKeyParts(r: Rule): { proto: string; port: number; dst: number } | undefined {
  if (!r.proto || r.proto.neg) return undefined;
  const proto = PROTO_NAME[r.proto.value] ?? r.proto.value;
  if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') return undefined;
  let dst = -1;
  if (r.dst) {
    if (r.dst.neg || r.dst.value.len !== 32) return undefined;
    const a = ipToInt(r.dst.value.addr);
    if (a === undefined) return undefined;
    dst = a;
  }
  for (const m of r.matches) {
    if (m.m === proto && m.dport && !m.dport.neg && m.dport.value.from === m.dport.value.to)
      return { proto, port: m.dport.value.from, dst };
    if (!pureMatch(m)) return undefined;
  }
  return undefined;
}

const cache = new WeakMap<Chain, ChainIndex | null>();

/** The chain's index (built on first use), or null when the chain is evaluated linearly. */
export function chainIndex(chain: Chain): ChainIndex | null {
  let ix = cache.get(chain);
  if (ix !== undefined) return ix;
  ix = chain.rules.length < MIN_INDEXED_CHAIN ? null : buildChainIndex(chain.rules);
  cache.set(chain, ix);
  return ix;
}

export function buildChainIndex(rules: readonly Rule[], minRun = MIN_RUN): ChainIndex | null {
  const keys = rules.map(ruleKeyParts);
  const segments: IndexedSegment[] = [];
  const segmentAt = new Int32Array(rules.length).fill(-1);
  let i = 0;
  while (i < keys.length) {
    if (keys[i] === undefined) {
      i++;
      continue;
    }
    let j = i;
    while (j < keys.length && keys[j] !== undefined) j++;
    if (j - i >= minRun) {
      const byPort = new Map<number, Map<number, number[]>>();
      for (let k = i; k < j; k++) {
        const key = keys[k]!;
        const pk = portKey(key.proto, key.port);
        let byDst = byPort.get(pk);
        if (!byDst) byPort.set(pk, (byDst = new Map()));
        const list = byDst.get(key.dst);
        if (list) list.push(k);
        else byDst.set(key.dst, [k]);
      }
      segmentAt.fill(segments.length, i, j);
      segments.push({ from: i, to: j, byPort });
    }
    i = j;
  }
  return segments.length ? { segments, segmentAt } : null;
}

/** The packet's lookup key; undefined for a packet without ports (it matches no indexed rule). */
export function packetKey(p: Packet): PacketKey | undefined {
  if (p.proto !== 'tcp' && p.proto !== 'udp') return undefined;
  return { port: portKey(p.proto, p.dport), dst: ipToInt(p.dst) ?? -1 };
}

function firstAtOrAfter(list: number[] | undefined, pos: number): number {
  if (!list) return Infinity;
  let lo = 0,
    hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! < pos) lo = mid + 1;
    else hi = mid;
  }
  return lo < list.length ? list[lo]! : Infinity;
}

/**
 * Where evaluation goes on from position `pos`: `pos` itself when it is linear or a
 * candidate, else the next candidate in the same indexed segment, else the segment's end.
 */
export function nextPosition(ix: ChainIndex, key: PacketKey | undefined, pos: number): number {
  if (pos >= ix.segmentAt.length) return pos;
  const s = ix.segmentAt[pos]!;
  if (s < 0) return pos;
  const seg = ix.segments[s]!;
  const byDst = key && seg.byPort.get(key.port);
  if (!byDst) return seg.to;
  const exact = key.dst >= 0 ? firstAtOrAfter(byDst.get(key.dst), pos) : Infinity;
  const n = Math.min(exact, firstAtOrAfter(byDst.get(-1), pos));
  return n === Infinity ? seg.to : n;
}
