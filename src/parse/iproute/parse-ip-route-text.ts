/**
 * @module parse/iproute/parse-ip-route-text
 * Plain-text `ip route show [table all]` and `ip -6 route` -> Route[] (iproute2's
 * `print_route`). `line` is the text line. Multipath `nexthop` continuation lines give the
 * first next hop (the model has one).
 */
import { diag, type Diagnostic, type ParseResult } from '../diagnostic.js';
import type { Route } from '../../model/net.js';
import { familyOf, isPrefix, normalisePrefix, type Family } from './prefix.js';
import { splitLines, tokenize, type Token } from './tokens.js';
import { tableName } from './parse-ip-route.js';

const WHAT = 'ip route';
const TYPES = new Set([
  'unicast',
  'local',
  'broadcast',
  'blackhole',
  'unreachable',
  'prohibit',
  'throw',
  'anycast',
  'multicast',
  'nat',
]);
const FLAGS = new Set([
  'onlink',
  'linkdown',
  'dead',
  'pervasive',
  'offload',
  'trap',
  'notify',
  'rt_offload',
  'rt_trap',
  'rt_offload_failed',
]);
/** keywords followed by one value the model keeps or safely ignores */
const VALUED = new Set([
  'via',
  'dev',
  'table',
  'proto',
  'scope',
  'src',
  'metric',
  'pref',
  'mtu',
  'advmss',
  'rtt',
  'rttvar',
  'reordering',
  'window',
  'cwnd',
  'initcwnd',
  'initrwnd',
  'ssthresh',
  'realms',
  'expires',
  'hoplimit',
  'error',
  'tos',
  'from',
  'nhid',
  'features',
  'quickack',
  'congctl',
  'fastopen_no_cookie',
  'rto_min',
  'weight',
  'ttl-propagate',
  'mtu_lock',
  'dsfield',
  'age',
  'users',
]);

export interface RouteTextOptions {
  family?: Family;
  /** table of routes without a `table` word (`ip route show table 101` omits it); 'main' unless given */
  table?: string;
}

export function parseIpRouteText(text: string, options: RouteTextOptions = {}): ParseResult<Route[]> {
  const diagnostics: Diagnostic[] = [];
  const routes: Route[] = [];
  let last: { route: Route; hops: number } | undefined;
  splitLines(text).forEach((line, i) => {
    const n = i + 1;
    const t = tokenize(line);
    if (t.length === 0) return;
    if (/^\s/.test(line) && t[0]?.text === 'nexthop') {
      if (!last) diagnostics.push(diag('SYNTAX', `${WHAT}: nexthop without a route`, n, t[0].column));
      else {
        last.hops++;
        if (last.hops === 1) readKeywords(t.slice(1), last.route, n, diagnostics);
        else if (last.hops === 2) {
          diagnostics.push(
            diag(
              'UNSUPPORTED',
              `${WHAT}: multipath route, only the first next hop is modelled`,
              n,
              t[0].column,
            ),
          );
        }
      }
      return;
    }
    const route = readRoute(t, n, options, diagnostics);
    last = route ? { route, hops: 0 } : undefined;
    if (route) routes.push(route);
  });
  return { value: routes, diagnostics };
}

function readRoute(
  t: Token[],
  n: number,
  options: RouteTextOptions,
  diagnostics: Diagnostic[],
): Route | undefined {
  let k = 0;
  let type = 'unicast';
  if (t[0] && TYPES.has(t[0].text)) {
    type = t[0].text;
    k = 1;
  }
  const d = t[k];
  if (!d || (d.text !== 'default' && !isPrefix(d.text))) {
    const where = d ?? t[0];
    diagnostics.push(
      diag(
        'SYNTAX',
        `${WHAT}: expected a destination, found ${JSON.stringify(d?.text ?? '')}`,
        n,
        where?.column ?? 1,
      ),
    );
    return undefined;
  }
  const route: Route = {
    table: options.table ?? 'main',
    type,
    dst: normalisePrefix(d.text),
    family: 'inet',
    flags: [],
    line: n,
  };
  readKeywords(t.slice(k + 1), route, n, diagnostics);
  route.family =
    familyOf(d.text) ?? (route.gateway ? familyOf(route.gateway) : undefined) ?? options.family ?? 'inet';
  return route;
}

function readKeywords(t: Token[], route: Route, n: number, diagnostics: Diagnostic[]): void {
  for (let k = 0; k < t.length; k++) {
    const kw = t[k] as Token;
    if (FLAGS.has(kw.text)) {
      route.flags.push(kw.text);
      continue;
    }
    if (!VALUED.has(kw.text)) {
      diagnostics.push(
        diag('UNSUPPORTED', `${WHAT}: unknown keyword ${JSON.stringify(kw.text)}`, n, kw.column),
      );
      continue;
    }
    let v = t[k + 1];
    if (v && kw.text === 'via' && (v.text === 'inet' || v.text === 'inet6')) v = t[++k + 1]; // `via inet6 fe80::1`
    if (v && v.text === 'lock' && (kw.text === 'mtu' || kw.text === 'advmss')) v = t[++k + 1];
    if (!v) {
      diagnostics.push(diag('SYNTAX', `${WHAT}: ${kw.text} without a value`, n, kw.column));
      return;
    }
    k++;
    assign(route, kw.text, v, n, diagnostics);
  }
}

function assign(route: Route, kw: string, v: Token, n: number, diagnostics: Diagnostic[]): void {
  switch (kw) {
    case 'via':
      if (!familyOf(v.text))
        diagnostics.push(diag('BAD_VALUE', `${WHAT}: bad gateway ${JSON.stringify(v.text)}`, n, v.column));
      else route.gateway ??= v.text;
      return;
    case 'dev':
      route.dev ??= v.text;
      return;
    case 'table':
      route.table = tableName(/^\d+$/.test(v.text) ? Number(v.text) : v.text);
      return;
    case 'proto':
      route.protocol = v.text;
      return;
    case 'scope':
      route.scope = v.text;
      return;
    case 'src':
      route.prefsrc = v.text;
      return;
    case 'metric':
      if (!/^\d+$/.test(v.text))
        diagnostics.push(diag('BAD_VALUE', `${WHAT}: bad metric ${JSON.stringify(v.text)}`, n, v.column));
      else route.metric = Number(v.text);
      return;
    default:
      return; // values the model does not carry (pref, mtu, expires, ...)
  }
}
