/**
 * @module pcap/read/tcpdump-text-parser
 * tcpdump's text output, as people paste it into tickets: with or without timestamps
 * (`-t`, default, `-tt`, `-tttt`), with `-i any` interface and direction columns, `-e` link
 * headers, `-v` two-line IPv4 headers, `-n` numeric or name-resolved hosts and ports, and
 * bare `src.port > dst.port: Flags [S]` lines. Each packet line becomes a {@link Packet}.
 * Sequence numbers may be relative (tcpdump's default), so window checks are not meaningful
 * on text input. Lines that are not packets (payload dumps, comments) are skipped.
 */
import type { CaptureDiagnostic, CaptureSummary, Packet, PacketDirection, PacketVisitor } from '../types.js';
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from '../types.js';
import { newPacket } from '../decode/packet.js';
import { parseIpv4 } from '../decode/address.js';
import { diag } from '../../parse/diagnostic.js';
import {
  DNS_RCODES,
  DNS_TYPES,
  ICMP6_UNREACH_PHRASES,
  ICMP_UNREACH_PHRASES,
  SERVICE_PORTS,
} from './tcpdump-names.js';

const TS_DATE = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?\s+/;
const TS_TIME = /^(\d+):(\d\d):(\d\d)(?:\.(\d+))?\s+/;
const TS_EPOCH = /^(\d{9,})\.(\d+)\s+/;
const IFACE_DIR = /^(\S+)\s+(In|Out|B|M|P)\s+/;
const LINK_E = /^(?:[0-9a-f]{2}(?::[0-9a-f]{2}){5}) > (?:[0-9a-f]{2}(?::[0-9a-f]{2}){5}|Broadcast), (.*)$/i;
const ETHERTYPE_HDR = /^(?:ethertype [^,]*, )?length \d+: (.*)$/;
const VLAN_HDR = /^(?:vlan (\d+), p \d+, (?:ethertype [^,]*, )?)(.*)$/;
const PROTO_WORD = /^(IP6?)\s+(.*)$/;
/** `(tos 0x0, ttl 64, ..., proto TCP (6), length 60)`: one level of nested parentheses */
const VERBOSE_V4 = /^\((tos (?:[^()]|\([^()]*\))*)\)\s*(.*)$/;
const VERBOSE_V6 = /^\((?:flowlabel|hlim|class)(?:[^()]|\([^()]*\))*\)\s*(.*)$/;
const QUOTED_HEADER = /^IP6?\s+(?:\((?:[^()]|\([^()]*\))*\)\s*)?/;
const ENDPOINTS = /^(\S+) > (\S+?):\s+(.*)$/;

const DIRS: Record<string, PacketDirection> = {
  In: 'in',
  Out: 'out',
  B: 'broadcast',
  M: 'multicast',
  P: 'otherhost',
};

interface LineContext {
  sec: number;
  nsec: number;
  hasTime: boolean;
  ifName: string;
  dir: PacketDirection;
  ipv: 0 | 4 | 6;
  vlans: number[];
  verbose: string;
}

export class TcpdumpTextParser {
  private readonly decoder = new TextDecoder();
  private partial = '';
  private lineNo = 0;
  private packets = 0;
  private bytes = 0;
  private firstTs = 0;
  private lastTs = 0;
  private dayOffset = 0;
  private lastSec = -1;
  private readonly diagnostics: CaptureDiagnostic[] = [];
  /** a `-v` IPv4 header line whose endpoints come on the next line */
  private pending: LineContext | undefined;
  /** last ICMP error, whose quoted packet tcpdump -v prints on the next line */
  private lastIcmp: Packet | undefined;

  private readonly visit: PacketVisitor;

  constructor(visit: PacketVisitor) {
    this.visit = visit;
  }

