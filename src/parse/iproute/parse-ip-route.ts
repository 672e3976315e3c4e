/**
 * @module parse/iproute/parse-ip-route
 * `ip -j -d route show table all` (and `ip -j -6 route ...`) -> Route[] (kernel:
 * `fib_dump_info`, `rt6_fill_node`). iproute2 omits what is the default: no `table` means
 * main, no `type` means unicast, a host destination has no `/len`.
 */
import { diag, type ParseResult } from '../diagnostic.js';
import type { Route } from '../../model/net.js';
import { FieldReader } from './fields.js';
import { familyOf, normalisePrefix, type Family } from './prefix.js';
import { isRecord, readJsonArray } from './read-json-array.js';

const WHAT = 'ip -j route';

export interface RouteParseOptions {
  /** family of routes whose addresses do not tell (`default dev eth0`); 'inet' unless given */
  family?: Family;
}

export function parseIpRoute(text: string, options: RouteParseOptions = {}): ParseResult<Route[]> {
  const { elements, diagnostics } = readJsonArray(text, WHAT);
  const routes: Route[] = [];
  for (const el of elements) {
    const f = new FieldReader(WHAT, el, diagnostics);
    const rawDst = f.required('dst');
    if (rawDst === undefined) continue;
    let gateway = f.str('gateway');
    let dev = f.str('dev');
    const flags = f.strings('flags');
    // RTA_VIA: an IPv4 route through an IPv6 next hop (`via inet6 fe80::1`)
    const via = f.obj('via');
    if (gateway === undefined && via) gateway = f.str('host', via);
    const nexthops = el.value.nexthops;
    if (Array.isArray(nexthops) && nexthops.length > 0) {
      const first = nexthops[0];
      if (isRecord(first)) {
        gateway ??= f.str('gateway', first);
        dev ??= f.str('dev', first);
      }
      if (nexthops.length > 1) {
        diagnostics.push(
          diag(
            'UNSUPPORTED',
            `${WHAT}[${el.index}]: multipath route, only the first next hop is modelled`,
            el.line,
            el.column,
          ),
        );
      }
    }
    const family =
      familyOf(rawDst) ??
      (gateway ? familyOf(gateway) : undefined) ??
      familyOf(f.str('prefsrc') ?? '') ??
      options.family ??
      'inet';
    const dst = normalisePrefix(rawDst);
    const route: Route = {
      table: tableName(el.value.table),
      type: f.str('type') ?? 'unicast',
      dst,
      family,
      flags,
      line: el.index,
    };
    if (gateway !== undefined) route.gateway = gateway;
    if (dev !== undefined) route.dev = dev;
    const prefsrc = f.str('prefsrc');
    if (prefsrc !== undefined) route.prefsrc = prefsrc;
    const scope = f.str('scope');
    if (scope !== undefined) route.scope = scope;
    const protocol = f.str('protocol');
    if (protocol !== undefined) route.protocol = protocol;
    const metric = f.num('metric');
    if (metric !== undefined) route.metric = metric;
    routes.push(route);
  }
  return { value: routes, diagnostics };
}

/** tables are names (`main`, `local`) or numbers (`101`, printed as a string or a number) */
export function tableName(v: unknown): string {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number')
    return v === 254 ? 'main' : v === 255 ? 'local' : v === 253 ? 'default' : String(v);
  return 'main';
}
