/**
 * @module pcap/testing/build-packet
 * Builders for packet bytes, for tests and the benchmark: Ethernet (with VLAN tags), SLL,
 * SLL2, IPv4 (options, fragments), IPv6 (extension headers), TCP (options), UDP, ICMP,
 * ICMPv6, VXLAN, DNS. Checksums: IPv4 header only (readers here do not verify L4 sums).
 */

export function ip4Bytes(s: string): number[] {
  const parts = s.split('.').map(Number);
  if (parts.length !== 4 || parts.some((x) => !(x >= 0 && x <= 255))) throw new Error(`bad IPv4 ${s}`);
  return parts;
}

export function ip6Bytes(s: string): number[] {
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':').filter((x) => x !== '') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = [...h, ...new Array(8 - h.length - t.length).fill('0'), ...t];
  if (tail === undefined && h.length !== 8) throw new Error(`bad IPv6 ${s}`);
  const out: number[] = [];
  for (const g of groups) {
    const v = parseInt(g, 16);
    out.push(v >> 8, v & 0xff);
  }
  return out;
}

function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const len = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const be16 = (v: number) => [(v >> 8) & 0xff, v & 0xff];
const be32 = (v: number) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];

export interface EthOptions {
  ethertype?: number;
  vlans?: number[];
  /** 0x8100 (default) or 0x88a8 for the outer tag of QinQ */
  outerTpid?: number;
  src?: number[];
  dst?: number[];
}

export function eth(payload: Uint8Array, o: EthOptions = {}): Uint8Array {
  const dst = o.dst ?? [0x02, 0, 0, 0, 0, 2];
  const src = o.src ?? [0x02, 0, 0, 0, 0, 1];
  const tags: number[] = [];
  const vlans = o.vlans ?? [];
  vlans.forEach((vid, i) => {
    tags.push(...be16(i === 0 && vlans.length > 1 ? (o.outerTpid ?? 0x88a8) : 0x8100), ...be16(vid & 0xfff));
  });
  return concat(dst, src, tags, be16(o.ethertype ?? 0x0800), payload);
}

/** LINKTYPE_LINUX_SLL: pkttype 0 host .. 4 outgoing */
export function sll(payload: Uint8Array, protocol = 0x0800, pkttype = 0): Uint8Array {
  return concat(be16(pkttype), be16(1), be16(6), [2, 0, 0, 0, 0, 1, 0, 0], be16(protocol), payload);
}

/** LINKTYPE_LINUX_SLL2 */
export function sll2(payload: Uint8Array, protocol = 0x0800, ifindex = 2, pkttype = 0): Uint8Array {
  return concat(
    be16(protocol),
    [0, 0],
    be32(ifindex),
    be16(1),
    [pkttype, 6],
    [2, 0, 0, 0, 0, 1, 0, 0],
    payload,
  );
}

export interface Ip4Options {
  src: string;
  dst: string;
  proto: number;
  ttl?: number;
  id?: number;
  df?: boolean;
  mf?: boolean;
  /** bytes, multiple of 8 */
  fragOffset?: number;
  /** raw option bytes (padded to 4 here) */
  options?: number[];
  /** override the total length field (TSO captures carry 0) */
  totalLength?: number;
}

