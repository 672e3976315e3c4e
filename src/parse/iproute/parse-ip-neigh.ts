/**
 * @module parse/iproute/parse-ip-neigh
 * `ip -j neigh show` -> Neigh[] (kernel: `neigh_fill_info`; state is the NUD_* set).
 */
import type { ParseResult } from '../diagnostic.js';
import type { Neigh } from '../../model/net.js';
import { FieldReader } from './fields.js';
import { readJsonArray } from './read-json-array.js';

const WHAT = 'ip -j neigh';

export function parseIpNeigh(text: string): ParseResult<Neigh[]> {
  const { elements, diagnostics } = readJsonArray(text, WHAT);
  const neighs: Neigh[] = [];
  for (const el of elements) {
    const f = new FieldReader(WHAT, el, diagnostics);
    const dst = f.required('dst');
    if (dst === undefined) continue;
    const dev = f.required('dev');
    if (dev === undefined) continue;
    const n: Neigh = { dst, dev, state: f.strings('state'), line: el.index };
    const lladdr = f.str('lladdr');
    if (lladdr !== undefined) n.lladdr = lladdr;
    neighs.push(n);
  }
  return { value: neighs, diagnostics };
}
