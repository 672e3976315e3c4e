/**
 * @module parse/iptables-save/parse-address
 * Addresses and prefixes as iptables accepts them for `-s`/`-d`, conntrack's
 * `--ctorigdst` and friends (`xtables_ipparse_any()` / `xtables_ip6parse_any()` in
 * libxtables): `addr`, `addr/len`, IPv4 `addr/dotted-mask`. A host address becomes /32
 * (/128); host bits are cleared as iptables does before handing the rule to the kernel
 * (`ipt_entry.ip.src &= smsk`), so `10.1.2.3/8` is the prefix `10.0.0.0/8`.
 * IPv6 text is returned in RFC 5952 form, as `inet_ntop()` (and so iptables-save) prints it.
 */
import type { Cidr } from '../../model/iptables.js';
import { parseDecimal } from './parse-number.js';

export type Family = 'ipv4' | 'ipv6';

/** IPv4 dotted quad -> unsigned 32-bit number, or -1. */
export function parseIPv4(s: string): number {
  const n = s.length;
  if (n < 7 || n > 15) return -1;
  let v = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0) return -1;
      v = v * 256 + part;
      part = 0;
      digits = 0;
      dots++;
      if (dots > 3) return -1;
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      digits++;
      if (part > 255 || digits > 3) return -1;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return v * 256 + part;
}

/** A dotted quad without leading zeros (so it is already the text iptables-save prints). */
function canonicalIPv4Text(s: string): boolean {
  for (let i = 0; i + 1 < s.length; i++) {
    if (s.charCodeAt(i) === 48 && (i === 0 || s.charCodeAt(i - 1) === 46)) {
      const n = s.charCodeAt(i + 1);
      if (n >= 48 && n <= 57) return false;
    }
  }
  return true;
}

export function formatIPv4(v: number): string {
  return `${(v >>> 24) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** IPv6 text (with `::` and an embedded dotted quad) -> 8 words, or null. */
export function parseIPv6(s: string): number[] | null {
  const n = s.length;
  if (n < 2 || n > 45) return null;
  const head: number[] = [];
  const tail: number[] = [];
  let cur = head;
  let seenGap = false;
  let i = 0;
  if (s.charCodeAt(0) === 58 /* : */) {
    if (s.charCodeAt(1) !== 58) return null;
    seenGap = true;
    cur = tail;
    i = 2;
    if (i === n) return [0, 0, 0, 0, 0, 0, 0, 0];
  }
  while (i < n) {
    // one group: hex digits, or a dotted quad at the end
    let j = i;
    let word = 0;
    while (j < n) {
      const c = s.charCodeAt(j);
      const l = c | 0x20;
      if (c >= 48 && c <= 57) word = word * 16 + (c - 48);
      else if (l >= 97 && l <= 102) word = word * 16 + (l - 87);
      else break;
      j++;
      if (j - i > 4) break;
    }
    if (j < n && s.charCodeAt(j) === 46 /* . */) {
      const v4 = parseIPv4(s.slice(i));
      if (v4 < 0) return null;
      cur.push((v4 >>> 16) & 0xffff, v4 & 0xffff);
      i = n;
      break;
    }
    if (j === i || j - i > 4) return null;
    cur.push(word);
    i = j;
    if (i === n) break;
    if (s.charCodeAt(i) !== 58) return null;
    i++;
    if (i < n && s.charCodeAt(i) === 58) {
      if (seenGap) return null;
      seenGap = true;
      cur = tail;
      i++;
      if (i === n) break;
    } else if (i === n) return null;
  }
  const total = head.length + tail.length;
  if (seenGap ? total > 7 : total !== 8) return null;
  // the zeros of `::` go between head and tail
  for (let k = total; k < 8; k++) head.push(0);
  for (const t of tail) head.push(t);
  return head;
}

/** RFC 5952 text as inet_ntop() prints it: lower case, longest run (>= 2) of zero words as `::`,
 * `::ffff:a.b.c.d` for IPv4-mapped addresses. */
export function formatIPv6(w: number[]): string {
  if (w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0 && w[4] === 0 && w[5] === 0xffff) {
    return `::ffff:${formatIPv4(((w[6] ?? 0) * 65536 + (w[7] ?? 0)) >>> 0)}`;
  }
  if (w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0 && w[4] === 0 && w[5] === 0 && w[6] !== 0) {
    // IPv4-compatible form, as glibc inet_ntop() prints it
    return `::${formatIPv4(((w[6] ?? 0) * 65536 + (w[7] ?? 0)) >>> 0)}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let k = 0; k < 8;) {
    if (w[k] !== 0) {
      k++;
      continue;
    }
    let e = k;
    while (e < 8 && w[e] === 0) e++;
    if (e - k > bestLen) {
      bestStart = k;
      bestLen = e - k;
    }
    k = e;
  }
  if (bestLen < 2) bestStart = -1;
  let out = '';
  for (let k = 0; k < 8; k++) {
    if (k === bestStart) {
      out += '::';
      k += bestLen - 1;
      continue;
    }
    if (out !== '' && !out.endsWith(':')) out += ':';
    out += (w[k] ?? 0).toString(16);
  }
  return out;
}

