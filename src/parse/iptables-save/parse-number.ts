/**
 * @module parse/iptables-save/parse-number
 * Number parsing as libxtables does it: `xtables_strtoui()` uses `strtoul(s, &end, 0)`,
 * so `0x4000` is hex, a leading `0` means octal and anything else is decimal; the whole
 * argument must be consumed. Marks are `value[/mask]` (`xtables_parse_val_mask()`), the
 * mask defaulting to 0xffffffff.
 */

/** Unsigned integer in C `strtoul(.., 0)` syntax, at most `max`; -1 when invalid. */
export function parseUintBase0(s: string, max = 0xffffffff): number {
  const n = s.length;
  if (n === 0) return -1;
  let i = 0;
  let base = 10;
  if (n > 1 && s.charCodeAt(0) === 48 /* 0 */) {
    const x = s.charCodeAt(1) | 0x20;
    if (x === 120 /* x */) {
      base = 16;
      i = 2;
      if (n === 2) return -1;
    } else {
      base = 8;
      i = 1;
    }
  }
  let v = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (base === 16 && (c | 0x20) >= 97 && (c | 0x20) <= 102) d = (c | 0x20) - 87;
    else return -1;
    if (d >= base) return -1;
    v = v * base + d;
    if (v > max) return -1;
  }
  return v;
}

/** Plain decimal unsigned integer (ports, counts), at most `max`; -1 when invalid. */
export function parseDecimal(s: string, max: number): number {
  const n = s.length;
  if (n === 0 || n > 16) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v > max ? -1 : v;
}

/** `value[/mask]` with the mask defaulting to all ones; null when invalid. */
export function parseValueMask(s: string): { value: number; mask: number } | null {
  const slash = s.indexOf('/');
  if (slash < 0) {
    const value = parseUintBase0(s);
    return value < 0 ? null : { value, mask: 0xffffffff };
  }
  const value = parseUintBase0(s.slice(0, slash));
  const mask = parseUintBase0(s.slice(slash + 1));
  if (value < 0 || mask < 0) return null;
  return { value, mask };
}

/** Counters as `iptables-save -c` prints them: `[packets:bytes]`; null when invalid. */
export function parseCounters(s: string): { packets: number; bytes: number } | null {
  if (s.length < 5 || s.charCodeAt(0) !== 91 /* [ */ || s.charCodeAt(s.length - 1) !== 93 /* ] */)
    return null;
  const colon = s.indexOf(':');
  if (colon < 0) return null;
  const packets = parseCounter(s.slice(1, colon));
  const bytes = parseCounter(s.slice(colon + 1, s.length - 1));
  if (packets < 0 || bytes < 0) return null;
  return { packets, bytes };
}

/** A 64-bit kernel counter (up to 20 digits; above 2^53 it loses precision); -1 when invalid. */
export function parseCounter(s: string): number {
  const n = s.length;
  if (n === 0 || n > 20) return -1;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
  }
  return Number(s);
}
