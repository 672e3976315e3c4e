/**
 * @module pcap/decode/address
 * IPv4 and IPv6 addresses from packet bytes to text. IPv4 strings are cached (bounded):
 * a capture has few distinct addresses and many packets.
 */

/** Direct-mapped cache of IPv4 strings: a collision just replaces the entry. */
const CACHE_BITS = 12;
const cacheKeys = new Int32Array(1 << CACHE_BITS);
const cacheVals: string[] = new Array<string>(1 << CACHE_BITS).fill('');

export function ipv4Num(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** IPv4 text to the number ipv4Num gives, -1 when the text is not an IPv4 address. */
export function parseIpv4(s: string): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return -1;
  const parts = [m[1], m[2], m[3], m[4]].map(Number);
  if (parts.some((x) => x > 255)) return -1;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

export function ipv4At(b: Uint8Array, o: number): string {
  const key = (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
  const slot = (key ^ (key >>> 12) ^ (key >>> 24)) & ((1 << CACHE_BITS) - 1);
  const s = cacheVals[slot]!;
  if (cacheKeys[slot] === key && s !== '') return s;
  const t = `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
  cacheKeys[slot] = key;
  cacheVals[slot] = t;
  return t;
}

/** RFC 5952 text: lower case, longest run (>= 2) of zero groups as `::`, IPv4-mapped as `::ffff:a.b.c.d`. */
export function ipv6At(b: Uint8Array, o: number): string {
  const g: number[] = new Array(8);
  for (let i = 0; i < 8; i++) g[i] = (b[o + 2 * i]! << 8) | b[o + 2 * i + 1]!;
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${b[o + 12]}.${b[o + 13]}.${b[o + 14]}.${b[o + 15]}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (i: number) => g[i]!.toString(16);
  if (bestStart < 0) return g.map((_, i) => hex(i)).join(':');
  const head = g
    .slice(0, bestStart)
    .map((_, i) => hex(i))
    .join(':');
  const tail = g
    .slice(bestStart + bestLen)
    .map((_, i) => hex(bestStart + bestLen + i))
    .join(':');
  return `${head}::${tail}`;
}
