/**
 * @module pcap/decode/transport
 * TCP (`tcp_v4_rcv`, options as `tcp_parse_options` reads them on a SYN), UDP with VXLAN
 * decapsulation (`vxlan_rcv`, ports 8472 and 4789) and DNS, ICMP and ICMPv6 with the
 * quoted original header of error messages (`icmp_unreach`, `icmpv6_notify`).
 */
import type { Packet } from '../types.js';
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, TCP_SYN } from '../types.js';
import { ipv4At, ipv6At } from './address.js';
import { decodeDns } from './dns.js';
import { decodeEthernet } from './link.js';

/** VXLAN UDP ports: 8472 (Linux default, flannel) and 4789 (IANA). */
export const VXLAN_PORTS: readonly number[] = [8472, 4789];
/** Nesting limit for VXLAN in VXLAN. */
const MAX_DEPTH = 2;

/** `wireLen` is the transport length on the wire (from the IP header); `end` the captured end. */
export function decodeTransport(
  p: Packet,
  b: Uint8Array,
  o: number,
  end: number,
  wireLen: number,
  depth: number,
): void {
  switch (p.proto) {
    case PROTO_TCP:
      decodeTcp(p, b, o, end, wireLen);
      return;
    case PROTO_UDP:
      decodeUdp(p, b, o, end, wireLen, depth);
      return;
    case PROTO_ICMP:
    case PROTO_ICMPV6:
      decodeIcmp(p, b, o, end);
      return;
  }
}

