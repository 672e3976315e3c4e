/**
 * @module parse/iproute/parse-ip-addr
 * `ip -j -d addr show` -> Addr[], one per `addr_info` entry (kernel: `inet_fill_ifaddr`,
 * `inet6_fill_ifaddr`). `line` is the index of the interface in the array.
 */
import { diag, type ParseResult } from '../diagnostic.js';
import type { Addr } from '../../model/net.js';
import { FieldReader } from './fields.js';
import { isRecord, readJsonArray } from './read-json-array.js';

const WHAT = 'ip -j addr';

export function parseIpAddr(text: string): ParseResult<Addr[]> {
  const { elements, diagnostics } = readJsonArray(text, WHAT);
  const addrs: Addr[] = [];
  for (const el of elements) {
    const f = new FieldReader(WHAT, el, diagnostics);
    const ifname = f.required('ifname');
    if (ifname === undefined) continue;
    const info = el.value.addr_info;
    if (info === undefined) continue;
    if (!Array.isArray(info)) {
      diagnostics.push(
        diag('BAD_VALUE', `${WHAT}[${el.index}]: "addr_info" is not an array`, el.line, el.column),
      );
      continue;
    }
    for (const a of info) {
      if (!isRecord(a)) continue;
      const family = f.str('family', a);
      const local = f.str('local', a);
      const prefixlen = f.num('prefixlen', a);
      if (family !== 'inet' && family !== 'inet6') {
        // AF_PACKET etc. carry no IP address
        if (family !== undefined) {
          diagnostics.push(
            diag('UNSUPPORTED', `${WHAT}[${el.index}]: address family ${family}`, el.line, el.column),
          );
        }
        continue;
      }
      if (local === undefined || prefixlen === undefined) {
        diagnostics.push(
          diag('SYNTAX', `${WHAT}[${el.index}]: address without "local" or "prefixlen"`, el.line, el.column),
        );
        continue;
      }
      const addr: Addr = { ifname, family, local, prefixlen, line: el.index };
      const scope = f.str('scope', a);
      if (scope !== undefined) addr.scope = scope;
      addrs.push(addr);
    }
  }
  return { value: addrs, diagnostics };
}
