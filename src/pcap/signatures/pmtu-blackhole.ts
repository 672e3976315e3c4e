/**
 * @module pcap/signatures/pmtu-blackhole
 * `pmtu-blackhole` (FM-10): a full-size segment (the peer's MSS, or the largest seen) is
 * retransmitted on the RTO back-off and never acknowledged, while the handshake and
 * smaller segments got through; or an ICMP fragmentation-needed / ICMPv6 packet-too-big
 * is seen, with the next-hop MTU it announces (`icmp_unreach` -> `ip_rt_update_pmtu`).
 */
import type { Packet, PcapFinding } from '../types.js';
import { PROTO_ICMP, TCP_ACK } from '../types.js';
import type { DetectorContext } from './context.js';
import type { Detector } from './detector.js';
import { label } from './evidence.js';
import { findingsOf, GroupTable, type FindingSpec, type Group } from './finding.js';
import type { TcpConn, TcpHalf, TcpSeen } from './tcp-tracker.js';

/** Retransmissions of one segment needed (RTO-spaced). */
export const MIN_BIG_RETRANSMITS = 2;
/** A fast retransmit comes within an RTT; RTO retransmissions are >= 200 ms apart. */
const RTO_MIN = 0.15;
/** Without an MSS option, "full size" is at least this. */
const MIN_FULL = 1000;
const MAX_KEPT = 6;

interface Extra {
  kind: 'retransmit' | 'icmp';
  from: string;
  to: string;
  len: number;
  mss: number;
  mtu: number;
  sample: Packet;
}

const after = (a: number, b: number) => ((b - a) | 0) < 0;

export class PmtuBlackhole implements Detector {
  readonly ids = ['pmtu-blackhole'] as const;
  private readonly table = new GroupTable<Extra>();

  private readonly ctx: DetectorContext;

  constructor(ctx: DetectorContext) {
    this.ctx = ctx;
  }

  onTcp(p: Packet, s: TcpSeen): void {
    const from = s.from;
    // an ACK from the receiver of a stuck segment that covers it clears it
    if (p.tcpFlags & TCP_ACK) {
      const big = s.to.big;
      if (big && after(p.ack, big.seq)) s.to.big = undefined;
    }
    if (p.payloadLen === 0 || !s.retransmit) return;
    const full = fullSize(from, s.to);
    if (p.payloadLen < full) return;
    const big = from.big;
    if (big && big.seq === p.seq) {
      if (p.ts - big.lastTs >= RTO_MIN) {
        if (big.sends.length < MAX_KEPT) big.sends.push(p);
        big.lastTs = p.ts;
      }
      return;
    }
    if (big && big.sends.length >= MIN_BIG_RETRANSMITS) this.record(s.conn, from, s.to);
    from.big = { seq: p.seq, len: p.payloadLen, sends: [p], lastTs: p.ts };
  }

  onConnEnd(c: TcpConn): void {
    for (const [h, peer] of [
      [c.a, c.b],
      [c.b, c.a],
    ] as const) {
      if (h.big && h.big.sends.length >= MIN_BIG_RETRANSMITS) this.record(c, h, peer);
      h.big = undefined;
    }
  }

  /** A stuck full-size segment; it counts when something smaller got through in this connection. */
  private record(c: TcpConn, h: TcpHalf, peer: TcpHalf): void {
    const big = h.big!;
    if (!(c.established || h.dataAcked || peer.dataAcked)) return;
    const packets = c.syn ? [c.syn, ...big.sends] : big.sends;
    this.table.add(`tcp|${h.ip}|${peer.ip}`, packets, () => ({
      kind: 'retransmit',
      from: h.ip,
      to: peer.ip,
      len: big.len,
      mss: peer.mss,
      mtu: 0,
      sample: big.sends[0]!,
    }));
  }

