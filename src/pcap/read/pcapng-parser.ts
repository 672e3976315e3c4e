/**
 * @module pcap/read/pcapng-parser
 * pcapng (draft-ietf-opsawg-pcapng): sections in either byte order, several interfaces each
 * with its link type, name and if_tsresol/if_tsoffset, enhanced (EPB), simple (SPB) and
 * obsolete (PB) packet blocks; every other block is skipped by its length. A push parser.
 */
import type { CaptureDiagnostic, PacketDirection } from '../types.js';
import { decodeFrame, isSupportedLinkType, linkTypeName } from '../decode/link.js';
import { newPacket } from '../decode/packet.js';
import { BinaryParser, captureDiag, u16, u32 } from './binary-parser.js';
import {
  DEFAULT_RESOLUTION,
  resolutionFromOption,
  splitTimestamp,
  type TsResolution,
} from './pcapng-time.js';

export const BLOCK_SHB = 0x0a0d0d0a;
const BLOCK_IDB = 1;
const BLOCK_PB = 2;
const BLOCK_SPB = 3;
const BLOCK_EPB = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** Larger blocks are taken as corruption (Wireshark's limit is of the same order). */
const MAX_BLOCK = 64 * 1024 * 1024;

interface Interface {
  linkType: number;
  snaplen: number;
  name: string;
  res: TsResolution;
}

/** rounded up to 4; arithmetic, not bit operations: n may exceed 2^31 in a corrupt file */
const pad4 = (n: number) => n + ((4 - (n % 4)) % 4);

export class PcapngParser extends BinaryParser {
  private le = true;
  private inSection = false;
  private interfaces: Interface[] = [];
  /** global interface number of interfaces[0] (ids restart in every section) */
  private ifaceBase = 0;
  private blocks = 0;
  private readonly ts = [0, 0];
  private readonly warnedIface = new Set<number>();

  protected drain(): void {
    const b = this.buf;
    let pos = this.pos;
    while (!this.stopped && b.length - pos >= 12) {
      const start = this.base + pos;
      let type = u32(b, pos, this.le);
      if (type === BLOCK_SHB || !this.inSection) {
        if (type !== BLOCK_SHB) {
          this.pos = pos;
          this.fail(
            captureDiag(
              'WRONG_FORMAT',
              'not a pcapng file (no section header block)',
              start,
              this.blocks + 1,
            ),
          );
          return;
        }
        const bom = u32(b, pos + 8, true);
        if (bom === BYTE_ORDER_MAGIC) this.le = true;
        else if (bom === 0x4d3c2b1a) this.le = false;
        else {
          this.pos = pos;
          this.fail(
            captureDiag(
              'BAD_VALUE',
              `block ${this.blocks + 1} at byte offset ${start}: bad byte-order magic`,
              start,
              this.blocks + 1,
            ),
          );
          return;
        }
        type = BLOCK_SHB;
      }
      const len = u32(b, pos + 4, this.le);
      if (len < 12 || len % 4 !== 0 || len > MAX_BLOCK || (type === BLOCK_SHB && len < 28)) {
        this.pos = pos;
        this.fail(
          captureDiag(
            'BAD_VALUE',
            `block ${this.blocks + 1} at byte offset ${start}: impossible block length ${len} (corrupt file)`,
            start,
            this.blocks + 1,
          ),
        );
        return;
      }
      if (b.length - pos < len) break;
      if (u32(b, pos + len - 4, this.le) !== len) {
        this.pos = pos;
        this.fail(
          captureDiag(
            'BAD_VALUE',
            `block ${this.blocks + 1} at byte offset ${start}: trailing length ${u32(b, pos + len - 4, this.le)} differs from ${len} (corrupt file)`,
            start,
            this.blocks + 1,
          ),
        );
        return;
      }
      this.blocks++;
      switch (type) {
        case BLOCK_SHB:
          this.section(b, pos, len);
          break;
        case BLOCK_IDB:
          this.interfaceBlock(b, pos, len, start);
          break;
        case BLOCK_EPB:
          this.packetBlock(b, pos, len, start, u32(b, pos + 8, this.le), 12, 20, 24, 28);
          break;
        case BLOCK_PB:
          this.packetBlock(b, pos, len, start, u16(b, pos + 8, this.le), 12, 20, 24, 28);
          break;
        case BLOCK_SPB:
          this.simplePacketBlock(b, pos, len, start);
          break;
        default:
          break; // NRB, ISB, DSB, custom, ...: skipped by length
      }
      pos += len;
    }
    this.pos = pos;
  }

  private section(b: Uint8Array, pos: number, _len: number): void {
    this.inSection = true;
    this.format = 'pcapng';
    this.ifaceBase += this.interfaces.length;
    this.interfaces = [];
    const major = u16(b, pos + 12, this.le);
    if (major !== 1) {
      this.diagnostics.push(
        captureDiag(
          'UNSUPPORTED',
          `pcapng version ${major}, reading as 1.0`,
          this.base + pos,
          this.blocks,
          'warning',
        ),
      );
    }
  }

  private interfaceBlock(b: Uint8Array, pos: number, len: number, start: number): void {
    if (len < 20) {
      this.diagnostics.push(
        captureDiag(
          'BAD_VALUE',
          `block ${this.blocks}: interface description too short`,
          start,
          this.blocks,
          'warning',
        ),
      );
      return;
    }
    const iface: Interface = {
      linkType: u16(b, pos + 8, this.le),
      snaplen: u32(b, pos + 12, this.le),
      name: '',
      res: DEFAULT_RESOLUTION,
    };
    let perSecond = 1e6;
    let offset = 0;
    this.forOptions(b, pos + 16, pos + len - 4, (code, o, l) => {
      if (code === 2) iface.name = new TextDecoder().decode(b.subarray(o, o + l));
      else if (code === 9 && l >= 1) perSecond = resolutionFromOption(b[o]!);
      else if (code === 14 && l >= 8) {
        // if_tsoffset: signed 64-bit seconds; the high half only matters for its sign
        const hi = u32(b, this.le ? o + 4 : o, this.le) | 0;
        const lo = u32(b, this.le ? o : o + 4, this.le);
        offset = hi * 4294967296 + lo;
      }
    });
    if (perSecond !== 1e6 || offset !== 0) iface.res = { perSecond, offset };
    this.interfaces.push(iface);
    this.linkTypes.push(iface.linkType);
    if (!isSupportedLinkType(iface.linkType)) {
      this.diagnostics.push(
        captureDiag(
          'UNSUPPORTED',
          `interface ${this.interfaces.length - 1}${iface.name ? ` (${iface.name})` : ''}: ${linkTypeName(iface.linkType)} is not decoded`,
          start,
          this.blocks,
          'unsupported',
        ),
      );
    }
  }

  /** EPB and PB share a layout after the interface id (4 bytes in EPB, 2 + 2 drops in PB). */
  private packetBlock(
    b: Uint8Array,
    pos: number,
    len: number,
    start: number,
    ifid: number,
    tsAt: number,
    capAt: number,
    origAt: number,
    dataAt: number,
  ): void {
    const caplen = u32(b, pos + capAt, this.le);
    if (dataAt + pad4(caplen) + 4 > len) {
      this.fail(
        captureDiag(
          'BAD_VALUE',
          `block ${this.blocks} at byte offset ${start}: captured length ${caplen} overruns the block (corrupt file)`,
          start,
          this.blocks,
        ),
      );
      return;
    }
    const iface = this.interfaces[ifid];
    const n = ++this.packets;
    if (!iface) {
      if (!this.warnedIface.has(ifid)) {
        this.warnedIface.add(ifid);
        this.diagnostics.push(
          captureDiag(
            'BAD_VALUE',
            `block ${this.blocks}: packet on undeclared interface ${ifid}`,
            start,
            this.blocks,
            'warning',
          ),
        );
      }
    }
    const res = iface ? iface.res : DEFAULT_RESOLUTION;
    splitTimestamp(u32(b, pos + tsAt, this.le), u32(b, pos + tsAt + 4, this.le), res, this.ts);
    const linkType = iface ? iface.linkType : -1;
    const p = newPacket(n, this.ts[0]!, this.ts[1]!, linkType, caplen, u32(b, pos + origAt, this.le));
    p.iface = this.ifaceBase + ifid;
    if (iface) p.ifName = iface.name;
    const data = pos + dataAt;
    const optStart = data + pad4(caplen);
    if (optStart < pos + len - 4) p.dir = this.direction(b, optStart, pos + len - 4);
    if (iface) decodeFrame(p, b, data, data + caplen, linkType);
    if (n === 1) this.firstTs = p.ts;
    this.lastTs = p.ts;
    this.visit(p);
  }

  private simplePacketBlock(b: Uint8Array, pos: number, len: number, start: number): void {
    const iface = this.interfaces[0];
    if (!iface) {
      this.fail(
        captureDiag(
          'BAD_VALUE',
          `block ${this.blocks} at byte offset ${start}: simple packet block before any interface`,
          start,
          this.blocks,
        ),
      );
      return;
    }
    const orig = u32(b, pos + 8, this.le);
    let caplen = Math.min(orig, len - 16);
    if (iface.snaplen > 0) caplen = Math.min(caplen, iface.snaplen);
    const n = ++this.packets;
    // an SPB has no timestamp: it is given the previous packet's
    const p = newPacket(
      n,
      Math.floor(this.lastTs),
      Math.round((this.lastTs % 1) * 1e9),
      iface.linkType,
      caplen,
      orig,
    );
    p.iface = this.ifaceBase;
    p.ifName = iface.name;
    decodeFrame(p, b, pos + 12, pos + 12 + caplen, iface.linkType);
    if (n === 1) this.firstTs = p.ts;
    this.visit(p);
  }

  /** epb_flags (option 2) bits 0-1: 01 inbound, 10 outbound. */
  private direction(b: Uint8Array, o: number, end: number): PacketDirection {
    let dir: PacketDirection = '';
    this.forOptions(b, o, end, (code, at, l) => {
      if (code === 2 && l === 4) {
        const f = u32(b, at, this.le) & 3;
        dir = f === 1 ? 'in' : f === 2 ? 'out' : '';
      }
    });
    return dir;
  }

  private forOptions(
    b: Uint8Array,
    o: number,
    end: number,
    each: (code: number, at: number, len: number) => void,
  ): void {
    let i = o;
    while (i + 4 <= end) {
      const code = u16(b, i, this.le);
      const l = u16(b, i + 2, this.le);
      if (code === 0) return;
      if (i + 4 + l > end) return;
      each(code, i + 4, l);
      i += 4 + pad4(l);
    }
  }

  protected truncated(): CaptureDiagnostic {
    const left = this.buf.length - this.pos;
    const need = left >= 8 ? u32(this.buf, this.pos + 4, this.le) : 12;
    return captureDiag(
      'UNEXPECTED_EOF',
      `block ${this.blocks + 1} (after packet ${this.packets}) at byte offset ${this.offset} is cut short: ${left} of ${need} bytes (file truncated)`,
      this.offset,
      this.blocks + 1,
    );
  }
}
