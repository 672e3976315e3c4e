/**
 * @module util/ipv4
 * IPv4 address arithmetic on unsigned 32-bit integers.
 */

export function isIPv4(s: string): boolean {
  return ipToInt(s) !== undefined;
}

// the simulator converts the same few thousand addresses over and over
const memo = new Map<string, number | undefined>();

export function ipToInt(s: string): number | undefined {
  let v = memo.get(s);
  if (v !== undefined || memo.has(s)) return v;
  v = parseIpv4(s);
  if (memo.size >= 200_000) memo.clear();
  memo.set(s, v);
  return v;
}

function parseIpv4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (p.length === 0 || p.length > 3) return undefined;
    let v = 0;
    for (let i = 0; i < p.length; i++) {
      const c = p.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return undefined;
      v = v * 10 + c;
    }
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n >>> 0;
}

export function intToIp(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function maskOf(len: number): number {
  return len <= 0 ? 0 : len >= 32 ? 0xffffffff : (0xffffffff << (32 - len)) >>> 0;
}

/** Parses `a.b.c.d/len`, `a.b.c.d` (/32) or `default` (/0). */
export function parseCidr(s: string): { addr: number; len: number } | undefined {
  if (s === 'default' || s === 'all' || s === '0/0') return { addr: 0, len: 0 };
  const slash = s.indexOf('/');
  const a = ipToInt(slash < 0 ? s : s.slice(0, slash));
  if (a === undefined) return undefined;
  const len = slash < 0 ? 32 : Number(s.slice(slash + 1));
  if (!Number.isInteger(len) || len < 0 || len > 32) return undefined;
  return { addr: (a & maskOf(len)) >>> 0, len };
}

export function inPrefix(ip: number, prefixAddr: number, len: number): boolean {
  const m = maskOf(len);
  return (ip & m) >>> 0 === (prefixAddr & m) >>> 0;
}

export function cidrContains(cidr: string, ip: string): boolean {
  const c = parseCidr(cidr);
  const i = ipToInt(ip);
  return c !== undefined && i !== undefined && inPrefix(i, c.addr, c.len);
}

export function networkOf(ip: string, len: number): string {
  const i = ipToInt(ip);
  return i === undefined ? ip : `${intToIp((i & maskOf(len)) >>> 0)}/${len}`;
}
