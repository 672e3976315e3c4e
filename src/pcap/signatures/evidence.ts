/**
 * @module pcap/signatures/evidence
 * Packets as a person reads them (tcpdump-like lines, addresses shown as `name (ip)`) and
 * as findings carry them ({@link PacketEvidence}).
 */
import type { Packet, PacketEvidence } from '../types.js';
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from '../types.js';
import type { DetectorContext, NameMap } from './context.js';
import { icmpCodeName } from './icmp-names.js';

/** `name (ip)` when the address has a name, else the address. */
export function label(ip: string, names: NameMap): string {
  const n = names.get(ip);
  return n && n !== ip ? `${n} (${ip})` : ip;
}

/** `ip:port`, `[v6]:port`, with the name when known. */
export function endpointLabel(ip: string, port: number, names: NameMap): string {
  const host = label(ip, names);
  if (port < 0) return host;
  return ip.includes(':') && !names.has(ip) ? `[${host}]:${port}` : `${host}:${port}`;
}

/** tcpdump's flag string: `S`, `S.`, `R.`, `P.`, `F.`, `.` */
export function tcpFlagString(f: number): string {
  let s = '';
  if (f & 1) s += 'F';
  if (f & 2) s += 'S';
  if (f & 4) s += 'R';
  if (f & 8) s += 'P';
  if (f & 32) s += 'U';
  if (f & 64) s += 'E';
  if (f & 128) s += 'W';
  if (f & 16) s += '.';
  return s || 'none';
}

const TEN_YEARS = 10 * 365 * 86400;

/** Capture time as people read it; '' when the input had no timestamps (text without -tt). */
export function formatTime(sec: number, nsec: number): string {
  if (sec === 0 && nsec === 0) return '';
  const frac =
    nsec % 1000 === 0 ? String(Math.floor(nsec / 1000)).padStart(6, '0') : String(nsec).padStart(9, '0');
  if (sec > TEN_YEARS) {
    const d = new Date(sec * 1000);
    return `${d.toISOString().slice(0, 19)}.${frac}Z`;
  }
  const day = Math.floor(sec / 86400);
  const s = sec % 86400;
  const hh = String(Math.floor(s / 3600)).padStart(2, '0');
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return `${day > 0 ? `+${day}d ` : ''}${hh}:${mm}:${ss}.${frac}`;
}

export function protoName(p: Packet): string {
  switch (p.proto) {
    case PROTO_TCP:
      return 'tcp';
    case PROTO_UDP:
      return 'udp';
    case PROTO_ICMP:
      return 'icmp';
    case PROTO_ICMPV6:
      return 'icmp6';
    default:
      return p.proto >= 0 ? `ip-proto-${p.proto}` : p.ipv ? 'ip' : 'other';
  }
}

/** One tcpdump-like line. */
export function summarize(p: Packet, names: NameMap): string {
  const time = formatTime(p.sec, p.nsec);
  const where = time ? [time] : [];
  if (p.ifName) where.push(p.ifName);
  if (p.dir === 'in' || p.dir === 'out') where.push(p.dir === 'in' ? 'In' : 'Out');
  const outer = p.outer ? ` (vxlan ${p.outer.vni} ${p.outer.src} > ${p.outer.dst})` : '';
  const head = `${where.length ? `${where.join(' ')} ` : ''}${endpointLabel(p.src, p.sport, names)} > ${endpointLabel(p.dst, p.dport, names)}${outer}`;
  if (p.proto === PROTO_TCP) {
    let s = `${head}: Flags [${tcpFlagString(p.tcpFlags)}], seq ${p.seq}`;
    if (p.tcpFlags & 16) s += `, ack ${p.ack}`;
    s += `, win ${p.win}`;
    if (p.mss) s += `, mss ${p.mss}`;
    return `${s}, length ${p.payloadLen}`;
  }
  if (p.proto === PROTO_UDP) {
    if (p.dns) {
      const d = p.dns;
      const q = d.qname ? ` ${qtypeName(d.qtype)}? ${d.qname}.` : '';
      return d.response
        ? `${head}: DNS ${d.id} response${q} rcode ${d.rcode} answers ${d.answers}`
        : `${head}: DNS ${d.id}+${q}`;
    }
    return `${head}: UDP, length ${p.payloadLen}`;
  }
  if (p.proto === PROTO_ICMP || p.proto === PROTO_ICMPV6) {
    let s = `${head}: ${p.proto === PROTO_ICMP ? 'ICMP' : 'ICMP6'} type ${p.icmpType} code ${p.icmpCode}`;
    const name = icmpCodeName(p);
    if (name) s += ` (${name})`;
    if (p.mtu) s += `, mtu ${p.mtu}`;
    if (p.inner) {
      const i = p.inner;
      const proto = i.proto === PROTO_TCP ? 'tcp' : i.proto === PROTO_UDP ? 'udp' : `proto ${i.proto}`;
      s += `, about ${proto} ${endpointLabel(i.src, i.sport, names)} > ${endpointLabel(i.dst, i.dport, names)}`;
    }
    return s;
  }
  return `${head}: ${protoName(p)}, length ${p.len}`;
}

export function qtypeName(t: number): string {
  return t === 1
    ? 'A'
    : t === 28
      ? 'AAAA'
      : t === 33
        ? 'SRV'
        : t === 12
          ? 'PTR'
          : t === 5
            ? 'CNAME'
            : `TYPE${t}`;
}

export function packetEvidence(p: Packet, ctx: DetectorContext): PacketEvidence {
  const e: PacketEvidence = {
    source: `${ctx.file}#${p.n}`,
    n: p.n,
    time: formatTime(p.sec, p.nsec),
    ts: p.ts,
    src: p.src,
    dst: p.dst,
    proto: protoName(p),
    summary: summarize(p, ctx.names),
  };
  if (p.ifName) e.iface = p.ifName;
  else if (p.iface) e.iface = `#${p.iface}`;
  if (p.sport >= 0 && (p.proto === PROTO_TCP || p.proto === PROTO_UDP)) {
    e.sport = p.sport;
    e.dport = p.dport;
  }
  if (p.proto === PROTO_TCP) e.flags = tcpFlagString(p.tcpFlags);
  if (p.outer) e.outer = p.outer;
  return e;
}
