/**
 * @module parse/iptables-save/protocols
 * `-p` values: names and numbers as iptables resolves them (`xtables_parse_protocol()`:
 * its own table first, then /etc/protocols). Numbers with a well-known name and aliases
 * become that name, so `-p 6`, `-p TCP` and `-p tcp` are the same `tcp`, and `ipv6-icmp`
 * / `58` become `icmpv6`. `all` and `0` mean every protocol.
 */

const BY_NUMBER: Record<number, string> = {
  0: 'all',
  1: 'icmp',
  2: 'igmp',
  4: 'ipencap',
  6: 'tcp',
  17: 'udp',
  33: 'dccp',
  41: 'ipv6',
  47: 'gre',
  50: 'esp',
  51: 'ah',
  58: 'icmpv6',
  89: 'ospf',
  103: 'pim',
  112: 'vrrp',
  115: 'l2tp',
  132: 'sctp',
  135: 'mh',
  136: 'udplite',
};

const ALIASES: Record<string, string> = {
  'ipv6-icmp': 'icmpv6',
  'ipv6-mh': 'mh',
  ospfigp: 'ospf',
  'ip-encap': 'ipencap',
  'ipv6-encap': 'ipv6',
};

const NAMES: ReadonlySet<string> = new Set(Object.values(BY_NUMBER));

/**
 * Normalised protocol; `{ unknown }` for a name podpath does not know (kept, lower case),
 * `{ bad }` for a number above 255.
 */
export function normaliseProtocol(s: string): string | { unknown: string } | { bad: string } {
  if (NAMES.has(s)) return s;
  const l = s.toLowerCase();
  if (NAMES.has(l)) return l;
  const alias = Object.prototype.hasOwnProperty.call(ALIASES, l) ? ALIASES[l] : undefined;
  if (alias !== undefined) return alias;
  if (/^[0-9]{1,3}$/.test(l)) {
    const n = Number(l);
    if (n > 255) return { bad: s };
    return BY_NUMBER[n] ?? String(n);
  }
  return { unknown: l };
}
