/**
 * @module pcap/testing/write-pcap
 * A small pcap / pcapng writer for tests: both byte orders, micro- and nanosecond pcap,
 * pcapng with several interfaces (if_name, if_tsresol, if_tsoffset), EPB, SPB or the
 * obsolete PB, and unknown blocks in between to be skipped.
 */

export interface Frame {
  /** seconds since the epoch */
  ts: number;
  /** exact time, overriding ts (a double cannot hold nanoseconds since the epoch) */
  exact?: { sec: number; nsec: number };
  data: Uint8Array;
  /** original length (default data.length) */
  origLen?: number;
  /** pcapng interface id */
  iface?: number;
  /** pcapng epb_flags (1 inbound, 2 outbound) */
  epbFlags?: number;
}

export interface PcapWriteOptions {
  linkType?: number;
  nano?: boolean;
  bigEndian?: boolean;
  snaplen?: number;
  /** the Kuznetzov "modified" format (0xa1b2cd34) */
  modified?: boolean;
}

class Out {
  private readonly parts: Buffer[] = [];
  readonly le: boolean;
  constructor(le: boolean) {
    this.le = le;
  }
  u8(...v: number[]): this {
    this.parts.push(Buffer.from(v));
    return this;
  }
  u16(v: number): this {
    const b = Buffer.alloc(2);
    if (this.le) b.writeUInt16LE(v);
    else b.writeUInt16BE(v);
    this.parts.push(b);
    return this;
  }
  u32(v: number): this {
    const b = Buffer.alloc(4);
    if (this.le) b.writeUInt32LE(v >>> 0);
    else b.writeUInt32BE(v >>> 0);
    this.parts.push(b);
    return this;
  }
  bytes(d: Uint8Array, padTo = 1): this {
    this.parts.push(Buffer.from(d));
    const pad = (padTo - (d.length % padTo)) % padTo;
    if (pad) this.parts.push(Buffer.alloc(pad));
    return this;
  }
  get length(): number {
    return this.parts.reduce((s, p) => s + p.length, 0);
  }
  buffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

function splitTs(ts: number, perSecond: number): [number, number] {
  const sec = Math.floor(ts);
  const frac = Math.round((ts - sec) * perSecond);
  return frac >= perSecond ? [sec + 1, 0] : [sec, frac];
}

export function writePcap(frames: Frame[], o: PcapWriteOptions = {}): Buffer {
  const out = new Out(!o.bigEndian);
  const magic = o.modified ? 0xa1b2cd34 : o.nano ? 0xa1b23c4d : 0xa1b2c3d4;
  out
    .u32(magic)
    .u16(2)
    .u16(4)
    .u32(0)
    .u32(0)
    .u32(o.snaplen ?? 262144)
    .u32(o.linkType ?? 1);
  for (const f of frames) {
    const [sec, frac] = f.exact
      ? [f.exact.sec, o.nano ? f.exact.nsec : Math.floor(f.exact.nsec / 1000)]
      : splitTs(f.ts, o.nano ? 1e9 : 1e6);
    out
      .u32(sec)
      .u32(frac)
      .u32(f.data.length)
      .u32(f.origLen ?? f.data.length);
    if (o.modified)
      out
        .u32(f.iface ?? 0)
        .u16(0x0800)
        .u8(0, 0);
    out.bytes(f.data);
  }
  return out.buffer();
}

export interface PcapngInterface {
  linkType: number;
  name?: string;
  /** raw if_tsresol byte: 6 = microseconds (default), 9 = nanoseconds, 0x80|n = 2^-n */
  tsresol?: number;
  /** if_tsoffset seconds */
  tsoffset?: number;
  snaplen?: number;
}

export interface PcapngWriteOptions {
  bigEndian?: boolean;
  interfaces: PcapngInterface[];
  /** packet block kind (default EPB); SPB uses interface 0 and carries no timestamp */
  block?: 'epb' | 'spb' | 'pb';
  /** insert a name resolution block, a custom block and an unknown block type */
  extraBlocks?: boolean;
}

function block(le: boolean, type: number, body: Out): Buffer {
  const len = 12 + body.length;
  return new Out(le).u32(type).u32(len).bytes(body.buffer()).u32(len).buffer();
}

function option(o: Out, code: number, value: Uint8Array): void {
  o.u16(code).u16(value.length).bytes(value, 4);
}

function perSecond(tsresol: number | undefined): number {
  if (tsresol === undefined) return 1e6;
  return tsresol & 0x80 ? 2 ** (tsresol & 0x7f) : 10 ** tsresol;
}

export function writePcapng(frames: Frame[], o: PcapngWriteOptions): Buffer {
  const le = !o.bigEndian;
  const parts: Buffer[] = [];
  const shb = new Out(le).u32(0x1a2b3c4d).u16(1).u16(0).u32(0xffffffff).u32(0xffffffff);
  parts.push(block(le, 0x0a0d0d0a, shb));
  for (const i of o.interfaces) {
    const b = new Out(le)
      .u16(i.linkType)
      .u16(0)
      .u32(i.snaplen ?? 0);
    if (i.name) option(b, 2, Buffer.from(i.name));
    if (i.tsresol !== undefined) option(b, 9, Uint8Array.of(i.tsresol));
    if (i.tsoffset !== undefined) {
      const v = new Out(le);
      if (le) v.u32(i.tsoffset).u32(0);
      else v.u32(0).u32(i.tsoffset);
      option(b, 14, v.buffer());
    }
    b.u16(0).u16(0);
    parts.push(block(le, 1, b));
  }
  if (o.extraBlocks) {
    const nrb = new Out(le)
      .u16(1)
      .u16(8)
      .bytes(Uint8Array.of(10, 0, 0, 1, 0x61, 0x62, 0x63, 0))
      .u16(0)
      .u16(0);
    parts.push(block(le, 4, nrb));
    parts.push(block(le, 0x00000bad, new Out(le).u32(32473).bytes(Buffer.from('podpath'), 4)));
    parts.push(block(le, 0x7fff1234, new Out(le).u32(0)));
  }
  frames.forEach((f, idx) => {
    const ifid = f.iface ?? 0;
    const iface = o.interfaces[ifid] ?? o.interfaces[0]!;
    const units = perSecond(iface.tsresol);
    const off = iface.tsoffset ?? 0;
    // units since the epoch as a 64-bit value, exactly via BigInt
    const v = f.exact
      ? BigInt(f.exact.sec - off) * BigInt(Math.round(units)) +
        (BigInt(f.exact.nsec) * BigInt(Math.round(units))) / 1000000000n
      : BigInt(Math.floor(f.ts - off)) * BigInt(Math.round(units)) +
        BigInt(Math.round((f.ts - off - Math.floor(f.ts - off)) * units));
    const hi = Number(v >> 32n);
    const lo = Number(v & 0xffffffffn);
    const kind = o.block ?? 'epb';
    if (kind === 'spb') {
      parts.push(block(le, 3, new Out(le).u32(f.origLen ?? f.data.length).bytes(f.data, 4)));
    } else if (kind === 'pb') {
      parts.push(
        block(
          le,
          2,
          new Out(le)
            .u16(ifid)
            .u16(0)
            .u32(hi)
            .u32(lo)
            .u32(f.data.length)
            .u32(f.origLen ?? f.data.length)
            .bytes(f.data, 4),
        ),
      );
    } else {
      const b = new Out(le)
        .u32(ifid)
        .u32(hi)
        .u32(lo)
        .u32(f.data.length)
        .u32(f.origLen ?? f.data.length)
        .bytes(f.data, 4);
      if (f.epbFlags !== undefined) {
        option(b, 2, new Out(le).u32(f.epbFlags).buffer());
        b.u16(0).u16(0);
      }
      parts.push(block(le, 6, b));
    }
    if (o.extraBlocks && idx === 0) parts.push(block(le, 5, new Out(le).u32(0).u32(0).u32(0)));
  });
  return Buffer.concat(parts);
}