  push(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    const text = this.partial + this.decoder.decode(chunk, { stream: true });
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const l of lines) this.line(l);
  }

  end(): CaptureSummary {
    const rest = this.partial + this.decoder.decode();
    this.partial = '';
    if (rest) this.line(rest);
    if (this.packets === 0) {
      this.diagnostics.push(
        diag(
          this.bytes === 0 ? 'EMPTY' : 'WRONG_FORMAT',
          this.bytes === 0 ? 'the capture is empty' : 'no tcpdump packet lines found',
          0,
        ),
      );
    }
    return {
      format: 'tcpdump-text',
      linkTypes: [],
      packets: this.packets,
      bytes: this.bytes,
      firstTs: this.firstTs,
      lastTs: this.lastTs,
      diagnostics: this.diagnostics,
    };
  }

  private line(raw: string): void {
    this.lineNo++;
    const line = raw.replace(/\r$/, '');
    const indented = /^\s/.test(line);
    let s = line.trim();
    if (s === '' || s.startsWith('#')) return;
    const ctx: LineContext = {
      sec: 0,
      nsec: 0,
      hasTime: false,
      ifName: '',
      dir: '',
      ipv: 0,
      vlans: [],
      verbose: '',
    };
    s = this.timestamp(s, ctx);
    if (!ctx.hasTime && indented && this.lastIcmp?.inner) {
      // `-v`: the datagram quoted by an ICMP error, in one or two indented lines
      const body = s.replace(QUOTED_HEADER, '');
      if (body !== '') this.quoted(body);
      return;
    }
    if (!ctx.hasTime && indented && this.pending) {
      Object.assign(ctx, this.pending);
      this.pending = undefined;
      this.endpoints(ctx, s, true);
      return;
    }
    this.pending = undefined;
    let m = IFACE_DIR.exec(s);
    if (m && ctx.hasTime && !/^IP6?$/.test(m[1]!)) {
      ctx.ifName = m[1]!;
      ctx.dir = DIRS[m[2]!] ?? '';
      s = s.slice(m[0].length);
    }
    m = LINK_E.exec(s);
    if (m) {
      const h = ETHERTYPE_HDR.exec(m[1]!);
      if (!h) return; // ARP and other non-IP frames
      s = h[1]!;
      for (let v = VLAN_HDR.exec(s); v; v = VLAN_HDR.exec(s)) {
        ctx.vlans.push(Number(v[1]));
        s = v[2]!;
      }
    }
    const word = PROTO_WORD.exec(s);
    if (word) {
      ctx.ipv = word[1] === 'IP6' ? 6 : 4;
      s = word[2]!;
      const v4 = VERBOSE_V4.exec(s);
      const v6 = v4 ? null : VERBOSE_V6.exec(s);
      if (v4) {
        ctx.verbose = v4[1]!;
        s = v4[2]!;
      } else if (v6) s = v6[1]!;
      if (s === '') {
        this.pending = ctx; // endpoints follow on the next (indented) line
        return;
      }
    } else if (!/^\S+ > \S+?:\s/.test(s)) return; // not a packet line (payload, banner)
    this.endpoints(ctx, s, word !== null || ctx.hasTime);
  }

  private endpoints(ctx: LineContext, s: string, surelyPacket: boolean): void {
    const e = ENDPOINTS.exec(s);
    if (!e) {
      if (surelyPacket) this.unsupported(`packet line not understood: ${s.slice(0, 80)}`);
      return;
    }
    this.packet(ctx, e[1]!, e[2]!, e[3]!, surelyPacket);
  }

  private timestamp(s: string, ctx: LineContext): string {
    let m = TS_DATE.exec(s);
    if (m) {
      const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
      ctx.sec = ms / 1000;
      ctx.nsec = fraction(m[7]);
      ctx.hasTime = true;
      return s.slice(m[0].length);
    }
    m = TS_EPOCH.exec(s);
    if (m) {
      ctx.sec = Number(m[1]);
      ctx.nsec = fraction(m[2]);
      ctx.hasTime = true;
      return s.slice(m[0].length);
    }
    m = TS_TIME.exec(s);
    if (m && +m[2]! < 60 && +m[3]! < 61) {
      let sec = +m[1]! * 3600 + +m[2]! * 60 + +m[3]!;
      // time of day only: a wrap past midnight moves on to the next day
      if (this.lastSec >= 0 && sec + this.dayOffset < this.lastSec - 43200) this.dayOffset += 86400;
      sec += this.dayOffset;
      this.lastSec = sec;
      ctx.sec = sec;
      ctx.nsec = fraction(m[4]);
      ctx.hasTime = true;
      return s.slice(m[0].length);
    }
    return s;
  }

  private packet(
    ctx: LineContext,
    srcText: string,
    dstText: string,
    rest: string,
    surelyPacket: boolean,
  ): void {
    const isIcmp = /^ICMP6?\b/.test(rest);
    const src = endpoint(srcText, !isIcmp);
    const dst = endpoint(dstText, !isIcmp);
    const p = newPacket(this.packets + 1, ctx.sec, ctx.nsec, -1, 0, 0);
    p.line = this.lineNo;
    p.ifName = ctx.ifName;
    p.dir = ctx.dir;
    if (ctx.vlans.length) p.vlans = ctx.vlans;
    p.src = src.host;
    p.dst = dst.host;
    p.src4 = parseIpv4(src.host);
    p.dst4 = parseIpv4(dst.host);
    p.ipv = ctx.ipv || (src.host.includes(':') ? 6 : 4);
    p.ethertype = p.ipv === 6 ? 0x86dd : 0x0800;
    if (ctx.verbose) verboseFields(p, ctx.verbose);
    const known = this.body(p, rest, src.port, dst.port);
    if (!known) {
      if (surelyPacket) this.unsupported(`packet line not understood: ${rest.slice(0, 80)}`);
      return;
    }
    this.packets++;
    if (this.packets === 1) this.firstTs = p.ts;
    this.lastTs = p.ts;
    this.lastIcmp = p.inner ? p : undefined;
    this.visit(p);
  }

  /** Fills the transport fields from what follows `src > dst: `; false when not understood. */
  private body(p: Packet, rest: string, sport: number, dport: number): boolean {
    const flags = /^Flags \[([^\]]*)\]/.exec(rest);
    if (flags) {
      p.proto = PROTO_TCP;
      p.sport = sport;
      p.dport = dport;
      p.tcpFlags = tcpFlagBits(flags[1]!);
      const seq = /, seq (\d+)(?::(\d+))?/.exec(rest);
      if (seq) p.seq = Number(seq[1]) >>> 0;
      const ack = /, ack (\d+)/.exec(rest);
      if (ack) p.ack = Number(ack[1]) >>> 0;
      const win = /, win (\d+)/.exec(rest);
      if (win) p.win = Number(win[1]);
      const mss = /\bmss (\d+)/.exec(rest);
      if (mss) p.mss = Number(mss[1]);
      const ws = /\bwscale (\d+)/.exec(rest);
      if (ws) p.wscale = Number(ws[1]);
      const len = /, length (\d+)/.exec(rest);
      if (len) p.payloadLen = Number(len[1]);
      p.len = p.caplen = p.payloadLen + (p.ipv === 6 ? 60 : 40);
      return true;
    }
    if (/^ICMP6?\b/.test(rest)) return icmpBody(p, rest);
    if (sport < 0 && dport < 0) return false;
    p.sport = sport;
    p.dport = dport;
    const udpLen = /(?:^|\s)UDP, (?:bad )?length (\d+)/.exec(rest);
    if (sport === 53 || dport === 53 || sport === 5353 || dport === 5353) {
      p.proto = PROTO_UDP;
      const dnsOk = dnsBody(p, rest, dport === 53 || dport === 5353);
      if (!dnsOk && !udpLen) return /^\[?\|?domain\]?/.test(rest) || /^\[udp sum/.test(rest);
    } else if (
      /^(?:\[[^\]]*\]\s*)*(?:UDP|VXLAN|OTV|NTP|bootp|BOOTP|SNMP|syslog|quic|QUIC)/.test(rest) ||
      udpLen
    ) {
      p.proto = PROTO_UDP;
    } else if (/^tcp \d+/.test(rest)) {
      p.proto = PROTO_TCP;
    } else return false;
    if (udpLen) p.payloadLen = Number(udpLen[1]);
    const paren = /\((\d+)\)\s*$/.exec(rest);
    if (!udpLen && paren) p.payloadLen = Number(paren[1]);
    p.len = p.caplen = p.payloadLen + (p.ipv === 6 ? 48 : 28);
    return true;
  }

  /** `-v` prints the quoted datagram of an ICMP error on the next line: take its ports. */
  private quoted(s: string): void {
    const p = this.lastIcmp!;
    const inner = p.inner!;
    const e = ENDPOINTS.exec(s);
    if (!e) return;
    const a = endpoint(e[1]!, true);
    const b = endpoint(e[2]!, true);
    inner.src = a.host;
    inner.sport = a.port;
    if (b.port >= 0) inner.dport = b.port;
    const seq = /, seq (\d+)/.exec(e[3]!);
    if (seq) inner.seq = Number(seq[1]) >>> 0;
    this.lastIcmp = undefined;
  }

  private unsupported(message: string): void {
    if (this.diagnostics.length < 100) this.diagnostics.push(diag('UNSUPPORTED', message, this.lineNo));
  }
}