function decodeTcp(p: Packet, b: Uint8Array, o: number, end: number, wireLen: number): void {
  if (end - o < 20) {
    if (end - o >= 4) {
      p.sport = (b[o]! << 8) | b[o + 1]!;
      p.dport = (b[o + 2]! << 8) | b[o + 3]!;
    }
    p.truncated = true;
    return;
  }
  p.sport = (b[o]! << 8) | b[o + 1]!;
  p.dport = (b[o + 2]! << 8) | b[o + 3]!;
  p.seq = ((b[o + 4]! << 24) | (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!) >>> 0;
  p.ack = ((b[o + 8]! << 24) | (b[o + 9]! << 16) | (b[o + 10]! << 8) | b[o + 11]!) >>> 0;
  const doff = (b[o + 12]! >> 4) * 4;
  const flags = b[o + 13]!;
  p.tcpFlags = flags;
  p.win = (b[o + 14]! << 8) | b[o + 15]!;
  p.payloadLen = wireLen > doff ? wireLen - doff : 0;
  if ((flags & TCP_SYN) !== 0 && doff > 20) parseTcpOptions(p, b, o + 20, Math.min(end, o + doff));
}

function parseTcpOptions(p: Packet, b: Uint8Array, o: number, end: number): void {
  let i = o;
  while (i < end) {
    const kind = b[i]!;
    if (kind === 0) return; // end of option list
    if (kind === 1) {
      i++;
      continue;
    }
    if (i + 1 >= end) return;
    const len = b[i + 1]!;
    if (len < 2 || i + len > end) return;
    if (kind === 2 && len === 4) p.mss = (b[i + 2]! << 8) | b[i + 3]!;
    else if (kind === 3 && len === 3) p.wscale = Math.min(b[i + 2]!, 14);
    i += len;
  }
}

function decodeUdp(p: Packet, b: Uint8Array, o: number, end: number, wireLen: number, depth: number): void {
  if (end - o < 8) {
    p.truncated = true;
    return;
  }
  const sport = (b[o]! << 8) | b[o + 1]!;
  const dport = (b[o + 2]! << 8) | b[o + 3]!;
  const udpLen = (b[o + 4]! << 8) | b[o + 5]!;
  p.sport = sport;
  p.dport = dport;
  p.payloadLen = (udpLen >= 8 ? udpLen : wireLen) - 8;
  if (p.payloadLen < 0) p.payloadLen = 0;
  const pay = o + 8;
  if (
    (dport === 8472 || dport === 4789) &&
    depth < MAX_DEPTH &&
    end - pay >= 8 + 14 &&
    (b[pay]! & 0x08) !== 0
  ) {
    decapsulateVxlan(p, b, pay, end, depth);
    return;
  }
  if (sport === 53 || dport === 53 || sport === 5353 || dport === 5353) p.dns = decodeDns(b, pay, end);
}

/** The packet record becomes the inner packet; the outer addresses stay as context. */
function decapsulateVxlan(p: Packet, b: Uint8Array, o: number, end: number, depth: number): void {
  p.outer = {
    src: p.src,
    dst: p.dst,
    sport: p.sport,
    dport: p.dport,
    vni: (b[o + 4]! << 16) | (b[o + 5]! << 8) | b[o + 6]!,
  };
  p.ethertype = -1;
  p.ipv = 0;
  p.src = '';
  p.dst = '';
  p.src4 = -1;
  p.dst4 = -1;
  p.proto = -1;
  p.ttl = 0;
  p.ipId = 0;
  p.df = false;
  p.frag = false;
  p.fragOffset = 0;
  p.moreFrags = false;
  p.ipOptions = false;
  p.ipLen = 0;
  p.sport = -1;
  p.dport = -1;
  p.payloadLen = 0;
  decodeEthernet(p, b, o + 8, end, depth + 1);
}

function decodeIcmp(p: Packet, b: Uint8Array, o: number, end: number): void {
  if (end - o < 4) {
    p.truncated = true;
    return;
  }
  const type = b[o]!;
  const code = b[o + 1]!;
  p.icmpType = type;
  p.icmpCode = code;
  if (p.proto === PROTO_ICMP) {
    // destination unreachable, source quench, redirect, time exceeded, parameter problem
    if (type === 3 || type === 4 || type === 5 || type === 11 || type === 12) {
      if (type === 3 && code === 4 && end - o >= 8) p.mtu = (b[o + 6]! << 8) | b[o + 7]!;
      p.inner = embeddedIpv4(b, o + 8, end);
    } else if ((type === 0 || type === 8) && end - o >= 8) {
      p.sport = (b[o + 4]! << 8) | b[o + 5]!; // echo identifier, as tcpdump's `id`
      p.seq = (b[o + 6]! << 8) | b[o + 7]!;
    }
  } else {
    // ICMPv6 errors are types 1..4 (RFC 4443 §3)
    if (type >= 1 && type <= 4) {
      if (type === 2 && end - o >= 8) {
        p.mtu = ((b[o + 4]! << 24) | (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!) >>> 0;
      }
      p.inner = embeddedIpv6(b, o + 8, end);
    } else if ((type === 128 || type === 129) && end - o >= 8) {
      p.sport = (b[o + 4]! << 8) | b[o + 5]!;
      p.seq = (b[o + 6]! << 8) | b[o + 7]!;
    }
  }
}

function embeddedIpv4(b: Uint8Array, o: number, end: number) {
  if (end - o < 20 || b[o]! >> 4 !== 4) return undefined;
  const ihl = (b[o]! & 0x0f) * 4;
  const proto = b[o + 9]!;
  const l4 = o + ihl;
  return embeddedL4(4, ipv4At(b, o + 12), ipv4At(b, o + 16), proto, b, l4, end);
}

function embeddedIpv6(b: Uint8Array, o: number, end: number) {
  if (end - o < 40 || b[o]! >> 4 !== 6) return undefined;
  return embeddedL4(6, ipv6At(b, o + 8), ipv6At(b, o + 24), b[o + 6]!, b, o + 40, end);
}

function embeddedL4(
  ipv: 4 | 6,
  src: string,
  dst: string,
  proto: number,
  b: Uint8Array,
  l4: number,
  end: number,
) {
  const hasPorts = (proto === PROTO_TCP || proto === PROTO_UDP) && end - l4 >= 4;
  const hasSeq = proto === PROTO_TCP && end - l4 >= 8;
  return {
    ipv,
    src,
    dst,
    proto,
    sport: hasPorts ? (b[l4]! << 8) | b[l4 + 1]! : -1,
    dport: hasPorts ? (b[l4 + 2]! << 8) | b[l4 + 3]! : -1,
    seq: hasSeq ? ((b[l4 + 4]! << 24) | (b[l4 + 5]! << 16) | (b[l4 + 6]! << 8) | b[l4 + 7]!) >>> 0 : -1,
  };
}
