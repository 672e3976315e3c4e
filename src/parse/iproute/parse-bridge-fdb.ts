/**
 * @module parse/iproute/parse-bridge-fdb
 * `bridge -j fdb show` -> FdbEntry[]: bridge MAC table entries (`master`) and device entries
 * (`self`), among them the VXLAN remote entries (`dst`) flannel writes for each peer node
 * (kernel: `br_fdb_fill_info`, `vxlan_fdb_info`).
 */
import type { ParseResult } from '../diagnostic.js';
import type { FdbEntry } from '../../model/net.js';
import { FieldReader } from './fields.js';
import { readJsonArray } from './read-json-array.js';

const WHAT = 'bridge -j fdb';

export function parseBridgeFdb(text: string): ParseResult<FdbEntry[]> {
  const { elements, diagnostics } = readJsonArray(text, WHAT);
  const entries: FdbEntry[] = [];
  for (const el of elements) {
    const f = new FieldReader(WHAT, el, diagnostics);
    const mac = f.required('mac');
    if (mac === undefined) continue;
    const ifname = f.required('ifname');
    if (ifname === undefined) continue;
    const e: FdbEntry = { mac, ifname, flags: f.strings('flags'), line: el.index };
    const master = f.str('master');
    if (master !== undefined) e.master = master;
    const dst = f.str('dst');
    if (dst !== undefined) e.dst = dst;
    const vlan = f.num('vlan');
    if (vlan !== undefined) e.vlan = vlan;
    const state = f.str('state');
    if (state !== undefined) e.state = state;
    entries.push(e);
  }
  return { value: entries, diagnostics };
}
