/**
 * @module lab/scenario/ipv4
 * Just enough IPv4 arithmetic for the lab: parse, format, CIDR membership, nth host.
 */

/** `10.224.1.34` -> 0x0ae00122, undefined when not a dotted quad */
export function parseIPv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) return undefined;
    n = n * 256 + o;
  }
  return n;
}

export function formatIPv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export interface Cidr {
  base: number;
  len: number;
  text: string;
}

/** `10.224.1.0/24` -> {base, len}; the base must be the network address. */
export function parseCidr(s: string): Cidr | undefined {
  const [a, l, extra] = s.split('/');
  if (a === undefined || l === undefined || extra !== undefined || !/^\d{1,2}$/.test(l)) return undefined;
  const base = parseIPv4(a);
  const len = Number(l);
  if (base === undefined || len > 32) return undefined;
  if (base % 2 ** (32 - len) !== 0) return undefined;
  return { base, len, text: s };
}

export function cidrContains(c: Cidr, ip: number): boolean {
  return ip >= c.base && ip < c.base + 2 ** (32 - c.len);
}

export function cidrWithin(inner: Cidr, outer: Cidr): boolean {
  return inner.len >= outer.len && cidrContains(outer, inner.base);
}

/** nth address of the block (1 = first host) */
export function cidrHost(c: Cidr, n: number): string {
  return formatIPv4(c.base + n);
}