export function ipv4(payload: Uint8Array, o: Ip4Options): Uint8Array {
  const opts = [...(o.options ?? [])];
  while (opts.length % 4) opts.push(0);
  const ihl = 20 + opts.length;
  const total = o.totalLength ?? ihl + payload.length;
  const frag = ((o.df ?? true) ? 0x4000 : 0) | (o.mf ? 0x2000 : 0) | ((o.fragOffset ?? 0) / 8);
  const h = [
    0x40 | (ihl / 4),
    0,
    ...be16(total),
    ...be16(o.id ?? 0),
    ...be16(frag),
    o.ttl ?? 64,
    o.proto,
    0,
    0,
    ...ip4Bytes(o.src),
    ...ip4Bytes(o.dst),
    ...opts,
  ];
  let sum = 0;
  for (let i = 0; i < h.length; i += 2) sum += (h[i]! << 8) | h[i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const c = ~sum & 0xffff;
  h[10] = c >> 8;
  h[11] = c & 0xff;
  return concat(h, payload);
}

export interface Ip6Ext {
  /** 0 hop-by-hop, 43 routing, 60 destination options, 44 fragment, 51 AH */
  type: number;
  /** fragment header: offset in bytes and more-fragments flag */
  fragOffset?: number;
  mf?: boolean;
}

export function ipv6(
  payload: Uint8Array,
  o: { src: string; dst: string; next: number; hlim?: number; ext?: Ip6Ext[] },
): Uint8Array {
  const exts = o.ext ?? [];
  const chain: number[] = [];
  exts.forEach((e, i) => {
    const next = i + 1 < exts.length ? exts[i + 1]!.type : o.next;
    if (e.type === 44)
      chain.push(next, 0, ...be16(((e.fragOffset ?? 0) & 0xfff8) | (e.mf ? 1 : 0)), ...be32(0x12345678));
    else if (e.type === 51)
      chain.push(next, 1, 0, 0, ...be32(1), ...be32(1)); // (1 + 2) * 4 = 12 bytes
    else chain.push(next, 0, 1, 4, 0, 0, 0, 0); // 8 bytes, a PadN option
  });
  const first = exts.length ? exts[0]!.type : o.next;
  const plen = chain.length + payload.length;
  return concat(
    [0x60, 0, 0, 0],
    be16(plen),
    [first, o.hlim ?? 64],
    ip6Bytes(o.src),
    ip6Bytes(o.dst),
    chain,
    payload,
  );
}

export interface TcpOptions {
  sport: number;
  dport: number;
  /** tcpdump letters: S, F, R, P, U, E, W and '.' for ACK */
  flags: string;
  seq?: number;
  ack?: number;
  win?: number;
  mss?: number;
  wscale?: number;
  /** payload bytes, or a length of zero bytes */
  payload?: Uint8Array | number;
}

export function flagBits(s: string): number {
  let f = 0;
  for (const c of s) f |= { F: 1, S: 2, R: 4, P: 8, '.': 16, U: 32, E: 64, W: 128 }[c] ?? 0;
  return f;
}

export function tcp(o: TcpOptions): Uint8Array {
  const opts: number[] = [];
  if (o.mss !== undefined) opts.push(2, 4, ...be16(o.mss));
  if (o.wscale !== undefined) opts.push(1, 3, 3, o.wscale);
  while (opts.length % 4) opts.push(1);
  const doff = 20 + opts.length;
  const payload =
    typeof o.payload === 'number' ? new Uint8Array(o.payload) : (o.payload ?? new Uint8Array(0));
  const h = [
    ...be16(o.sport),
    ...be16(o.dport),
    ...be32(o.seq ?? 0),
    ...be32(o.ack ?? 0),
    (doff / 4) << 4,
    flagBits(o.flags),
    ...be16(o.win ?? 64240),
    0,
    0,
    0,
    0,
    ...opts,
  ];
  return concat(h, payload);
}

export function udp(sport: number, dport: number, payload: Uint8Array): Uint8Array {
  return concat(be16(sport), be16(dport), be16(8 + payload.length), [0, 0], payload);
}

/** ICMP message: `rest` is the 4 bytes after the checksum (e.g. [0, 0, mtuHi, mtuLo]). */
export function icmp(type: number, code: number, rest: number[], body: Uint8Array): Uint8Array {
  return concat([type, code, 0, 0], rest, body);
}

export function vxlan(vni: number, inner: Uint8Array): Uint8Array {
  return concat([0x08, 0, 0, 0], [(vni >> 16) & 0xff, (vni >> 8) & 0xff, vni & 0xff, 0], inner);
}

export interface DnsOptions {
  id: number;
  qname: string;
  qtype: number;
  response?: boolean;
  rcode?: number;
  answers?: number;
}

export function dns(o: DnsOptions): Uint8Array {
  const name: number[] = [];
  for (const label of o.qname.split('.').filter(Boolean)) {
    name.push(label.length, ...[...label].map((c) => c.charCodeAt(0)));
  }
  name.push(0);
  const flags = (o.response ? 0x8180 : 0x0100) | (o.rcode ?? 0);
  const answers: number[] = [];
  for (let i = 0; i < (o.answers ?? 0); i++) {
    const rdata = o.qtype === 28 ? new Array(16).fill(1) : [10, 0, 0, 1];
    answers.push(0xc0, 12, ...be16(o.qtype), 0, 1, ...be32(30), ...be16(rdata.length), ...rdata);
  }
  return concat(
    be16(o.id),
    be16(flags),
    be16(1),
    be16(o.answers ?? 0),
    [0, 0, 0, 0],
    name,
    be16(o.qtype),
    [0, 1],
    answers,
  );
}