function fraction(digits: string | undefined): number {
  if (!digits) return 0;
  return Number((digits + '000000000').slice(0, 9));
}

/** `host.port` (names or addresses, IPv6 too) into host and port; port -1 when there is none. */
export function endpoint(text: string, withPort: boolean): { host: string; port: number } {
  const t = text.replace(/[,:]$/, '');
  if (!withPort) return { host: t, port: -1 };
  const dot = t.lastIndexOf('.');
  if (dot <= 0) return { host: t, port: -1 };
  const last = t.slice(dot + 1);
  const host = t.slice(0, dot);
  if (/^\d+$/.test(last)) {
    // an IPv4 address without a port has exactly three dots before this one
    if (/^\d+\.\d+\.\d+$/.test(host)) return { host: t, port: -1 };
    return { host, port: Number(last) };
  }
  const named = SERVICE_PORTS[last];
  if (named !== undefined) return { host, port: named };
  return { host: t, port: -1 };
}

export function tcpFlagBits(s: string): number {
  let f = 0;
  for (const c of s) {
    if (c === 'F') f |= 1;
    else if (c === 'S') f |= 2;
    else if (c === 'R') f |= 4;
    else if (c === 'P') f |= 8;
    else if (c === '.') f |= 16;
    else if (c === 'U') f |= 32;
    else if (c === 'E') f |= 64;
    else if (c === 'W') f |= 128;
  }
  return f;
}

