/**
 * @module pcap/signatures/tcp-tracker
 * A TCP connection table for one observation point (interface), like conntrack's but
 * passive: handshake, close, retransmissions and the sequence-window test of
 * `tcp_in_window()` (nf_conntrack_proto_tcp.c), so detectors can ask "was this segment
 * outside the window conntrack would accept". Connections expire by capture time, so
 * memory follows the number of live connections, not the capture size.
 */
import type { Packet } from '../types.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../types.js';
import { PairMap, type Keyed } from './pair-map.js';

/** One direction of a connection: conntrack's `struct ip_ct_tcp_state`. */
export interface TcpHalf {
  ip: string;
  port: number;
  /** initial sequence number, -1 when the SYN was not seen */
  isn: number;
  /** highest seq + len sent (td_end) */
  end: number;
  /** highest ack + window the peer allowed (td_maxend) */
  maxend: number;
  /** largest window advertised, scaled (td_maxwin) */
  maxwin: number;
  /** window scale shift in use (td_scale) */
  scale: number;
  /** window scale option of its SYN, -1 none */
  wscaleOpt: number;
  /** MSS option of its SYN, 0 none */
  mss: number;
  /** largest payload sent */
  maxPayload: number;
  /** sent at least one segment since its SYN was seen */
  active: boolean;
  finSeen: boolean;
  /** a payload byte of this half was acknowledged by the peer */
  dataAcked: boolean;
  /** the latest retransmitted full-size segment (owned by the pmtu-blackhole detector) */
  big: BigSegment | undefined;
}

export interface BigSegment {
  seq: number;
  len: number;
  sends: Packet[];
  lastTs: number;
}

export interface TcpConn extends Keyed {
  iface: number;
  a: TcpHalf;
  b: TcpHalf;
  /** the half that sent the first SYN, undefined when picked up mid-stream */
  client: TcpHalf | undefined;
  syn: Packet | undefined;
  firstPacket: Packet;
  firstTs: number;
  lastTs: number;
  packets: number;
  /** handshake seen complete (SYN, SYN-ACK, ACK) */
  established: boolean;
  /** both SYNs seen, so the window state is complete */
  windowsKnown: boolean;
  /** capture time of the RST or second FIN, -1 while open */
  closedAt: number;
  /** the last out-of-window segment (owned by the ct-invalid-reset detector) */
  oow: Packet | undefined;
  /** listed in ct-invalid-reset's endpoint index */
  indexed: boolean;
}

/** What the tracker says of one packet. Reused between packets: do not keep it. */
export interface TcpSeen {
  conn: TcpConn;
  from: TcpHalf;
  to: TcpHalf;
  isNew: boolean;
  /** payload that was already sent (seq + len <= highest end) */
  retransmit: boolean;
  /** fails `tcp_in_window()`'s sequence or ack bounds */
  outOfWindow: boolean;
}

/** seconds a closed connection is kept for late retransmissions (FIN, RST, strays) */
const CLOSED_LINGER = 5;
const IDLE_TIMEOUT = 300;
/** MAXACKWINCONST of nf_conntrack_proto_tcp.c */
const MAXACKWINCONST = 66000;

const before = (a: number, b: number) => ((a - b) | 0) < 0;
const after = (a: number, b: number) => ((b - a) | 0) < 0;

function half(ip: string, port: number): TcpHalf {
  return {
    ip,
    port,
    isn: -1,
    end: 0,
    maxend: 0,
    maxwin: 0,
    scale: 0,
    wscaleOpt: -1,
    mss: 0,
    maxPayload: 0,
    active: false,
    finSeen: false,
    dataAcked: false,
    big: undefined,
  };
}

export class TcpTracker {
  private readonly conns = new PairMap<TcpConn>();
  created = 0;
  private readonly seen: TcpSeen;

  private readonly checkWindows: boolean;
  private readonly onEnd: (c: TcpConn) => void;

  constructor(checkWindows: boolean, onEnd: (c: TcpConn) => void) {
    this.checkWindows = checkWindows;
    this.onEnd = onEnd;
    const dummy = half('', 0);
    this.seen = {
      conn: undefined as unknown as TcpConn,
      from: dummy,
      to: dummy,
      isNew: false,
      retransmit: false,
      outOfWindow: false,
    };
  }

  get live(): number {
    return this.conns.size;
  }

