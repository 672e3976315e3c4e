/**
 * @module pcap/read/pcap-parser
 * Classic libpcap files (draft-ietf-opsawg-pcap): both byte orders, microsecond
 * (0xa1b2c3d4) and nanosecond (0xa1b23c4d) magic, and the "modified" Kuznetzov
 * format (0xa1b2cd34, 8 more bytes per record). A push parser: feed chunks, never throws.
 */
import type { CaptureDiagnostic } from '../types.js';
import { decodeFrame, isSupportedLinkType, linkTypeName } from '../decode/link.js';
import { newPacket } from '../decode/packet.js';
import { BinaryParser, captureDiag, u16, u32 } from './binary-parser.js';

export const PCAP_MAGIC_USEC = 0xa1b2c3d4;
export const PCAP_MAGIC_NSEC = 0xa1b23c4d;
export const PCAP_MAGIC_MODIFIED = 0xa1b2cd34;

/** libpcap's MAXIMUM_SNAPLEN: larger records are taken as corruption (pcap_next_packet). */
const MAX_SNAPLEN = 262144;

export class PcapParser extends BinaryParser {
  private headerDone = false;
  private le = true;
  private nano = false;
  private recordHeader = 16;
  private linkType = 0;
  private maxCaplen = MAX_SNAPLEN;
  /** bytes of FCS at the end of each packet (link type field bits 28-31) */
  private fcs = 0;

  protected drain(): void {
    if (!this.headerDone && !this.readHeader()) return;
    const b = this.buf;
    const le = this.le;
    const rh = this.recordHeader;
    let pos = this.pos;
    while (!this.stopped) {
      if (b.length - pos < rh) break;
      const incl = u32(b, pos + 8, le);
      if (incl > this.maxCaplen) {
        this.pos = pos;
        this.fail(
          captureDiag(
            'BAD_VALUE',
            `record ${this.packets + 1} at byte offset ${this.base + pos}: captured length ${incl} exceeds the maximum ${this.maxCaplen} (corrupt file)`,
            this.base + pos,
            this.packets + 1,
          ),
        );
        return;
      }
      if (b.length - pos < rh + incl) break;
      const sec = u32(b, pos, le);
      let frac = u32(b, pos + 4, le);
      if (!this.nano) frac *= 1000;
      const n = ++this.packets;
      const p = newPacket(n, sec, frac, this.linkType, incl, u32(b, pos + 12, le));
      if (n === 1) this.firstTs = p.ts;
      this.lastTs = p.ts;
      const start = pos + rh;
      decodeFrame(p, b, start, start + (incl > this.fcs ? incl - this.fcs : incl), this.linkType);
      pos = start + incl;
      this.visit(p);
    }
    this.pos = pos;
  }

  private readHeader(): boolean {
    const b = this.buf;
    if (b.length - this.pos < 24) return false;
    const o = this.pos;
    const magicBE = u32(b, o, false);
    const magicLE = u32(b, o, true);
    const magics = [PCAP_MAGIC_USEC, PCAP_MAGIC_NSEC, PCAP_MAGIC_MODIFIED];
    if (magics.includes(magicLE)) this.le = true;
    else if (magics.includes(magicBE)) this.le = false;
    else {
      this.fail(captureDiag('WRONG_FORMAT', 'not a pcap file (bad magic number)', this.base + o, 0));
      return false;
    }
    const magic = this.le ? magicLE : magicBE;
    this.nano = magic === PCAP_MAGIC_NSEC;
    this.recordHeader = magic === PCAP_MAGIC_MODIFIED ? 24 : 16;
    this.format =
      magic === PCAP_MAGIC_NSEC ? 'pcap-nsec' : magic === PCAP_MAGIC_MODIFIED ? 'pcap-modified' : 'pcap';
    const major = u16(b, o + 4, this.le);
    if (major !== 2) {
      this.diagnostics.push(
        captureDiag(
          'UNSUPPORTED',
          `pcap version ${major}.${u16(b, o + 6, this.le)}, reading as 2.4`,
          this.base + o,
          0,
          'warning',
        ),
      );
    }
    const snaplen = u32(b, o + 16, this.le);
    const network = u32(b, o + 20, this.le);
    this.linkType = network & 0xffff;
    if ((network >>> 28) & 1) this.fcs = ((network >>> 29) & 7) * 2;
    this.maxCaplen = Math.max(MAX_SNAPLEN, Math.min(snaplen, 1 << 24));
    this.linkTypes.push(this.linkType);
    if (!isSupportedLinkType(this.linkType)) {
      this.diagnostics.push(
        captureDiag(
          'UNSUPPORTED',
          `${linkTypeName(this.linkType)} is not decoded: packets are counted only`,
          this.base + o + 20,
          0,
          'unsupported',
        ),
      );
    }
    this.pos += 24;
    this.headerDone = true;
    return true;
  }

  protected truncated(): CaptureDiagnostic {
    const left = this.buf.length - this.pos;
    if (!this.headerDone) {
      return captureDiag('UNEXPECTED_EOF', `file header cut short: ${left} of 24 bytes`, this.offset, 0);
    }
    const n = this.packets + 1;
    const need =
      left >= this.recordHeader
        ? this.recordHeader + u32(this.buf, this.pos + 8, this.le)
        : this.recordHeader;
    return captureDiag(
      'UNEXPECTED_EOF',
      `record ${n} at byte offset ${this.offset} is cut short: ${left} of ${need} bytes (file truncated)`,
      this.offset,
      n,
    );
  }
}
