/**
 * @module parse/iptables-save/parse-nat-range
 * The NAT range of DNAT `--to-destination` / SNAT `--to-source`
 * (`parse_to()` in libxt_DNAT.c / libxt_SNAT.c): `ip[-ip][:port[-port]]`, or only
 * `:port[-port]`; IPv6 addresses carry ports in brackets: `[2001:db8::1]:80`,
 * `[a]-[b]:p-q`. Addresses come back normalised.
 */
import type { NatRange } from '../../model/iptables.js';
import { normaliseAddress, parseIPv4, parseIPv6, type Family } from './parse-address.js';
import { parsePort } from './parse-port.js';

export type NatRangeResult = { ok: true; range: NatRange } | { ok: false; reason: string };

function parsePorts(s: string, into: NatRange): string | undefined {
  const dash = s.indexOf('-');
  const a = parsePort(dash < 0 ? s : s.slice(0, dash));
  const b = dash < 0 ? a : parsePort(s.slice(dash + 1));
  if (a < 0 || b < 0) return `bad port \`${s}'`;
  if (a > b) return `port range \`${s}' has min > max`;
  into.portFrom = a;
  into.portTo = b;
  return undefined;
}

function parseAddrs(s: string, family: Family, into: NatRange): string | undefined {
  if (s === '') return undefined;
  let from: string;
  let to: string;
  if (family === 'ipv6') {
    // `a-b`, `[a]-[b]`, `[a]` or `a`; an IPv6 address has no `-`
    const dash = s.indexOf('-');
    from = dash < 0 ? s : s.slice(0, dash);
    to = dash < 0 ? from : s.slice(dash + 1);
    if (from.startsWith('[') && from.endsWith(']')) from = from.slice(1, -1);
    if (to.startsWith('[') && to.endsWith(']')) to = to.slice(1, -1);
  } else {
    const dash = s.indexOf('-');
    from = dash < 0 ? s : s.slice(0, dash);
    to = dash < 0 ? from : s.slice(dash + 1);
  }
  const f = normaliseAddress(from, family);
  const t = from === to ? f : normaliseAddress(to, family);
  if (f === null || t === null) return `bad ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address in \`${s}'`;
  if (family === 'ipv4' && parseIPv4(f) > parseIPv4(t)) return `address range \`${s}' has min > max`;
  if (family === 'ipv6') {
    const a = parseIPv6(f);
    const b = parseIPv6(t);
    if (a && b) {
      for (let k = 0; k < 8; k++) {
        if ((a[k] ?? 0) !== (b[k] ?? 0)) {
          if ((a[k] ?? 0) > (b[k] ?? 0)) return `address range \`${s}' has min > max`;
          break;
        }
      }
    }
  }
  into.addrFrom = f;
  into.addrTo = t;
  return undefined;
}

/** Parses a NAT range of `family`. */
export function parseNatRange(s: string, family: Family): NatRangeResult {
  const range: NatRange = {};
  let addrPart = s;
  let portPart: string | undefined;
  if (family === 'ipv4') {
    const colon = s.indexOf(':');
    if (colon >= 0) {
      addrPart = s.slice(0, colon);
      portPart = s.slice(colon + 1);
    }
  } else if (s.startsWith('[')) {
    const close = s.lastIndexOf(']');
    if (close < 0) return { ok: false, reason: `unbalanced [ in \`${s}'` };
    const rest = s.slice(close + 1);
    if (rest.startsWith(':')) {
      addrPart = s.slice(0, close + 1);
      portPart = rest.slice(1);
    } else if (rest !== '') return { ok: false, reason: `bad NAT range \`${s}'` };
  } else if (s.startsWith(':') && !s.startsWith('::')) {
    addrPart = '';
    portPart = s.slice(1);
  }
  if (s === '' || (addrPart === '' && portPart === undefined))
    return { ok: false, reason: 'empty NAT range' };
  const e1 = parseAddrs(addrPart, family, range);
  if (e1) return { ok: false, reason: e1 };
  if (portPart !== undefined) {
    const e2 = parsePorts(portPart, range);
    if (e2) return { ok: false, reason: e2 };
  }
  return { ok: true, range };
}
