/**
 * @module pcap/analyze
 * One pass over a capture: the reader pushes packets, the TCP tracker follows connections,
 * and every detector looks for its signature. Streaming: state is per live flow and is
 * swept as capture time advances, so memory does not grow with the file.
 */
import type { Readable } from 'node:stream';
import { open } from 'node:fs/promises';
import type { CaptureSummary, Packet, PcapFinding, PcapReport } from './types.js';
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, TCP_FIN, TCP_RST, TCP_SYN } from './types.js';
import { createCaptureParser } from './read/capture-parser.js';
import type { DetectorContext, NameMap } from './signatures/context.js';
import type { Detector } from './signatures/detector.js';
import { TcpTracker } from './signatures/tcp-tracker.js';
import { NatReplyBypass } from './signatures/nat-reply-bypass.js';
import { SynUnanswered } from './signatures/syn-unanswered.js';
import { DnsRetry5s } from './signatures/dns-retry-5s.js';
import { IcmpUnreachable } from './signatures/icmp-unreachable.js';
import { PmtuBlackhole } from './signatures/pmtu-blackhole.js';
import { SnatPortReuse } from './signatures/snat-port-reuse.js';
import { CtInvalidReset } from './signatures/ct-invalid-reset.js';
import { FlowCounter } from './signatures/flow-counter.js';

export interface AnalyzeOptions {
  /** label for evidence sources (`<file>#<n>`); default `capture` */
  file?: string;
  /** node the capture was taken on */
  node?: string;
  /** pod/Service/node names by IP, shown as `name (ip)` */
  names?: NameMap;
  /** input is tcpdump text (`--text`) */
  text?: boolean;
  /** read size for files; default 1 MiB */
  chunkSize?: number;
  /** run only the detectors reporting these finding ids (default: all) */
  only?: readonly string[];
}

/** Sweep by capture time, and by packet count for captures without time. */
const SWEEP_EVERY = 1 << 18;
const SWEEP_SECONDS = 2;

const SEVERITY_RANK = { critical: 0, warning: 1, info: 2 } as const;

/** Routes packets to the tracker and detectors; build one per capture. */
export class CaptureAnalyzer {
  private readonly ctx: DetectorContext;
  private readonly tracker: TcpTracker;
  private readonly flows = new FlowCounter();
  private readonly detectors: Detector[];
  private readonly tcp: Detector[];
  private readonly tcpControl: Detector[];
  private readonly udp: Detector[];
  private readonly icmp: Detector[];
  private readonly ended: Detector[];
  private count = 0;
  private lastSweep = -Infinity;
  private now = 0;

  constructor(opts: AnalyzeOptions = {}) {
    this.ctx = {
      file: opts.file ?? 'capture',
      node: opts.node ?? '',
      names: opts.names ?? new Map(),
      absoluteSeq: !opts.text,
    };
    this.detectors = [
      new NatReplyBypass(this.ctx),
      new SynUnanswered(this.ctx),
      new DnsRetry5s(this.ctx),
      new IcmpUnreachable(this.ctx),
      new PmtuBlackhole(this.ctx),
      new SnatPortReuse(this.ctx),
      new CtInvalidReset(this.ctx),
    ].filter((d) => !opts.only || d.ids.some((id) => opts.only!.includes(id)));
    this.tcp = this.detectors.filter((d) => d.onTcp);
    this.tcpControl = this.detectors.filter((d) => d.onTcpControl);
    this.udp = this.detectors.filter((d) => d.onUdp);
    this.icmp = this.detectors.filter((d) => d.onIcmpError);
    this.ended = this.detectors.filter((d) => d.onConnEnd);
    this.tracker = new TcpTracker(this.ctx.absoluteSeq, (c) => {
      for (const d of this.ended) d.onConnEnd!(c);
    });
  }