  track(p: Packet): TcpSeen {
    const conns = this.conns;
    let c = conns.find(p);
    const s = this.seen;
    s.isNew = false;
    if (
      c === undefined ||
      (c.closedAt >= 0 && (p.tcpFlags & (TCP_SYN | TCP_ACK)) === TCP_SYN && !this.sameSyn(c, p))
    ) {
      if (c) {
        conns.remove(c);
        this.onEnd(c);
        conns.find(p); // recompute the key for insert()
      }
      const fwd = conns.forward;
      const a = fwd ? half(p.src, p.sport) : half(p.dst, p.dport);
      const b = fwd ? half(p.dst, p.dport) : half(p.src, p.sport);
      c = {
        k1: 0,
        k2: 0,
        ks: '',
        iface: p.iface,
        a,
        b,
        client: undefined,
        syn: undefined,
        firstPacket: p,
        firstTs: p.ts,
        lastTs: p.ts,
        packets: 0,
        established: false,
        windowsKnown: false,
        closedAt: -1,
        oow: undefined,
        indexed: false,
      };
      conns.insert(c);
      this.created++;
      s.isNew = true;
    }
    const from = p.sport === c.a.port && p.src === c.a.ip ? c.a : c.b;
    const to = from === c.a ? c.b : c.a;
    s.conn = c;
    s.from = from;
    s.to = to;
    c.packets++;
    c.lastTs = p.ts;
    this.update(c, from, to, p, s);
    return s;
  }

  private sameSyn(c: TcpConn, p: Packet): boolean {
    return c.syn !== undefined && c.syn.seq === p.seq && c.syn.src === p.src && c.syn.sport === p.sport;
  }

  private update(c: TcpConn, from: TcpHalf, to: TcpHalf, p: Packet, s: TcpSeen): void {
    const f = p.tcpFlags;
    const len = p.payloadLen;
    const seq = p.seq;
    const end = (seq + len + (f & TCP_SYN ? 1 : 0) + (f & TCP_FIN ? 1 : 0)) >>> 0;
    s.retransmit = false;
    s.outOfWindow = false;
    if (f & TCP_SYN) {
      if (!(f & TCP_ACK) && c.client === undefined) {
        c.client = from;
        c.syn = p;
      }
      // tcp_in_window, SYN: a fresh start for this direction
      from.isn = seq;
      from.end = end;
      from.maxwin = Math.max(p.win, 1);
      from.maxend = end;
      from.wscaleOpt = p.wscale;
      if (p.mss) from.mss = p.mss;
      if (f & TCP_ACK && to.isn >= 0) {
        c.windowsKnown = true;
        // window scaling is on only when both SYNs carry the option (RFC 7323 §2.2)
        const both = from.wscaleOpt >= 0 && to.wscaleOpt >= 0;
        from.scale = both ? from.wscaleOpt : 0;
        to.scale = both ? to.wscaleOpt : 0;
        to.maxend = (p.ack + Math.max(p.win, 1)) >>> 0;
        from.maxend = (end + Math.max(to.maxwin, 1)) >>> 0;
      }
      return;
    }
    if (len > from.maxPayload) from.maxPayload = len;
    const known = from.isn >= 0 || from.active;
    if (len > 0 && known && !before(from.end, end)) s.retransmit = true;
    if (this.checkWindows && c.windowsKnown && !(f & TCP_RST) && !this.inWindow(from, to, p, seq, end)) {
      s.outOfWindow = true;
      return; // conntrack marks it INVALID and leaves its state alone
    }
    // state updates, as tcp_in_window does for accepted segments
    if (!known || after(end, from.end)) from.end = end;
    const win = p.win << from.scale;
    if (win > from.maxwin) from.maxwin = win;
    if (f & TCP_ACK) {
      const ack = p.ack;
      if (after((ack + win) >>> 0, to.maxend)) to.maxend = (ack + Math.max(win, 1)) >>> 0;
      if (to.isn >= 0 && after(ack, (to.isn + 1) >>> 0)) to.dataAcked = true;
      if (c.client === to && !c.established && to.isn >= 0 && from.isn >= 0) c.established = true;
      if (c.client === from && !c.established && from.isn >= 0 && to.isn >= 0 && ack === (to.isn + 1) >>> 0)
        c.established = true;
    }
    from.active = true;
    if (f & TCP_FIN) from.finSeen = true;
    if (f & TCP_RST || (c.a.finSeen && c.b.finSeen)) {
      if (c.closedAt < 0) c.closedAt = p.ts;
    }
  }

  /** The four bounds of `tcp_in_window()`. */
  private inWindow(from: TcpHalf, to: TcpHalf, p: Packet, seq: number, end: number): boolean {
    const ack = p.tcpFlags & TCP_ACK ? p.ack : to.end;
    const maxAckWin = from.maxwin > MAXACKWINCONST ? from.maxwin : MAXACKWINCONST;
    return (
      before(seq, (from.maxend + 1) >>> 0) &&
      after(end, (from.end - to.maxwin - 1) >>> 0) &&
      before(ack, (to.end + 1) >>> 0) &&
      after(ack, (to.end - maxAckWin - 1) >>> 0)
    );
  }

  /** Expires closed and idle connections; call now and then with the capture time. */
  sweep(now: number): void {
    const ended: TcpConn[] = [];
    this.conns.sweep((c) => {
      const drop = (c.closedAt >= 0 && now - c.closedAt > CLOSED_LINGER) || now - c.lastTs > IDLE_TIMEOUT;
      if (drop) ended.push(c);
      return drop;
    });
    for (const c of ended) this.onEnd(c);
  }

  /** Ends every connection (end of capture). */
  finish(): void {
    this.conns.forEach((c) => this.onEnd(c));
    this.conns.clear();
  }
}
