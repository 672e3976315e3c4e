/**
 * @module parse/ipset/parse-ipset
 * `ipset save` (`create NAME TYPE OPTIONS`, `add NAME MEMBER OPTIONS`) and `ipset list`
 * (`Name:` / `Type:` / `Header:` / `Members:` blocks) -> sets with parsed members. Members
 * are split by the set type's dimensions (`hash:ip,port` -> `10.96.0.1,tcp:443`). IPv6 sets
 * keep their members as text (the simulator is IPv4). Never throws.
 */
import { diag, type Diagnostic, type ParseResult } from '../diagnostic.js';
import type { Ipset, IpsetMember, IpsetModel, IpsetPart } from '../../model/ipset.js';
import { ipToInt, parseCidr } from '../../util/ipv4.js';

const METHODS = new Set(['hash', 'bitmap', 'list']);
const DIMS = new Set(['ip', 'net', 'port', 'iface', 'mark', 'mac', 'set']);

/** creation options that take a value; the others (`comment`, `counters`, `skbinfo`, `forceadd`) are flags */
const CREATE_VALUED = new Set([
  'family',
  'hashsize',
  'maxelem',
  'timeout',
  'range',
  'netmask',
  'bucketsize',
  'initval',
  'size',
  'markmask',
]);
const MEMBER_VALUED = new Set(['timeout', 'packets', 'bytes', 'comment', 'skbmark', 'skbprio', 'skbqueue']);
const PORT_PROTOS = new Set(['tcp', 'udp', 'sctp', 'udplite', 'icmp', 'icmpv6']);

/** `hash:ip,port` -> ['ip', 'port']; undefined for a type ipset does not have */
export function ipsetDims(type: string): string[] | undefined {
  const [method, dims] = type.split(':');
  if (!method || !dims || !METHODS.has(method)) return undefined;
  const d = dims.split(',');
  return d.every((x) => DIMS.has(x)) ? d : undefined;
}

/** words of a line, with `"quoted strings"` kept whole (comments); offsets for columns */
function words(s: string): { w: string; at: number }[] {
  const out: { w: string; at: number }[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) out.push({ w: m[1] !== undefined ? m[1] : m[2]!, at: m.index });
  return out;
}

function parseRange(s: string): { from: number; to: number } | undefined {
  const [a, b] = s.split('-');
  const from = ipToInt(a ?? '');
  const to = b === undefined ? from : ipToInt(b);
  if (from === undefined || to === undefined || to < from) return undefined;
  return { from, to };
}

function parsePart(dim: string, s: string, v6: boolean): IpsetPart | string {
  if (dim === 'ip' || dim === 'net') {
    if (v6) return /^[0-9a-fA-F:.]+(\/\d+)?$/.test(s) ? { k: 'ip6', text: s } : `bad IPv6 address "${s}"`;
    if (s.includes('/')) {
      const c = parseCidr(s);
      if (!c) return `bad address "${s}"`;
      if (dim === 'net') return { k: 'net', addr: c.addr, len: c.len };
      const size = 2 ** (32 - c.len);
      return { k: 'ip', from: c.addr, to: c.addr + size - 1 };
    }
    const r = parseRange(s);
    if (!r) return `bad address "${s}"`;
    return dim === 'net' && r.from === r.to ? { k: 'net', addr: r.from, len: 32 } : { k: 'ip', ...r };
  }
  if (dim === 'port') {
    const c = s.indexOf(':');
    const proto = c < 0 ? 'tcp' : s.slice(0, c).toLowerCase();
    const ports = c < 0 ? s : s.slice(c + 1);
    if (!PORT_PROTOS.has(proto) && !/^\d+$/.test(proto)) return `unknown protocol "${proto}"`;
    if (proto === 'icmp' || proto === 'icmpv6') {
      const t = /^(\d+)\/(\d+)$/.exec(ports);
      return t
        ? { k: 'port', proto, from: Number(t[1]) * 256 + Number(t[2]), to: Number(t[1]) * 256 + Number(t[2]) }
        : { k: 'port', proto, from: -1, to: -1 };
    }
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(ports);
    if (!m) return `bad port "${ports}"`;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from > 65535 || to > 65535 || to < from) return `bad port "${ports}"`;
    return { k: 'port', proto, from, to };
  }
  if (dim === 'iface') return s ? { k: 'iface', name: s.replace(/^physdev:/, '') } : 'empty interface name';
  if (dim === 'mark') {
    const n = Number(s);
    return Number.isInteger(n) && n >= 0 ? { k: 'mark', value: n } : `bad mark "${s}"`;
  }
  if (dim === 'mac')
    return /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(s)
      ? { k: 'mac', value: s.toLowerCase() }
      : `bad MAC "${s}"`;
  return s ? { k: 'set', name: s } : 'empty set name';
}

