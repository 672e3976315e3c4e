/**
 * @module pcap/read/pcapng-time
 * pcapng timestamps: a 64-bit count of units since the epoch, the unit given by the
 * interface's if_tsresol (10^-n or 2^-n s, default 10^-6). Split into whole seconds and
 * nanoseconds exactly, without BigInt on the hot path: long division in 16-bit limbs.
 */

export interface TsResolution {
  /** units per second */
  perSecond: number;
  /** seconds to add (if_tsoffset) */
  offset: number;
}

export const DEFAULT_RESOLUTION: TsResolution = { perSecond: 1e6, offset: 0 };

/** if_tsresol byte: MSB clear means 10^-v, set means 2^-(v & 0x7f). */
export function resolutionFromOption(v: number): number {
  const e = v & 0x7f;
  return v & 0x80 ? 2 ** Math.min(e, 36) : 10 ** Math.min(e, 11);
}

/** Writes [sec, nsec] for the 64-bit value hi:lo into out. */
export function splitTimestamp(hi: number, lo: number, res: TsResolution, out: number[]): void {
  const d = res.perSecond;
  let sec: number;
  let rem: number;
  if (hi < 0x200000 || d <= 1e6) {
    // hi * 2^32 + lo < 2^53 (or close enough that the error is far below one unit)
    const v = hi * 4294967296 + lo;
    sec = Math.floor(v / d);
    rem = v - sec * d;
    if (rem < 0) rem = 0;
  } else {
    // exact long division of the 64-bit value by d, 16 bits at a time (d * 65536 < 2^53)
    const limbs = [hi >>> 16, hi & 0xffff, lo >>> 16, lo & 0xffff];
    sec = 0;
    rem = 0;
    for (const limb of limbs) {
      const x = rem * 65536 + limb;
      const q = Math.floor(x / d);
      rem = x - q * d;
      sec = sec * 65536 + q;
    }
  }
  out[0] = sec + res.offset;
  out[1] = d === 1e9 ? rem : Math.floor((rem * 1e9) / d);
}
