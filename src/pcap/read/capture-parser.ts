/**
 * @module pcap/read/capture-parser
 * Picks the reader from the first four bytes: pcap magic (either byte order), the pcapng
 * section header, or printable text (tcpdump's text output). A push parser like the others.
 */
import type { CaptureParser, CaptureSummary, PacketVisitor } from '../types.js';
import { captureDiag } from './binary-parser.js';
import { PCAP_MAGIC_MODIFIED, PCAP_MAGIC_NSEC, PCAP_MAGIC_USEC, PcapParser } from './pcap-parser.js';
import { BLOCK_SHB, PcapngParser } from './pcapng-parser.js';
import { TcpdumpTextParser } from './tcpdump-text-parser.js';

export interface CaptureParserOptions {
  /** treat the input as tcpdump text output (`--text`) */
  text?: boolean;
}

export function createCaptureParser(visit: PacketVisitor, opts: CaptureParserOptions = {}): CaptureParser {
  return opts.text ? new TcpdumpTextParser(visit) : new AutoParser(visit);
}

class AutoParser implements CaptureParser {
  private inner: CaptureParser | undefined;
  private head: Uint8Array[] = [];
  private headLen = 0;
  private wrong = false;

  private readonly visit: PacketVisitor;

  constructor(visit: PacketVisitor) {
    this.visit = visit;
  }

  push(chunk: Uint8Array): void {
    if (this.inner) {
      this.inner.push(chunk);
      return;
    }
    if (this.wrong) return;
    this.head.push(chunk);
    this.headLen += chunk.length;
    if (this.headLen < 4) return;
    const first = this.head.length === 1 ? chunk : Buffer.concat(this.head);
    this.inner = this.choose(first);
    this.head = [];
    if (this.inner) this.inner.push(first);
  }

  end(): CaptureSummary {
    if (this.inner) return this.inner.end();
    const empty = this.headLen === 0;
    return {
      format: 'unknown',
      linkTypes: [],
      packets: 0,
      bytes: this.headLen,
      firstTs: 0,
      lastTs: 0,
      diagnostics: [
        empty
          ? captureDiag('EMPTY', 'the capture is empty', 0, 0)
          : this.wrong
            ? captureDiag(
                'WRONG_FORMAT',
                'not a pcap, pcapng or tcpdump text capture (unknown magic number at byte offset 0)',
                0,
                0,
              )
            : captureDiag(
                'UNEXPECTED_EOF',
                `file header cut short at byte offset ${this.headLen}`,
                this.headLen,
                0,
              ),
      ],
    };
  }

  private choose(b: Uint8Array): CaptureParser | undefined {
    const be = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
    const le = ((b[3]! << 24) | (b[2]! << 16) | (b[1]! << 8) | b[0]!) >>> 0;
    const pcap = [PCAP_MAGIC_USEC, PCAP_MAGIC_NSEC, PCAP_MAGIC_MODIFIED];
    if (pcap.includes(be) || pcap.includes(le)) return new PcapParser(this.visit);
    if (be === BLOCK_SHB) return new PcapngParser(this.visit);
    if (looksLikeText(b)) return new TcpdumpTextParser(this.visit);
    this.wrong = true;
    return undefined;
  }
}

function looksLikeText(b: Uint8Array): boolean {
  const n = Math.min(b.length, 512);
  for (let i = 0; i < n; i++) {
    const c = b[i]!;
    if (c < 9 || (c > 13 && c < 32) || c === 127) return false;
  }
  return true;
}
