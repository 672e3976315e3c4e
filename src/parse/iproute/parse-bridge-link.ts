/**
 * @module parse/iproute/parse-bridge-link
 * `bridge -j -d link show` -> BridgeLink[]: the ports of bridges with their STP state and
 * the flags `br_port_fill_attrs` reports (hairpin, learning, flood, isolated).
 */
import type { ParseResult } from '../diagnostic.js';
import type { BridgeLink } from '../../model/net.js';
import { FieldReader } from './fields.js';
import { bridgePortInfo } from './parse-ip-link.js';
import { readJsonArray } from './read-json-array.js';

const WHAT = 'bridge -j link';

export function parseBridgeLink(text: string): ParseResult<BridgeLink[]> {
  const { elements, diagnostics } = readJsonArray(text, WHAT);
  const ports: BridgeLink[] = [];
  for (const el of elements) {
    const f = new FieldReader(WHAT, el, diagnostics);
    const ifname = f.required('ifname');
    if (ifname === undefined) continue;
    const index = f.requiredNum('ifindex');
    if (index === undefined) continue;
    // without -d the flags are absent: the defaults of a new port are assumed
    ports.push({
      ifname,
      index,
      master: f.str('master') ?? '',
      ...bridgePortInfo(f, el.value),
      line: el.index,
    });
  }
  return { value: ports, diagnostics };
}
