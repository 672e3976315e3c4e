/**
 * @module model/ipset
 * ipsets as `ipset save` (or `ipset list`) prints them: a set has a type (`hash:ip,port`,
 * `bitmap:port`, `list:set`, ...), creation options, and members. A member is kept as its
 * parsed dimensions: addresses (with a prefix length for nets), ports with their protocol,
 * or, for a list:set, the names of the member sets.
 */

/** one dimension of a member */
export type IpsetPart =
  | { k: 'ip'; from: number; to: number }
  | { k: 'net'; addr: number; len: number }
  /** an IPv6 address or net, kept as text */
  | { k: 'ip6'; text: string }
  | { k: 'port'; proto: string; from: number; to: number }
  | { k: 'iface'; name: string }
  | { k: 'mark'; value: number }
  | { k: 'mac'; value: string }
  | { k: 'set'; name: string };

export interface IpsetMember {
  text: string;
  parts: IpsetPart[];
  /** `nomatch` on a hash:net-like member: packets in it do not match */
  nomatch: boolean;
  timeout?: number;
  comment?: string;
  line: number;
}

export interface Ipset {
  name: string;
  /** e.g. `hash:ip,port` */
  type: string;
  family?: 'inet' | 'inet6';
  /** other creation options (`hashsize 1024`, `timeout 300`, `comment`, `range 0-65535`) */
  options: Record<string, string | true>;
  members: IpsetMember[];
  line: number;
}

export interface IpsetModel {
  sets: Map<string, Ipset>;
}
