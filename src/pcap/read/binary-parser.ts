/**
 * @module pcap/read/binary-parser
 * Chunk bookkeeping shared by the pcap and pcapng push parsers: the unconsumed tail of the
 * previous chunk is joined to the head of the next one, so a record that straddles two
 * reads is seen whole without copying whole chunks, and `base + pos` is always the file
 * offset of the next unread byte.
 */
import type { CaptureDiagnostic, CaptureFormat, CaptureSummary, PacketVisitor } from '../types.js';
import type { DiagnosticCode, DiagnosticSeverity } from '../../parse/diagnostic.js';

const EMPTY = new Uint8Array(0);
/** bytes of a new chunk joined to the previous chunk's unread tail */
const STITCH = 1 << 16;

export function captureDiag(
  code: DiagnosticCode,
  message: string,
  offset: number,
  record: number,
  severity: DiagnosticSeverity = 'error',
): CaptureDiagnostic {
  return { code, severity, message, line: 0, column: 0, offset, record };
}

export abstract class BinaryParser {
  protected buf: Uint8Array = EMPTY;
  protected pos = 0;
  /** file offset of buf[0] */
  protected base = 0;
  /** a fatal problem was met: the rest of the input is ignored */
  protected stopped = false;
  protected packets = 0;
  protected bytes = 0;
  protected firstTs = 0;
  protected lastTs = 0;
  protected readonly diagnostics: CaptureDiagnostic[] = [];
  protected readonly linkTypes: number[] = [];
  protected format: CaptureFormat = 'unknown';

  protected readonly visit: PacketVisitor;

  constructor(visit: PacketVisitor) {
    this.visit = visit;
  }

  push(chunk: Uint8Array): void {
    if (this.stopped || chunk.length === 0) return;
    this.bytes += chunk.length;
    const rest = this.buf.length - this.pos;
    if (rest <= 0) {
      this.base += this.buf.length;
      this.buf = chunk;
      this.pos = 0;
      this.drain();
      return;
    }
    // the unread tail plus the head of the new chunk: enough to finish the straddling record
    const take = Math.min(chunk.length, STITCH);
    const stitch = new Uint8Array(rest + take);
    stitch.set(this.buf.subarray(this.pos));
    stitch.set(chunk.subarray(0, take), rest);
    this.base += this.pos;
    this.buf = stitch;
    this.pos = 0;
    this.drain();
    if (this.stopped || take === chunk.length) return;
    if (this.pos >= rest) {
      // back to reading the chunk itself, where the stitched records ended
      const used = this.pos - rest;
      this.base += rest;
      this.buf = chunk;
      this.pos = used;
    } else {
      // a record longer than the stitch: join everything (rare)
      const left = stitch.length - this.pos;
      const merged = new Uint8Array(left + chunk.length - take);
      merged.set(stitch.subarray(this.pos));
      merged.set(chunk.subarray(take), left);
      this.base += this.pos;
      this.buf = merged;
      this.pos = 0;
    }
    this.drain();
  }

  /** Parses every complete record in buf from pos on. */
  protected abstract drain(): void;

  /** Called by end() when bytes are left over: the last record is cut short. */
  protected abstract truncated(): CaptureDiagnostic;

  end(): CaptureSummary {
    if (!this.stopped && this.pos < this.buf.length) this.diagnostics.push(this.truncated());
    if (this.bytes === 0) this.diagnostics.push(captureDiag('EMPTY', 'the capture is empty', 0, 0));
    this.stopped = true;
    return {
      format: this.format,
      linkTypes: this.linkTypes,
      packets: this.packets,
      bytes: this.bytes,
      firstTs: this.firstTs,
      lastTs: this.lastTs,
      diagnostics: this.diagnostics,
    };
  }

  protected fail(d: CaptureDiagnostic): void {
    this.diagnostics.push(d);
    this.stopped = true;
  }

  protected get offset(): number {
    return this.base + this.pos;
  }
}

export function u16(b: Uint8Array, i: number, le: boolean): number {
  return le ? b[i]! | (b[i + 1]! << 8) : (b[i]! << 8) | b[i + 1]!;
}

export function u32(b: Uint8Array, i: number, le: boolean): number {
  return le
    ? (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0
    : ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
}
