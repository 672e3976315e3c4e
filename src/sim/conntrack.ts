/**
 * @module sim/conntrack
 * Connection tracking of one namespace during a walk: `nf_conntrack_in` (lookup or a new
 * unconfirmed entry), NAT bindings (`nf_nat_setup_info`), `nf_nat_packet` manipulation by
 * hook, and `nf_confirm`.
 */
import type { Packet } from './types.js';

export interface Tuple {
  proto: string;
  src: string;
  dst: string;
  sport: number;
  dport: number;
}

export interface Conn {
  orig: Tuple;
  reply: Tuple;
  dnat: boolean;
  snat: boolean;
  seenReply: boolean;
  confirmed: boolean;
  /** NAT bindings already decided at this hook class (dst manip at PRE/OUT, src manip at POST/IN) */
  dstDone: boolean;
  srcDone: boolean;
  mark: number;
}

export type CtState = 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID' | 'UNTRACKED';

export interface CtLookup {
  conn?: Conn;
  dir: 'ORIGINAL' | 'REPLY';
  state: CtState;
}

const key = (t: Tuple) => `${t.proto} ${t.src}:${t.sport}>${t.dst}:${t.dport}`;

export function tupleOf(p: Packet): Tuple {
  return { proto: p.proto, src: p.src, dst: p.dst, sport: p.sport, dport: p.dport };
}

export class ConntrackTable {
  private byTuple = new Map<string, { conn: Conn; dir: 'ORIGINAL' | 'REPLY' }>();
  readonly entries: Conn[] = [];
  /** packets that already carry a conntrack entry (skb->_nfct set), by tuple */
  private carried = new Map<string, CtLookup>();

  /** nf_conntrack_in: find the entry of the packet or create an unconfirmed one. */
  lookup(p: Packet): CtLookup {
    const k = key(tupleOf(p));
    const carried = this.carried.get(k);
    if (carried) {
      // nf_conntrack_in returns early for a packet that already has an entry attached
      this.carried.delete(k);
      return carried;
    }
    const hit = this.byTuple.get(key(tupleOf(p)));
    if (hit) {
      if (hit.dir === 'REPLY') {
        hit.conn.seenReply = true;
        return { conn: hit.conn, dir: 'REPLY', state: 'ESTABLISHED' };
      }
      return { conn: hit.conn, dir: 'ORIGINAL', state: hit.conn.seenReply ? 'ESTABLISHED' : 'NEW' };
    }
    // tcp_new(): only a SYN (or, with nf_conntrack_tcp_loose, a plain ACK) opens an entry;
    // a SYN-ACK or RST without an entry is INVALID.
    if (p.proto === 'tcp' && (p.flags === 'S.' || p.flags === 'R' || p.flags === 'R.'))
      return { dir: 'ORIGINAL', state: 'INVALID' };
    if (p.icmp) return { dir: 'ORIGINAL', state: 'INVALID' };
    const t = tupleOf(p);
    const conn: Conn = {
      orig: t,
      reply: { proto: t.proto, src: t.dst, dst: t.src, sport: t.dport, dport: t.sport },
      dnat: false,
      snat: false,
      seenReply: false,
      confirmed: false,
      dstDone: false,
      srcDone: false,
      mark: 0,
    };
    return { conn, dir: 'ORIGINAL', state: 'NEW' };
  }

  /** nf_conntrack_confirm: insert both tuples. */
  confirm(conn: Conn): void {
    if (conn.confirmed) return;
    conn.confirmed = true;
    this.entries.push(conn);
    this.byTuple.set(key(conn.orig), { conn, dir: 'ORIGINAL' });
    this.byTuple.set(key(conn.reply), { conn, dir: 'REPLY' });
  }

  /** the entry goes back to unconfirmed (its tuples leave the table); used when IPVS takes a packet before nf_confirm */
  unconfirm(conn: Conn): void {
    if (!conn.confirmed) return;
    conn.confirmed = false;
    const i = this.entries.indexOf(conn);
    if (i >= 0) this.entries.splice(i, 1);
    for (const t of [conn.orig, conn.reply])
      if (this.byTuple.get(key(t))?.conn === conn) this.byTuple.delete(key(t));
  }

  /** the next lookup of this packet's tuple returns `look` (the packet keeps the entry it carries) */
  carry(p: Packet, look: CtLookup): void {
    this.carried.set(key(tupleOf(p)), look);
  }

  /** Would this packet be the reply of a NATed entry? (used to explain a bypass) */
  peekReply(p: Packet): Conn | undefined {
    const hit = this.byTuple.get(key(tupleOf(p)));
    return hit?.dir === 'REPLY' ? hit.conn : undefined;
  }
}

/** nf_nat_packet for hooks that manipulate the destination (PRE_ROUTING, LOCAL_OUT). */
export function natManipDst(conn: Conn, dir: 'ORIGINAL' | 'REPLY', p: Packet): boolean {
  if (dir === 'ORIGINAL' && conn.dnat) {
    p.dst = conn.reply.src;
    p.dport = conn.reply.sport;
    return true;
  }
  if (dir === 'REPLY' && conn.snat) {
    p.dst = conn.orig.src;
    p.dport = conn.orig.sport;
    return true;
  }
  return false;
}

/** nf_nat_packet for hooks that manipulate the source (POST_ROUTING, LOCAL_IN). */
export function natManipSrc(conn: Conn, dir: 'ORIGINAL' | 'REPLY', p: Packet): boolean {
  if (dir === 'ORIGINAL' && conn.snat) {
    p.src = conn.reply.dst;
    p.sport = conn.reply.dport;
    return true;
  }
  if (dir === 'REPLY' && conn.dnat) {
    p.src = conn.orig.dst;
    p.sport = conn.orig.dport;
    return true;
  }
  return false;
}
