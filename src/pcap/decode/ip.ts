/**
 * @module pcap/decode/ip
 * IPv4 (`ip_rcv_core`: header length, total length, fragments, options) and IPv6
 * (`ipv6_rcv` + the extension header walk of `ip6_protocol_deliver_rcu`) headers.
 */
import type { Packet } from '../types.js';
import { ipv4At, ipv4Num, ipv6At } from './address.js';
import { decodeTransport } from './transport.js';

export function decodeIpv4(p: Packet, b: Uint8Array, o: number, end: number, depth: number): void {
  if (end - o < 20 || b[o]! >> 4 !== 4) {
    p.truncated = end - o < 20;
    return;
  }
  const ihl = (b[o]! & 0x0f) * 4;
  if (ihl < 20) return;
  const total = (b[o + 2]! << 8) | b[o + 3]!;
  const fragWord = (b[o + 6]! << 8) | b[o + 7]!;
  p.ipv = 4;
  p.ipId = (b[o + 4]! << 8) | b[o + 5]!;
  p.df = (fragWord & 0x4000) !== 0;
  p.moreFrags = (fragWord & 0x2000) !== 0;
  p.fragOffset = (fragWord & 0x1fff) * 8;
  p.frag = p.moreFrags || p.fragOffset !== 0;
  p.ttl = b[o + 8]!;
  p.proto = b[o + 9]!;
  p.src = ipv4At(b, o + 12);
  p.dst = ipv4At(b, o + 16);
  p.src4 = ipv4Num(b, o + 12);
  p.dst4 = ipv4Num(b, o + 16);
  p.ipOptions = ihl > 20;
  // total length 0 is what TSO/GSO super-packets carry in captures taken on the sender
  const wireLen = total >= ihl ? total : end - o;
  p.ipLen = wireLen;
  if (end - o < ihl) {
    p.truncated = true;
    return;
  }
  if (p.fragOffset !== 0) return; // later fragment: no transport header
  const l4End = Math.min(end, o + wireLen);
  decodeTransport(p, b, o + ihl, l4End, wireLen - ihl, depth);
}

export function decodeIpv6(p: Packet, b: Uint8Array, o: number, end: number, depth: number): void {
  if (end - o < 40 || b[o]! >> 4 !== 6) {
    p.truncated = end - o < 40;
    return;
  }
  const payload = (b[o + 4]! << 8) | b[o + 5]!;
  p.ipv = 6;
  p.ttl = b[o + 7]!;
  p.src = ipv6At(b, o + 8);
  p.dst = ipv6At(b, o + 24);
  const wireLen = payload > 0 ? 40 + payload : end - o;
  p.ipLen = wireLen;
  const l4End = Math.min(end, o + wireLen);
  let next = b[o + 6]!;
  let off = o + 40;
  for (let i = 0; i < 10; i++) {
    if (next === 0 || next === 43 || next === 60 || next === 135 || next === 139 || next === 140) {
      // hop-by-hop, routing, destination options, mobility, HIP, shim6: (len + 1) * 8 bytes
      if (l4End - off < 8) {
        p.truncated = true;
        p.proto = next;
        return;
      }
      const nh = b[off]!;
      off += (b[off + 1]! + 1) * 8;
      next = nh;
    } else if (next === 44) {
      // fragment header (ipv6_frag_rcv)
      if (l4End - off < 8) {
        p.truncated = true;
        p.proto = next;
        return;
      }
      const word = (b[off + 2]! << 8) | b[off + 3]!;
      p.fragOffset = word & 0xfff8;
      p.moreFrags = (word & 1) !== 0;
      p.frag = true;
      p.ipId = ((b[off + 4]! << 24) | (b[off + 5]! << 16) | (b[off + 6]! << 8) | b[off + 7]!) >>> 0;
      next = b[off]!;
      off += 8;
    } else if (next === 51) {
      // authentication header: (len + 2) * 4 bytes
      if (l4End - off < 8) {
        p.truncated = true;
        p.proto = next;
        return;
      }
      const nh = b[off]!;
      off += (b[off + 1]! + 2) * 4;
      next = nh;
    } else break;
  }
  p.proto = next;
  if (off > l4End) {
    p.truncated = true;
    return;
  }
  if (p.fragOffset !== 0) return;
  decodeTransport(p, b, off, l4End, wireLen - (off - o), depth);
}
