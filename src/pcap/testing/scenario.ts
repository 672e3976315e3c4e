/**
 * @module pcap/testing/scenario
 * Conversations for signature tests, written like a tcpdump listing:
 * `s.at(0).tcp('10.0.0.1', 40000, '10.0.0.2', 80, 'S', { seq: 1 })`. Frames are Ethernet
 * (or SLL2 / raw IP) around IPv4 or IPv6, collected in order and written as pcap or pcapng.
 */
import {
  dns,
  eth,
  icmp,
  ipv4,
  ipv6,
  sll2,
  tcp,
  udp,
  vxlan,
  type DnsOptions,
  type TcpOptions,
} from './build-packet.js';
import { writePcap, writePcapng, type Frame } from './write-pcap.js';

export type Link = 'eth' | 'sll2' | 'raw';

export interface TcpExtra extends Partial<Omit<TcpOptions, 'sport' | 'dport' | 'flags'>> {
  /** IP total length override */
  totalLength?: number;
  /** SLL2 interface index */
  ifindex?: number;
}

export class Scenario {
  readonly frames: Frame[] = [];
  private t: number;
  private readonly link: Link;

  constructor(link: Link = 'eth', start = 1_700_000_000) {
    this.link = link;
    this.t = start;
  }

  /** Moves the clock to start + dt seconds. */
  at(dt: number): this {
    this.t = 1_700_000_000 + dt;
    return this;
  }

  private ip(
    src: string,
    dst: string,
    proto: number,
    payload: Uint8Array,
    totalLength?: number,
  ): { data: Uint8Array; v6: boolean } {
    const v6 = src.includes(':');
    const data = v6
      ? ipv6(payload, { src, dst, next: proto })
      : ipv4(payload, { src, dst, proto, totalLength });
    return { data, v6 };
  }

  private frame(l3: { data: Uint8Array; v6: boolean }, ifindex = 2): this {
    const type = l3.v6 ? 0x86dd : 0x0800;
    const data =
      this.link === 'eth'
        ? eth(l3.data, { ethertype: type })
        : this.link === 'sll2'
          ? sll2(l3.data, type, ifindex)
          : l3.data;
    this.frames.push({ ts: this.t, data });
    return this;
  }

  tcp(src: string, sport: number, dst: string, dport: number, flags: string, o: TcpExtra = {}): this {
    const seg = tcp({ sport, dport, flags, ...o });
    return this.frame(this.ip(src, dst, 6, seg, o.totalLength), o.ifindex);
  }

  udp(src: string, sport: number, dst: string, dport: number, payload: Uint8Array): this {
    return this.frame(this.ip(src, dst, 17, udp(sport, dport, payload)));
  }

  dns(src: string, sport: number, dst: string, dport: number, o: DnsOptions): this {
    return this.udp(src, sport, dst, dport, dns(o));
  }

  /** ICMP error from `src` to `dst` quoting the first 28 bytes of `quoted` (an IP packet). */
  icmp(src: string, dst: string, type: number, code: number, quoted: Uint8Array, mtu = 0): this {
    const v6 = src.includes(':');
    const rest = v6
      ? [(mtu >>> 24) & 0xff, (mtu >>> 16) & 0xff, (mtu >>> 8) & 0xff, mtu & 0xff]
      : [0, 0, (mtu >> 8) & 0xff, mtu & 0xff];
    const body = icmp(type, code, rest, quoted.subarray(0, v6 ? 48 : 28));
    return this.frame(this.ip(src, dst, v6 ? 58 : 1, body));
  }

  /** A TCP segment inside VXLAN between two node addresses. */
  vxlanTcp(
    outerSrc: string,
    outerDst: string,
    port: number,
    vni: number,
    src: string,
    sport: number,
    dst: string,
    dport: number,
    flags: string,
    o: TcpExtra = {},
  ): this {
    const inner = eth(ipv4(tcp({ sport, dport, flags, ...o }), { src, dst, proto: 6 }));
    return this.frame({
      data: ipv4(udp(49152, port, vxlan(vni, inner)), { src: outerSrc, dst: outerDst, proto: 17 }),
      v6: false,
    });
  }

  linkType(): number {
    return this.link === 'eth' ? 1 : this.link === 'sll2' ? 276 : 101;
  }

  /** Frames in time order (stable), as a capture has them. */
  ordered(): Frame[] {
    return this.frames
      .map((f, i) => [f, i] as const)
      .sort((a, b) => a[0].ts - b[0].ts || a[1] - b[1])
      .map(([f]) => f);
  }

  pcap(o: { nano?: boolean; bigEndian?: boolean } = {}): Buffer {
    return writePcap(this.ordered(), { linkType: this.linkType(), ...o });
  }

  pcapng(o: { bigEndian?: boolean; tsresol?: number } = {}): Buffer {
    return writePcapng(this.ordered(), {
      interfaces: [{ linkType: this.linkType(), name: 'eth0', tsresol: o.tsresol }],
      bigEndian: o.bigEndian,
    });
  }
}

/** The raw IPv4 packet bytes of a TCP segment, for quoting in ICMP errors. */
export function tcpPacket(
  src: string,
  sport: number,
  dst: string,
  dport: number,
  flags: string,
  seq = 0,
): Uint8Array {
  return ipv4(tcp({ sport, dport, flags, seq }), { src, dst, proto: 6 });
}

export function udpPacket(
  src: string,
  sport: number,
  dst: string,
  dport: number,
  payload = new Uint8Array(20),
): Uint8Array {
  return ipv4(udp(sport, dport, payload), { src, dst, proto: 17 });
}