/** Normalised single address text of the given family, or null. */
export function normaliseAddress(s: string, family: Family): string | null {
  if (family === 'ipv4') {
    const v = parseIPv4(s);
    return v < 0 ? null : canonicalIPv4Text(s) ? s : formatIPv4(v);
  }
  const w = parseIPv6(s);
  return w === null ? null : formatIPv6(w);
}

export type CidrResult =
  | { ok: true; cidr: Cidr }
  | {
      ok: false;
      reason: string;
      /** valid for iptables, but not a prefix (non-contiguous mask) */ unsupported?: boolean;
    };

function maskLen4(m: number): number {
  // contiguous netmask -> prefix length, else -1
  let len = 0;
  while (len < 32 && (m & (0x80000000 >>> len)) !== 0) len++;
  const expect = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return expect === m ? len : -1;
}

/** The family an address text belongs to (`:` means IPv6). */
export function guessFamily(s: string): Family {
  return s.indexOf(':') >= 0 ? 'ipv6' : 'ipv4';
}

/** Parses `addr[/len]` or `addr/dotted-mask` of `family` into a normalised prefix. */
export function parseCidr(s: string, family: Family): CidrResult {
  const slash = s.indexOf('/');
  const addrText = slash < 0 ? s : s.slice(0, slash);
  const lenText = slash < 0 ? '' : s.slice(slash + 1);
  if (family === 'ipv4') {
    const v = parseIPv4(addrText);
    if (v < 0) {
      if (addrText.indexOf(':') >= 0)
        return { ok: false, reason: `IPv6 address \`${s}' in an IPv4 rule set` };
      if (addrText.indexOf(',') >= 0)
        return {
          ok: false,
          reason: `address list \`${s}' (iptables expands it into one rule per address)`,
          unsupported: true,
        };
      return { ok: false, reason: `bad IPv4 address \`${s}'` };
    }
    let len = 32;
    if (slash >= 0) {
      if (lenText.indexOf('.') >= 0) {
        const m = parseIPv4(lenText);
        if (m < 0) return { ok: false, reason: `bad netmask \`${lenText}'` };
        len = maskLen4(m);
        if (len < 0)
          return {
            ok: false,
            reason: `non-contiguous netmask \`${lenText}' is not a prefix`,
            unsupported: true,
          };
      } else {
        len = parseDecimal(lenText, 32);
        if (len < 0) return { ok: false, reason: `bad prefix length \`${lenText}'` };
      }
    }
    const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    const net = (v & mask) >>> 0;
    // reuse the input text when it is already canonical (the common case)
    const addr = net === v && canonicalIPv4Text(addrText) ? addrText : formatIPv4(net);
    return { ok: true, cidr: { addr, len } };
  }
  const w = parseIPv6(addrText);
  if (w === null) {
    if (parseIPv4(addrText) >= 0) return { ok: false, reason: `IPv4 address \`${s}' in an IPv6 rule set` };
    if (addrText.indexOf(',') >= 0)
      return {
        ok: false,
        reason: `address list \`${s}' (iptables expands it into one rule per address)`,
        unsupported: true,
      };
    return { ok: false, reason: `bad IPv6 address \`${s}'` };
  }
  let len = 128;
  if (slash >= 0) {
    len = parseDecimal(lenText, 128);
    if (len < 0) {
      if (lenText.indexOf(':') >= 0)
        return { ok: false, reason: `IPv6 netmask \`${lenText}' is not a prefix length`, unsupported: true };
      return { ok: false, reason: `bad prefix length \`${lenText}'` };
    }
  }
  for (let k = 0; k < 8; k++) {
    const bits = Math.max(0, Math.min(16, len - k * 16));
    const m = bits === 0 ? 0 : (0xffff << (16 - bits)) & 0xffff;
    w[k] = (w[k] ?? 0) & m;
  }
  return { ok: true, cidr: { addr: formatIPv6(w), len } };
}