function parseMember(set: Ipset, ws: { w: string; at: number }[], line: number, out: Diagnostic[]): void {
  const first = ws[0];
  if (!first) return;
  const dims = ipsetDims(set.type) ?? [];
  const v6 = set.family === 'inet6';
  // bitmap:ip,mac members are `IP[,MAC]`; others have exactly one part per dimension
  const texts = set.type === 'list:set' ? [first.w] : first.w.split(',');
  if (texts.length !== dims.length && !(set.type === 'bitmap:ip,mac' && texts.length === 1)) {
    out.push(
      diag(
        'BAD_VALUE',
        `member "${first.w}" of ${set.type} set ${set.name} should have ${dims.length} part(s)`,
        line,
        first.at + 1,
      ),
    );
    return;
  }
  const parts: IpsetPart[] = [];
  for (let i = 0; i < texts.length; i++) {
    const p = parsePart(dims[i]!, texts[i]!, v6);
    if (typeof p === 'string') {
      out.push(diag('BAD_VALUE', `${p} in member of ${set.name} (${set.type})`, line, first.at + 1));
      return;
    }
    parts.push(p);
  }
  const m: IpsetMember = { text: first.w, parts, nomatch: false, line };
  for (let i = 1; i < ws.length; i++) {
    const o = ws[i]!;
    if (o.w === 'nomatch') m.nomatch = true;
    else if (MEMBER_VALUED.has(o.w) && ws[i + 1]) {
      const v = ws[++i]!.w;
      if (o.w === 'timeout') m.timeout = Number(v);
      else if (o.w === 'comment') m.comment = v;
    } else if (set.type === 'list:set' && (o.w === 'before' || o.w === 'after') && ws[i + 1]) i++;
    else out.push(diag('UNSUPPORTED', `unknown member option "${o.w}"`, line, o.at + 1));
  }
  set.members.push(m);
}

function createSet(
  name: string,
  type: string,
  opts: { w: string; at: number }[],
  line: number,
  typeAt: number,
  out: Diagnostic[],
): Ipset | undefined {
  if (!ipsetDims(type)) {
    out.push(
      diag(
        'BAD_VALUE',
        `unknown set type "${type}" (expected e.g. hash:ip,port, bitmap:port, list:set)`,
        line,
        typeAt + 1,
      ),
    );
    return undefined;
  }
  const set: Ipset = { name, type, options: {}, members: [], line };
  for (let i = 0; i < opts.length; i++) {
    const o = opts[i]!;
    if (CREATE_VALUED.has(o.w) && opts[i + 1]) set.options[o.w] = opts[++i]!.w;
    else set.options[o.w] = true;
  }
  const fam = set.options['family'];
  if (fam === 'inet' || fam === 'inet6') set.family = fam;
  else if (type !== 'list:set' && !type.startsWith('bitmap:port') && !type.startsWith('hash:mac'))
    set.family = 'inet';
  return set;
}

export function parseIpset(text: string): ParseResult<IpsetModel> {
  const sets = new Map<string, Ipset>();
  const diagnostics: Diagnostic[] = [];
  const lines = text.split('\n');
  // `ipset list` state
  let listSet:
    | { name: string; line: number; type?: string; header?: string; set?: Ipset; inMembers: boolean }
    | undefined;
  const finishList = () => {
    if (listSet && !listSet.set && listSet.type) {
      const s = createSet(
        listSet.name,
        listSet.type,
        words(listSet.header ?? ''),
        listSet.line,
        0,
        diagnostics,
      );
      if (s) sets.set(s.name, s);
    }
  };
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    const line = i + 1;
    const t = raw.trim();
    if (!t || t.startsWith('#')) {
      if (listSet) listSet.inMembers = false;
      continue;
    }
    const ws = words(raw);
    const cmd = ws[0]!.w;
    if (listSet?.inMembers && !/^[A-Z][A-Za-z ]*:/.test(t)) {
      if (!listSet.set) {
        finishList();
        listSet.set = sets.get(listSet.name);
      }
      if (listSet.set) parseMember(listSet.set, ws, line, diagnostics);
      continue;
    }
    if (cmd === 'create' || cmd === '-N') {
      listSet = undefined;
      const name = ws[1]?.w;
      const type = ws[2];
      if (!name || !type) {
        diagnostics.push(diag('SYNTAX', 'expected "create NAME TYPE [OPTIONS]"', line, ws[0]!.at + 1));
        continue;
      }
      if (sets.has(name)) {
        diagnostics.push(diag('DUPLICATE', `set ${name} created twice`, line, ws[1]!.at + 1));
        continue;
      }
      const s = createSet(name, type.w, ws.slice(3), line, type.at, diagnostics);
      if (s) sets.set(name, s);
      continue;
    }
    if (cmd === 'add' || cmd === '-A') {
      listSet = undefined;
      const name = ws[1]?.w;
      if (!name || !ws[2]) {
        diagnostics.push(diag('SYNTAX', 'expected "add NAME MEMBER [OPTIONS]"', line, ws[0]!.at + 1));
        continue;
      }
      const s = sets.get(name);
      if (!s) {
        diagnostics.push(
          diag('UNKNOWN_CHAIN', `member added to set ${name}, which was never created`, line, ws[1]!.at + 1),
        );
        continue;
      }
      parseMember(s, ws.slice(2), line, diagnostics);
      continue;
    }
    const kv = /^([A-Z][A-Za-z ]*):\s*(.*)$/.exec(t);
    if (kv) {
      const [, key, value] = kv;
      if (key === 'Name') {
        finishList();
        if (sets.has(value!)) diagnostics.push(diag('DUPLICATE', `set ${value} listed twice`, line, 1));
        listSet = { name: value!, line, inMembers: false };
      } else if (!listSet) diagnostics.push(diag('SYNTAX', `"${key}:" outside a "Name:" block`, line, 1));
      else if (key === 'Type') listSet.type = value;
      else if (key === 'Header') listSet.header = value;
      else if (key === 'Members') listSet.inMembers = true;
      continue;
    }
    diagnostics.push(
      diag(
        'SYNTAX',
        `expected an "ipset save" line (create/add) or an "ipset list" block, got "${t.slice(0, 60)}"`,
        line,
        ws[0]!.at + 1,
      ),
    );
  }
  finishList();
  return { value: { sets }, diagnostics };
}
