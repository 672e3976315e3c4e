/**
 * @module pcap/decode/dns
 * The DNS header and first question (RFC 1035 §4.1.1, §4.1.2), enough to pair the A and
 * AAAA queries a resolver sends and the answers it gets. Compression pointers are followed
 * with a hop limit, so a hostile packet cannot loop.
 */
import type { DnsInfo } from '../types.js';

/** names are at most 255 bytes (RFC 1035 §3.1) */
const scratch = Buffer.alloc(256);

export function decodeDns(b: Uint8Array, o: number, end: number): DnsInfo | undefined {
  if (end - o < 12) return undefined;
  const flags = (b[o + 2]! << 8) | b[o + 3]!;
  const info: DnsInfo = {
    id: (b[o]! << 8) | b[o + 1]!,
    response: (flags & 0x8000) !== 0,
    rcode: flags & 0x000f,
    qname: '',
    qtype: 0,
    answers: (b[o + 6]! << 8) | b[o + 7]!,
  };
  const qdcount = (b[o + 4]! << 8) | b[o + 5]!;
  if (qdcount === 0) return info;
  // the name is gathered (lower-cased, dots between labels) in a scratch buffer, decoded once
  let n = 0;
  let i = o + 12;
  let after = -1; // where the question continues after the first compression pointer
  let hops = 0;
  while (i < end) {
    const len = b[i]!;
    if (len === 0) {
      i++;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (i + 1 >= end || ++hops > 16) return info;
      if (after < 0) after = i + 2;
      i = o + (((len & 0x3f) << 8) | b[i + 1]!);
      continue;
    }
    if (len > 63 || i + 1 + len > end || n + len + 1 > 255) return info;
    if (n > 0) scratch[n++] = 0x2e;
    for (let k = i + 1; k < i + 1 + len; k++) {
      const c = b[k]!;
      scratch[n++] = c >= 65 && c <= 90 ? c + 32 : c;
    }
    i += 1 + len;
  }
  const q = after >= 0 ? after : i;
  info.qname = n ? scratch.toString('latin1', 0, n) : '';
  if (q + 2 <= end) info.qtype = (b[q]! << 8) | b[q + 1]!;
  return info;
}