  /** The packet visitor to hand to a reader. */
  readonly visit = (p: Packet): void => {
    if (p.ts > this.now) this.now = p.ts;
    if ((++this.count & (SWEEP_EVERY - 1)) === 0 || this.now - this.lastSweep > SWEEP_SECONDS) this.sweep();
    switch (p.proto) {
      case PROTO_TCP: {
        if (p.sport < 0) return;
        const seen = this.tracker.track(p);
        for (let i = 0; i < this.tcp.length; i++) this.tcp[i]!.onTcp!(p, seen);
        if (p.tcpFlags & (TCP_SYN | TCP_RST | TCP_FIN))
          for (let i = 0; i < this.tcpControl.length; i++) this.tcpControl[i]!.onTcpControl!(p, seen);
        return;
      }
      case PROTO_UDP:
        if (p.sport < 0) return;
        this.flows.touch(p);
        if (p.dns) for (let i = 0; i < this.udp.length; i++) this.udp[i]!.onUdp!(p);
        return;
      case PROTO_ICMP:
      case PROTO_ICMPV6:
        this.flows.touch(p);
        if (p.inner) for (let i = 0; i < this.icmp.length; i++) this.icmp[i]!.onIcmpError!(p);
        return;
      default:
        if (p.ipv) this.flows.touch(p);
    }
  };

  /** What the analyser holds right now: TCP connections and other flows (for tests). */
  get live(): { connections: number; flows: number } {
    return { connections: this.tracker.live, flows: this.flows.live };
  }

  private sweep(): void {
    this.lastSweep = this.now;
    this.tracker.sweep(this.now);
    this.flows.sweep(this.now);
    for (const d of this.detectors) d.sweep(this.now);
  }

  /** Ends the analysis with what the reader reported. */
  report(summary: CaptureSummary): PcapReport {
    this.tracker.finish();
    const findings: PcapFinding[] = [];
    for (const d of this.detectors) findings.push(...d.finish());
    findings.sort(
      (a, b) =>
        SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
        (a.packets[0]?.n ?? 0) - (b.packets[0]?.n ?? 0),
    );
    const diagnostics = summary.diagnostics.map((d) => ({ ...d, source: d.source ?? this.ctx.file }));
    return {
      file: this.ctx.file,
      format: summary.format,
      linkTypes: summary.linkTypes,
      packets: summary.packets,
      flows: this.tracker.created + this.flows.created,
      bytes: summary.bytes,
      firstTs: summary.firstTs,
      lastTs: summary.lastTs,
      duration: summary.packets ? Math.max(0, summary.lastTs - summary.firstTs) : 0,
      diagnostics,
      findings,
    };
  }
}

/** Analyses an in-memory capture (tests, small inputs). Never throws. */
export function analyzeBuffer(data: Uint8Array, opts: AnalyzeOptions = {}): PcapReport {
  const a = new CaptureAnalyzer(opts);
  const parser = createCaptureParser(a.visit, { text: opts.text });
  parser.push(data);
  return a.report(parser.end());
}

/** Analyses a stream chunk by chunk (stdin, a socket, a decompressor). */
export async function analyzeStream(
  input: Readable | AsyncIterable<Uint8Array>,
  opts: AnalyzeOptions = {},
): Promise<PcapReport> {
  const a = new CaptureAnalyzer(opts);
  const parser = createCaptureParser(a.visit, { text: opts.text });
  for await (const chunk of input as AsyncIterable<Uint8Array | string>) {
    parser.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  return a.report(parser.end());
}

/**
 * Analyses a file read in chunks from its descriptor. Throws only when the file cannot be
 * opened or read (the caller reports that as unreadable input).
 */
export async function analyzeFile(path: string, opts: AnalyzeOptions = {}): Promise<PcapReport> {
  const a = new CaptureAnalyzer({ file: path, ...opts });
  const parser = createCaptureParser(a.visit, { text: opts.text });
  const size = opts.chunkSize ?? 1 << 20;
  const fh = await open(path, 'r');
  try {
    for (;;) {
      // a fresh buffer per read: the parser may keep the tail of the previous one
      const buf = Buffer.allocUnsafe(size);
      const { bytesRead } = await fh.read(buf, 0, size, null);
      if (bytesRead === 0) break;
      parser.push(bytesRead === size ? buf : buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return a.report(parser.end());
}
