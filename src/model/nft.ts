/**
 * @module model/nft
 * Vendor-independent model of an nftables rule set as `nft -j list ruleset` prints it:
 * tables of every family, base and regular chains, rules with their expression list kept
 * as nft's JSON (libnftables-json) structures, and named sets, maps and verdict maps with
 * their elements. Produced by parse/nft, consumed by sim/nft-eval and checks/.
 */

export type NftFamily = 'ip' | 'ip6' | 'inet' | 'bridge' | 'netdev' | 'arp';
export const NFT_FAMILIES: readonly NftFamily[] = ['ip', 'ip6', 'inet', 'bridge', 'netdev', 'arp'];

export type NftChainType = 'filter' | 'nat' | 'route';
export type NftHook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting' | 'ingress' | 'egress';

/**
 * An nft JSON expression or statement, kept as printed: `{ "match": { op, left, right } }`,
 * `{ "payload": { protocol, field } }`, `"10.0.0.1"`, `{ "prefix": { addr, len } }`, ...
 */
export type NftJson = null | boolean | number | string | NftJson[] | { [key: string]: NftJson };

/** Where something was read: its JSON pointer and, 1-based, index in the `nftables` array. */
export interface NftPlace {
  /** JSON pointer, e.g. `/nftables/42/rule` */
  path: string;
  /** 1-based position in the `nftables` array (what a trace cites as the "line") */
  item: number;
}

export interface NftBaseChain {
  type: NftChainType;
  hook: NftHook;
  /** numeric priority (names such as `dstnat` or `filter - 10` resolved for the family) */
  priority: number;
  /** as written when it was a name (`dstnat`, `srcnat + 1`) */
  priorityText?: string;
  policy: 'accept' | 'drop';
  /** netdev/ingress device(s) */
  device?: string[];
}

export interface NftRule extends NftPlace {
  handle?: number;
  /** statements in order (match, vmap, counter, mangle, dnat, verdicts ...) */
  expr: NftJson[];
  comment?: string;
  /** the rule in nft's own syntax, as far as podpath can render it (for traces) */
  text: string;
}

export interface NftChain extends NftPlace {
  family: NftFamily;
  table: string;
  name: string;
  handle?: number;
  base?: NftBaseChain;
  rules: NftRule[];
  comment?: string;
}

export interface NftSetElement {
  /** the key: a value, prefix, range or concatenation */
  key: NftJson;
  /** maps: the data (a verdict object for verdict maps) */
  value?: NftJson;
  comment?: string;
}

export interface NftSet extends NftPlace {
  kind: 'set' | 'map';
  name: string;
  /** key type(s): `ipv4_addr`, or a list for a concatenation */
  type: string[];
  /** maps: data type (`verdict` for a verdict map) */
  map?: string;
  flags: string[];
  elements: NftSetElement[];
  comment?: string;
}

export interface NftTable extends NftPlace {
  family: NftFamily;
  name: string;
  handle?: number;
  comment?: string;
  flags: string[];
  chains: Map<string, NftChain>;
  sets: Map<string, NftSet>;
}

export interface NftRuleset {
  /** nft version from `metainfo` */
  version?: string;
  tables: NftTable[];
}

/** key of a table: `ip kube-proxy` */
export function tableKey(t: { family: string; name: string }): string {
  return `${t.family} ${t.name}`;
}
