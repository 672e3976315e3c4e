/**
 * @module sim/ipset-match
 * `-m set --match-set NAME dir[,dir...]` against `ipset save` data, as the kernel's
 * ip_set_test does: each direction flag picks the packet's source or destination for one
 * dimension of the set type (`dst,dst` on hash:ip,port = destination address and port);
 * fewer flags than dimensions never match; an IPv6 set never matches an IPv4 packet;
 * hash:net-like sets take the most specific member, and a `nomatch` member excludes;
 * list:set matches when one of its member sets does. Returns a reason string when the
 * answer is unknown (no ipset data, a set missing from it).
 */
import type { Ipset, IpsetMember, IpsetModel, IpsetPart } from '../model/ipset.js';
import type { Packet } from './types.js';
import { ipsetDims } from '../parse/ipset/index.js';
import { ipToInt, inPrefix } from '../util/ipv4.js';

type Dir = 'src' | 'dst';

const PORT_PROTOS = new Set(['tcp', 'udp', 'sctp']);

function partMatches(part: IpsetPart, dir: Dir, p: Packet, bitmapPort: boolean): boolean {
  if (part.k === 'ip' || part.k === 'net') {
    const ip = ipToInt(dir === 'src' ? p.src : p.dst);
    if (ip === undefined) return false;
    return part.k === 'ip' ? ip >= part.from && ip <= part.to : inPrefix(ip, part.addr, part.len);
  }
  if (part.k === 'port') {
    if (!PORT_PROTOS.has(p.proto)) return false;
    if (!bitmapPort && part.proto !== p.proto) return false; // bitmap:port has no protocol
    const port = dir === 'src' ? p.sport : p.dport;
    return port >= part.from && port <= part.to;
  }
  if (part.k === 'mark') return p.mark === part.value;
  return false;
}

/** how specific a member is (sum of prefix lengths), for hash:net's most-specific-first */
function specificity(m: IpsetMember): number {
  return m.parts.reduce((n, x) => n + (x.k === 'net' ? x.len : 0), 0);
}

export function ipsetTest(
  model: IpsetModel | undefined,
  name: string,
  flags: Dir[],
  p: Packet,
  node = 'the node',
  depth = 0,
): boolean | string {
  if (!model) return `ipset ${name}: no \`ipset save\` in the snapshot of ${node}`;
  const set: Ipset | undefined = model.sets.get(name);
  if (!set) return `ipset ${name} is not in the \`ipset save\` of ${node}`;
  if (set.type === 'list:set') {
    if (depth > 4) return `ipset ${name}: list:set nested too deep`;
    let unknown: string | undefined;
    for (const m of set.members) {
      const part = m.parts[0];
      if (part?.k !== 'set') continue;
      const r = ipsetTest(model, part.name, flags, p, node, depth + 1);
      if (r === true) return true;
      if (typeof r === 'string') unknown ??= r;
    }
    return unknown ?? false;
  }
  const dims = ipsetDims(set.type);
  if (!dims) return `ipset ${name}: unknown type ${set.type}`;
  if (flags.length < dims.length) return false;
  if (set.family === 'inet6') return false;
  if (dims.some((d) => d === 'iface' || d === 'mac'))
    return `ipset ${name} (${set.type}): interface and MAC dimensions are not modelled`;
  const bitmapPort = set.type.startsWith('bitmap:');
  const netMask = typeof set.options['netmask'] === 'string' ? Number(set.options['netmask']) : undefined;
  let best: IpsetMember | undefined;
  for (const m of set.members) {
    if (m.parts.some((x) => x.k === 'port' && x.from < 0)) continue; // icmp type names: never an IPv4 tcp/udp packet
    const ok = m.parts.every((part, i) => {
      if (part.k === 'ip' && netMask !== undefined && set.type === 'hash:ip') {
        const ip = ipToInt(flags[i] === 'src' ? p.src : p.dst);
        return ip !== undefined && inPrefix(ip, part.from, netMask);
      }
      return partMatches(part, flags[i]!, p, bitmapPort);
    });
    if (ok && (!best || specificity(m) > specificity(best))) best = m;
  }
  return best !== undefined && !best.nomatch;
}