function verboseFields(p: Packet, v: string): void {
  const ttl = /\bttl (\d+)/.exec(v);
  if (ttl) p.ttl = Number(ttl[1]);
  const id = /\bid (\d+)/.exec(v);
  if (id) p.ipId = Number(id[1]);
  const off = /\boffset (\d+)/.exec(v);
  if (off) p.fragOffset = Number(off[1]);
  const fl = /flags \[([^\]]*)\]/.exec(v);
  if (fl) {
    p.df = fl[1]!.includes('DF');
    p.moreFrags = fl[1]!.includes('+');
  }
  p.frag = p.moreFrags || p.fragOffset !== 0;
  p.ipOptions = /\boptions\b/.test(v);
  const len = /\blength (\d+)/.exec(v);
  if (len) p.ipLen = Number(len[1]);
}

function icmpBody(p: Packet, rest: string): boolean {
  const v6 = rest.startsWith('ICMP6');
  p.proto = v6 ? PROTO_ICMPV6 : PROTO_ICMP;
  const body = rest.replace(/^ICMP6?,?\s*/, '');
  const len = /, length (\d+)/.exec(rest);
  if (len) p.payloadLen = Number(len[1]);
  if (v6) {
    if (/^destination unreachable/.test(body)) {
      p.icmpType = 1;
      p.icmpCode = ICMP6_UNREACH_PHRASES.find(([re]) => re.test(body))?.[1] ?? 0;
      const q = /([0-9a-f:.]+) (tcp|udp) port (\S+?),/.exec(body);
      p.inner = {
        ipv: 6,
        src: p.dst,
        dst: q ? q[1]! : '',
        proto: q ? (q[2] === 'tcp' ? PROTO_TCP : PROTO_UDP) : -1,
        sport: -1,
        dport: q ? portOf(q[3]!) : -1,
        seq: -1,
      };
    } else if (/^packet too big/.test(body)) {
      p.icmpType = 2;
      p.icmpCode = 0;
      const mtu = /mtu (\d+)/.exec(body);
      p.mtu = mtu ? Number(mtu[1]) : 0;
      p.inner = { ipv: 6, src: p.dst, dst: '', proto: -1, sport: -1, dport: -1, seq: -1 };
    } else if (/^time exceeded/.test(body)) p.icmpType = 3;
    else if (/^echo request/.test(body)) p.icmpType = 128;
    else if (/^echo reply/.test(body)) p.icmpType = 129;
    else if (/^neighbor solicitation/.test(body)) p.icmpType = 135;
    else if (/^neighbor advertisement/.test(body)) p.icmpType = 136;
    else if (/^router solicitation/.test(body)) p.icmpType = 133;
    else if (/^router advertisement/.test(body)) p.icmpType = 134;
    else p.icmpType = 255;
    if (p.icmpCode < 0) p.icmpCode = 0;
    return true;
  }
  if (/unreachable/.test(body)) {
    p.icmpType = 3;
    p.icmpCode = ICMP_UNREACH_PHRASES.find(([re]) => re.test(body))?.[1] ?? 1;
    const mtu = /mtu (\d+)/.exec(body);
    if (mtu) p.mtu = Number(mtu[1]);
    const port = /^(\S+) (tcp|udp) port (\S+) unreachable/.exec(body);
    const host =
      /^(?:host|net) (\S+) unreachable/.exec(body) ?? /^(\S+) (?:protocol \d+ )?unreachable/.exec(body);
    p.inner = {
      ipv: 4,
      src: p.dst,
      dst: port ? port[1]! : host ? host[1]! : '',
      proto: port ? (port[2] === 'tcp' ? PROTO_TCP : PROTO_UDP) : -1,
      sport: -1,
      dport: port ? portOf(port[3]!) : -1,
      seq: -1,
    };
  } else if (/^echo request/.test(body)) p.icmpType = 8;
  else if (/^echo reply/.test(body)) p.icmpType = 0;
  else if (/^time exceeded/.test(body)) p.icmpType = 11;
  else if (/^redirect/.test(body)) p.icmpType = 5;
  else p.icmpType = 255;
  if (p.icmpCode < 0) p.icmpCode = 0;
  const id = /\bid (\d+), seq (\d+)/.exec(body);
  if (id) {
    p.sport = Number(id[1]);
    p.seq = Number(id[2]);
  }
  return true;
}