  onIcmpError(p: Packet): void {
    const v4 = p.proto === PROTO_ICMP;
    if (v4 ? p.icmpType !== 3 || p.icmpCode !== 4 : p.icmpType !== 2) return;
    const i = p.inner;
    this.table.add(`icmp|${p.src}|${p.mtu}|${i ? i.dst : ''}`, [p], () => ({
      kind: 'icmp',
      from: i ? i.src : p.dst,
      to: i ? i.dst : '',
      len: 0,
      mss: 0,
      mtu: p.mtu,
      sample: p,
    }));
  }

  sweep(_now: number): void {}

  finish(): PcapFinding[] {
    return findingsOf(this.table, (g) => this.spec(g), this.ctx, 'paths');
  }

  private spec(g: Group<Extra>): FindingSpec {
    const n = this.ctx.names;
    const x = g.extra;
    const fix = [
      {
        kind: 'runtime' as const,
        description:
          'Compare MTUs along the path: pod eth0 / veth / cni bridge must not exceed the tunnel device (flannel.1 = underlay MTU - 50 for VXLAN)',
        commands: [
          'ip -d link show   # mtu of eth0, flannel.1 / vxlan.calico, cni0, veths',
          'ping -M do -s 1422 <peer node>   # 1450 - 28',
          'sysctl net.ipv4.tcp_mtu_probing',
        ],
      },
      {
        kind: 'persistent' as const,
        description:
          'Set the CNI MTU to the tunnel MTU, allow ICMP type 3 code 4 (and ICMPv6 type 2) through firewalls, or clamp the MSS',
        commands: [
          'iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu',
          'sysctl -w net.ipv4.tcp_mtu_probing=1',
        ],
      },
    ];
    const references = ['FM-10', 'flannel-io/flannel#1011', 'flannel-io/flannel#1614'];
    if (x.kind === 'icmp') {
      const about = x.to ? ` for packets from ${label(x.from, n)} to ${label(x.to, n)}` : '';
      return {
        id: 'pmtu-blackhole',
        severity: 'warning',
        title: `${x.sample.proto === PROTO_ICMP ? 'ICMP fragmentation needed' : 'ICMPv6 packet too big'}: path MTU ${x.mtu} from ${label(x.sample.src, n)}${about} (${g.count} message(s))`,
        symptom: `Packets larger than ${x.mtu} bytes do not fit the path; ${label(x.sample.src, n)} says so. If this message does not reach the sender (firewall, NAT), large transfers hang while small requests work.`,
        count: g.count,
        packets: g.packets,
        notes: [`announced next-hop MTU ${x.mtu}`],
        fix,
        references,
      };
    }
    const mssNote = x.mss ? `; the receiver announced MSS ${x.mss} (an MTU of ${x.mss + 40})` : '';
    return {
      id: 'pmtu-blackhole',
      severity: 'warning',
      title: `Full-size segments from ${label(x.from, n)} to ${label(x.to, n)} are lost (${x.len} bytes, retransmitted, never acknowledged)`,
      symptom: `The handshake and small segments pass, but a ${x.len}-byte segment is retransmitted on the back-off and never acknowledged: large responses, uploads and TLS handshakes hang. Something on the path has a smaller MTU and the ICMP that says so does not arrive.`,
      count: g.count,
      packets: g.packets,
      notes: [`stuck segment: ${x.len} bytes of payload${mssNote}; ${g.count} connection(s) affected`],
      fix,
      references,
    };
  }
}

/**
 * The MSS a peer announces leaves room for TCP options (RFC 6691): with timestamps on, as
 * Linux sends them, a full segment carries MSS - 12 bytes. Options take at most 40.
 */
const OPTION_ROOM = 40;

/** The size a segment must reach to count as full: the peer's MSS, else the largest seen. */
function fullSize(from: TcpHalf, to: TcpHalf): number {
  if (to.mss > 0) return Math.min(to.mss - OPTION_ROOM, Math.max(from.maxPayload, MIN_FULL));
  return Math.max(from.maxPayload, MIN_FULL);
}
