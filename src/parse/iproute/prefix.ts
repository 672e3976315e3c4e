/**
 * @module parse/iproute/prefix
 * Address families and prefixes as iproute2 prints them: a host route or rule selector is
 * printed without `/len` (`192.168.7.7`), which means /32 (/128 for IPv6).
 */
import { isIP } from 'node:net';

export type Family = 'inet' | 'inet6';

export function familyOf(addr: string): Family | undefined {
  const bare = addr.split('/')[0] ?? '';
  const v = isIP(bare);
  return v === 4 ? 'inet' : v === 6 ? 'inet6' : undefined;
}

/** `a.b.c.d` -> `a.b.c.d/32`, `x::y` -> `x::y/128`; prefixes and `default` unchanged. */
export function normalisePrefix(dst: string): string {
  if (dst === 'default' || dst.includes('/')) return dst;
  const f = familyOf(dst);
  return f === 'inet' ? `${dst}/32` : f === 'inet6' ? `${dst}/128` : dst;
}

/** true when `p` is `addr` or `addr/len` with a length that fits the family */
export function isPrefix(p: string): boolean {
  const [addr = '', len, extra] = p.split('/');
  if (extra !== undefined) return false;
  const f = familyOf(addr);
  if (!f) return false;
  if (len === undefined) return true;
  if (!/^\d{1,3}$/.test(len)) return false;
  return Number(len) <= (f === 'inet' ? 32 : 128);
}