function portOf(s: string): number {
  if (/^\d+$/.test(s)) return Number(s);
  return SERVICE_PORTS[s] ?? -1;
}

/** `1234+ A? example.com. (29)` (query) or `1234 1/0/0 A 1.2.3.4 (45)` / `1234 NXDomain 0/1/0 (97)` (answer). */
function dnsBody(p: Packet, rest: string, query: boolean): boolean {
  const s = rest.replace(/^(?:\[[^\]]*\]\s*)+/, '');
  const q = /^(\d+)[+*%$-]*\s+(?:\[[^\]]*\]\s+)*(?:q: )?([A-Z0-9]+)\? (\S+)/.exec(s);
  const a =
    /^(\d+)[*$|+-]*\s+(?:q: [A-Z0-9]+\? \S+ )?(?:(NXDomain|ServFail|Refused|FormErr|NotImp)[*-]?\s+)?(\d+)\/(\d+)\/(\d+)/.exec(
      s,
    );
  if (a && (!query || !q)) {
    const qa = /q: ([A-Z0-9]+)\? (\S+)/.exec(s);
    p.dns = {
      id: Number(a[1]),
      response: true,
      rcode: a[2] ? (DNS_RCODES[a[2]] ?? 0) : 0,
      qname: qa ? qa[2]!.replace(/\.$/, '').toLowerCase() : '',
      qtype: qa ? (DNS_TYPES[qa[1]!] ?? 0) : 0,
      answers: Number(a[3]),
    };
    return true;
  }
  if (q) {
    p.dns = {
      id: Number(q[1]),
      response: false,
      rcode: 0,
      qname: q[3]!.replace(/\.$/, '').toLowerCase(),
      qtype: DNS_TYPES[q[2]!] ?? 0,
      answers: 0,
    };
    return true;
  }
  return false;
}
