/**
 * @module bench/pcap-bench-generate
 * Writes a large synthetic capture fast, for the pcap benchmark: TCP connections
 * (handshake, request, bulk response, FIN; some refused with RST, some aborted with RST),
 * DNS A/AAAA pairs from one socket (a few losing one answer and retrying 5 s later),
 * unanswered SYNs on the RTO schedule, and TCP inside VXLAN (UDP 8472) between node
 * addresses. Headers are patched into one reusable output buffer; payload bytes beyond
 * the snap length are not written (like `tcpdump -s 256`), original lengths are kept.
 */
import { openSync, writeSync, closeSync } from 'node:fs';

export interface GenerateOptions {
  packets: number;
  /** captured bytes per packet at most */
  snaplen?: number;
  /** deterministic seed */
  seed?: number;
}

export interface GenerateResult {
  packets: number;
  bytes: number;
  tcpFlows: number;
  resets: number;
  dnsPairs: number;
  vxlanPackets: number;
}

const OUT_SIZE = 8 << 20;
const ETH = 14;

interface Flow {
  c: number; // client IPv4 as uint32
  s: number; // server
  cport: number;
  sport: number;
  cseq: number;
  sseq: number;
  /** remaining response segments */
  left: number;
  step: number;
  kind: 'normal' | 'refused' | 'abort';
  vx: { src: number; dst: number; vni: number } | undefined;
}

/** xorshift32: reproducible runs */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}

class Sink {
  private readonly out = Buffer.alloc(OUT_SIZE);
  private pos = 0;
  private readonly fd: number;
  packets = 0;
  bytes = 0;
  ipId = 1;
  readonly snap: number;

