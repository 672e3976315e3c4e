/**
 * @module sim/routing
 * fib_lookup: policy rules in priority order (fib_rules_lookup), then the longest prefix
 * of the table they name (fib_table_lookup), lowest metric first.
 */
import type { SimNs, SimRoute } from './world.js';
import { ipToInt, inPrefix } from '../util/ipv4.js';

export interface FibResult {
  route?: SimRoute;
  /** 'local' | 'unicast' | 'blackhole' | 'unreachable' | 'prohibit' | 'none' */
  type: string;
  table?: string;
  rulePriority?: number;
}

export function fibLookup(
  ns: SimNs,
  dst: string,
  opts: { src?: string; mark?: number; iif?: string } = {},
): FibResult {
  const d = ipToInt(dst);
  if (d === undefined) return { type: 'none' };
  const s = opts.src ? ipToInt(opts.src) : undefined;
  for (const rule of ns.rules) {
    let ok = true;
    if (rule.src && (s === undefined || !inPrefix(s, rule.src.addr, rule.src.len))) ok = rule.src.len === 0;
    if (ok && rule.dst && !inPrefix(d, rule.dst.addr, rule.dst.len)) ok = false;
    if (ok && rule.fwmark && ((opts.mark ?? 0) & rule.fwmark.mask) >>> 0 !== rule.fwmark.value >>> 0)
      ok = false;
    if (ok && rule.iif && rule.iif !== (opts.iif ?? 'lo')) ok = false;
    if (rule.not) ok = !ok;
    if (!ok) continue;
    if (rule.action === 'blackhole' || rule.action === 'unreachable' || rule.action === 'prohibit')
      return { type: rule.action, rulePriority: rule.priority };
    if (rule.action !== 'lookup' && rule.action !== 'to_tbl') continue;
    let best: SimRoute | undefined;
    for (const r of ns.routes) {
      if (r.table !== rule.table) continue;
      if (r.type === 'broadcast' || r.type === 'multicast') continue;
      if (!inPrefix(d, r.addr, r.len)) continue;
      if (!best || r.len > best.len || (r.len === best.len && r.metric < best.metric)) best = r;
    }
    if (best) {
      if (best.type === 'throw') continue;
      return { route: best, type: best.type, table: rule.table, rulePriority: rule.priority };
    }
  }
  return { type: 'none' };
}

/** inet_addr_type: LOCAL for the namespace's own addresses (local table), else UNICAST/BROADCAST/MULTICAST. */
export function addrType(ns: SimNs, ip: string): string {
  const n = ipToInt(ip);
  if (n === undefined) return 'UNSPEC';
  if (n === 0xffffffff) return 'BROADCAST';
  if (n >>> 28 === 0xe) return 'MULTICAST';
  for (const r of ns.routes) {
    if (r.table !== 'local') continue;
    if (inPrefix(n, r.addr, r.len)) {
      if (r.type === 'local') return 'LOCAL';
      if (r.type === 'broadcast' && r.len === 32) return 'BROADCAST';
    }
  }
  if (ns.addrs.some((a) => a.ip === n)) return 'LOCAL';
  if (n >>> 24 === 127) return 'LOCAL';
  return 'UNICAST';
}

/** Source address the kernel picks for output via `dev` (prefsrc, else the first address on dev). */
export function sourceFor(
  ns: SimNs,
  route: SimRoute | undefined,
  dev: string | undefined,
): string | undefined {
  if (route?.prefsrc) return route.prefsrc;
  const a = ns.addrs.find((x) => x.ifname === dev);
  if (a) return a.ipStr;
  return ns.addrs.find((x) => x.ifname !== 'lo')?.ipStr;
}
