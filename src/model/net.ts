/**
 * @module model/net
 * Links, addresses, routes, policy rules, neighbours, bridge ports and FDB entries of one
 * network namespace, as `ip -j -d ...` and `bridge -j -d ...` describe them.
 */

export interface VxlanInfo {
  id: number;
  local?: string;
  /** static remote (`remote`) or multicast group; flannel uses neither (FDB instead) */
  remote?: string;
  /** underlay device name (`dev eth0` / `link` attribute) */
  dev?: string;
  port: number; // dstport, 8472 for flannel, 4789 IANA
  learning: boolean;
}

export interface BridgePortInfo {
  state: string; // forwarding | disabled | blocking | learning | listening
  hairpin: boolean;
  learning: boolean;
  flood: boolean;
  isolated: boolean;
}

export interface BridgeInfo {
  stp: boolean;
  vlanFiltering: boolean;
  /** per-bridge nf_call_iptables option (ip link set BR type bridge nf_call_iptables 1); overrides the sysctl when 1 */
  nfCallIptables?: boolean;
  nfCallIp6tables?: boolean;
}

export interface Link {
  index: number;
  name: string;
  mtu: number;
  /** operstate: UP, DOWN, UNKNOWN, LOWERLAYERDOWN */
  operstate: string;
  flags: string[]; // UP, LOWER_UP, NOARP, ...
  mac?: string;
  /** link type: ether, loopback, none, ... */
  linkType?: string;
  /** info_kind: veth, bridge, vxlan, dummy, ipip, ... undefined for physical */
  kind?: string;
  /** bridge (or bond) this link is enslaved to */
  master?: string;
  /** ifindex of the peer (veth) or lower device; from `link_index` or `link` */
  peerIndex?: number;
  /** peer name when in the same namespace (`"link": "eth0x"`) */
  peerName?: string;
  /** netns id of the peer when in another namespace (`link_netnsid`) */
  peerNetnsId?: number;
  vxlan?: VxlanInfo;
  bridgePort?: BridgePortInfo;
  bridge?: BridgeInfo;
  /** position in the source document (array index + 1), for evidence */
  line?: number;
}

export interface Addr {
  ifname: string;
  family: 'inet' | 'inet6';
  local: string;
  prefixlen: number;
  scope?: string;
  line?: number;
}

export interface Route {
  /** table name or number as ip prints it: 'main', 'local', '101' */
  table: string;
  /** unicast, local, broadcast, blackhole, unreachable, prohibit, throw, anycast, multicast */
  type: string;
  /** 'default' or a prefix; host routes without /len are normalised to /32 (/128) */
  dst: string;
  family: 'inet' | 'inet6';
  gateway?: string;
  dev?: string;
  prefsrc?: string;
  scope?: string;
  protocol?: string;
  metric?: number;
  flags: string[]; // onlink, ...
  line?: number;
}

export interface IpRule {
  priority: number;
  family: 'inet' | 'inet6';
  not: boolean;
  src?: string; // prefix or 'all'
  dst?: string;
  iif?: string;
  oif?: string;
  fwmark?: { value: number; mask: number };
  table?: string;
  /** 'lookup' (default), 'blackhole', 'unreachable', 'prohibit', 'goto', 'nop' */
  action: string;
  line?: number;
}

export interface Neigh {
  dst: string;
  dev: string;
  lladdr?: string;
  state: string[]; // PERMANENT, REACHABLE, STALE, FAILED, NOARP, ...
  line?: number;
}

/** `bridge -j fdb show`: MAC table of bridges and VXLAN devices (with `dst`) */
export interface FdbEntry {
  mac: string;
  ifname: string;
  master?: string;
  /** VXLAN remote underlay address */
  dst?: string;
  vlan?: number;
  state?: string; // permanent, static, '' (learned)
  flags: string[]; // self, master, extern_learn
  line?: number;
}

/** Port of a bridge from `bridge -j -d link show` */
export interface BridgeLink {
  ifname: string;
  index: number;
  master: string;
  state: string;
  hairpin: boolean;
  learning: boolean;
  flood: boolean;
  isolated: boolean;
  line?: number;
}