  constructor(path: string, snap: number) {
    this.fd = openSync(path, 'w');
    this.snap = snap;
    const h = Buffer.alloc(24);
    h.writeUInt32LE(0xa1b2c3d4, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(snap, 16);
    h.writeUInt32LE(1, 20);
    this.write(h);
  }

  private write(b: Buffer): void {
    writeSync(this.fd, b);
    this.bytes += b.length;
  }

  /** Starts a record of `wire` bytes at time t; returns the offset of the frame and the captured length. */
  begin(t: number, wire: number): [number, number] {
    const cap = Math.min(wire, this.snap);
    if (this.pos + 16 + cap > OUT_SIZE) this.flush();
    const o = this.pos;
    const sec = Math.floor(t);
    const b = this.out;
    b.writeUInt32LE(sec, o);
    b.writeUInt32LE(Math.floor((t - sec) * 1e6), o + 4);
    b.writeUInt32LE(cap, o + 8);
    b.writeUInt32LE(wire, o + 12);
    b.fill(0, o + 16, o + 16 + cap);
    this.pos = o + 16 + cap;
    this.packets++;
    return [o + 16, cap];
  }

  get buf(): Buffer {
    return this.out;
  }

  flush(): void {
    if (this.pos) this.write(this.out.subarray(0, this.pos));
    this.pos = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  eth(o: number, cap: number, type: number): number {
    const b = this.out;
    if (cap >= 14) {
      b[o] = 2;
      b[o + 5] = 2;
      b[o + 6] = 2;
      b[o + 11] = 1;
      b.writeUInt16BE(type, o + 12);
    }
    return o + ETH;
  }

  /** IPv4 header without options; checksum left 0 (not verified by readers by default). */
  ip(o: number, limit: number, total: number, proto: number, src: number, dst: number): number {
    if (o + 20 > limit) return o + 20;
    const b = this.out;
    b[o] = 0x45;
    b.writeUInt16BE(total, o + 2);
    b.writeUInt16BE(this.ipId++ & 0xffff, o + 4);
    b[o + 6] = 0x40;
    b[o + 8] = 64;
    b[o + 9] = proto;
    b.writeUInt32BE(src >>> 0, o + 12);
    b.writeUInt32BE(dst >>> 0, o + 16);
    return o + 20;
  }
}

const SYN = 2;
const RST = 4;
const PSH = 8;
const ACK = 16;
const FIN = 1;

/** One TCP segment (optionally inside VXLAN). */
function segment(
  k: Sink,
  t: number,
  f: Flow,
  fromClient: boolean,
  flags: number,
  seq: number,
  ack: number,
  len: number,
): void {
  const syn = (flags & SYN) !== 0;
  const tcpLen = syn ? 28 : 20; // SYNs carry MSS and window scale
  const innerIp = 20 + tcpLen + len;
  const vxOver = f.vx ? ETH + 20 + 8 + 8 : 0;
  const wire = vxOver + ETH + innerIp;
  const [start, cap] = k.begin(t, wire);
  const limit = start + cap;
  const b = k.buf;
  let o = k.eth(start, cap, 0x0800);
  if (f.vx) {
    o = k.ip(o, limit, 20 + 8 + 8 + ETH + innerIp, 17, f.vx.src, f.vx.dst);
    if (o + 16 <= limit) {
      b.writeUInt16BE(40000 + (f.cport & 0x3ff), o);
      b.writeUInt16BE(8472, o + 2);
      b.writeUInt16BE(8 + 8 + ETH + innerIp, o + 4);
      b[o + 8] = 0x08;
      b.writeUIntBE(f.vx.vni, o + 12, 3);
    }
    o = k.eth(o + 16, limit - o - 16, 0x0800);
  }
  const src = fromClient ? f.c : f.s;
  const dst = fromClient ? f.s : f.c;
  o = k.ip(o, limit, innerIp, 6, src, dst);
  if (o + 20 > limit) return;
  b.writeUInt16BE(fromClient ? f.cport : f.sport, o);
  b.writeUInt16BE(fromClient ? f.sport : f.cport, o + 2);
  b.writeUInt32BE(seq >>> 0, o + 4);
  b.writeUInt32BE(ack >>> 0, o + 8);
  b[o + 12] = (tcpLen / 4) << 4;
  b[o + 13] = flags;
  b.writeUInt16BE(syn ? 64240 : 502, o + 14);
  if (syn && o + 28 <= limit) {
    b[o + 20] = 2;
    b[o + 21] = 4;
    b.writeUInt16BE(1460, o + 22);
    b[o + 24] = 1;
    b[o + 25] = 3;
    b[o + 26] = 3;
    b[o + 27] = 7;
  }
}

function dnsPacket(
  k: Sink,
  t: number,
  client: number,
  cport: number,
  server: number,
  id: number,
  qtype: number,
  response: boolean,
  name: Buffer,
): void {
  const dnsLen = 12 + name.length + 4 + (response ? 16 + (qtype === 28 ? 16 : 4) - 4 : 0);
  const wire = ETH + 20 + 8 + dnsLen;
  const [start, cap] = k.begin(t, wire);
  const limit = start + cap;
  const b = k.buf;
  let o = k.eth(start, cap, 0x0800);
  o = k.ip(o, limit, 20 + 8 + dnsLen, 17, response ? server : client, response ? client : server);
  if (o + 8 + 12 + name.length + 4 > limit) return;
  b.writeUInt16BE(response ? 53 : cport, o);
  b.writeUInt16BE(response ? cport : 53, o + 2);
  b.writeUInt16BE(8 + dnsLen, o + 4);
  o += 8;
  b.writeUInt16BE(id & 0xffff, o);
  b.writeUInt16BE(response ? 0x8180 : 0x0100, o + 2);
  b.writeUInt16BE(1, o + 4);
  b.writeUInt16BE(response ? 1 : 0, o + 6);
  name.copy(b, o + 12);
  b.writeUInt16BE(qtype, o + 12 + name.length);
  b.writeUInt16BE(1, o + 14 + name.length);
}

function encodeName(n: string): Buffer {
  const parts: number[] = [];
  for (const l of n.split('.')) parts.push(l.length, ...Buffer.from(l));
  parts.push(0);
  return Buffer.from(parts);
}

/** Writes the capture to `path`. */
export function generateCapture(path: string, o: GenerateOptions): GenerateResult {
  const k = new Sink(path, o.snaplen ?? 256);
  const rand = rng(o.seed ?? 42);
  const res: GenerateResult = { packets: 0, bytes: 0, tcpFlows: 0, resets: 0, dnsPairs: 0, vxlanPackets: 0 };
  const names = [
    'api.prod.svc.cluster.local',
    'db.prod.svc.cluster.local',
    'cache.prod.svc.cluster.local',
    'example.com',
  ].map(encodeName);
  const dnsServer = (10 << 24) | (96 << 16) | 10;
  const flows: Flow[] = [];
  const delayed: { t: number; run: (t: number) => void }[] = [];
  let t = 1_700_000_000;
  let port = 10000;
  let dnsId = 1;
  const newFlow = (): Flow => {
    res.tcpFlows++;
    const r = rand();
    const vx =
      rand() < 0.15
        ? {
            src: (192 << 24) | (168 << 16) | (1 + (res.tcpFlows % 8)),
            dst: (192 << 24) | (168 << 16) | 20,
            vni: 1,
          }
        : undefined;
    port = port >= 60000 ? 10000 : port + 1;
    return {
      c: ((10 << 24) | (244 << 16) | ((res.tcpFlows % 200) << 8) | 2) >>> 0,
      s: ((10 << 24) | (244 << 16) | (7 << 8) | (1 + (res.tcpFlows % 50))) >>> 0,
      cport: port,
      sport: r < 0.5 ? 8080 : 443,
      cseq: Math.floor(rand() * 4294967295),
      sseq: Math.floor(rand() * 4294967295),
      left: 4 + Math.floor(rand() * 40),
      step: 0,
      kind: r < 0.04 ? 'refused' : r < 0.07 ? 'abort' : 'normal',
      vx,
    };
  };
  for (let i = 0; i < 400; i++) flows.push(newFlow());
  while (k.packets < o.packets) {
    t += 0.00001;
    if (delayed.length && delayed[0]!.t <= t) {
      delayed.shift()!.run(t);
      continue;
    }
    const r = rand();
    if (r < 0.02) {
      // a DNS lookup: A and AAAA from one socket at once; 2% lose the AAAA answer and retry after 5 s
      const name = names[Math.floor(rand() * names.length)]!;
      const client = ((10 << 24) | (244 << 16) | (Math.floor(rand() * 200) << 8) | 3) >>> 0;
      const cport = 30000 + Math.floor(rand() * 30000);
      const id = dnsId;
      dnsId = (dnsId + 2) & 0xffff;
      res.dnsPairs++;
      dnsPacket(k, t, client, cport, dnsServer, id, 1, false, name);
      dnsPacket(k, t + 0.000002, client, cport, dnsServer, id + 1, 28, false, name);
      dnsPacket(k, t + 0.0004, client, cport, dnsServer, id, 1, true, name);
      if (rand() < 0.02) {
        delayed.push({
          t: t + 5,
          run: (tt) => dnsPacket(k, tt, client, cport, dnsServer, id + 2, 28, false, name),
        });
        delayed.push({
          t: t + 5.0004,
          run: (tt) => dnsPacket(k, tt, client, cport, dnsServer, id + 2, 28, true, name),
        });
        delayed.sort((a, b) => a.t - b.t);
      } else dnsPacket(k, t + 0.0005, client, cport, dnsServer, id + 1, 28, true, name);
      t += 0.0005;
      continue;
    }
    if (r < 0.02005) {
      // an unanswered SYN: retransmitted at +1, +3, +7 s
      const f = newFlow();
      f.vx = undefined;
      segment(k, t, f, true, SYN, f.cseq, 0, 0);
      for (const dt of [1, 3, 7])
        delayed.push({ t: t + dt, run: (tt) => segment(k, tt, f, true, SYN, f.cseq, 0, 0) });
      delayed.sort((a, b) => a.t - b.t);
      continue;
    }
    const i = Math.floor(rand() * flows.length);
    const f = flows[i]!;
    if (f.vx) res.vxlanPackets++;
    switch (f.step++) {
      case 0:
        segment(k, t, f, true, SYN, f.cseq, 0, 0);
        f.cseq++;
        break;
      case 1:
        if (f.kind === 'refused') {
          segment(k, t, f, false, RST | ACK, 0, f.cseq, 0);
          res.resets++;
          flows[i] = newFlow();
        } else {
          segment(k, t, f, false, SYN | ACK, f.sseq, f.cseq, 0);
          f.sseq++;
        }
        break;
      case 2:
        segment(k, t, f, true, ACK, f.cseq, f.sseq, 0);
        break;
      case 3:
        segment(k, t, f, true, PSH | ACK, f.cseq, f.sseq, 120);
        f.cseq += 120;
        break;
      default:
        if (f.left > 0) {
          const len = f.left === 1 ? 300 : 1448;
          segment(k, t, f, false, ACK | (f.left === 1 ? PSH : 0), f.sseq, f.cseq, len);
          f.sseq += len;
          f.left--;
          if (f.left % 2 === 0) segment(k, t + 0.000001, f, true, ACK, f.cseq, f.sseq, 0);
        } else if (f.kind === 'abort') {
          segment(k, t, f, true, RST | ACK, f.cseq, f.sseq, 0);
          res.resets++;
          flows[i] = newFlow();
        } else if (f.left === 0) {
          segment(k, t, f, true, FIN | ACK, f.cseq, f.sseq, 0);
          segment(k, t + 0.00002, f, false, FIN | ACK, f.sseq, f.cseq + 1, 0);
          segment(k, t + 0.00004, f, true, ACK, f.cseq + 1, f.sseq + 1, 0);
          t += 0.00004;
          flows[i] = newFlow();
        }
    }
  }
  k.close();
  res.packets = k.packets;
  res.bytes = k.bytes;
  return res;
}
