/**
 * @module model/node
 * The vendor-independent model of a node: its host network namespace, the pod namespaces
 * it hosts, and what podpath knows and does not know about them.
 */
import type { Diagnostic } from '../parse/diagnostic.js';
import type { Addr, BridgeLink, FdbEntry, IpRule, Link, Neigh, Route } from './net.js';
import type { Ruleset } from './iptables.js';
import type { NftRuleset } from './nft.js';
import type { CtEntry, CtStats } from './conntrack.js';
import type { IpvsModel } from './ipvs.js';
import type { IpsetModel } from './ipset.js';
import type { ClusterInventory } from './inventory.js';

/** A value with the place it was read from, for evidence (`sysctl:412`). */
export interface Sourced<T> {
  value: T;
  source: string;
  line?: number;
}

export interface NetnsModel {
  /** 'host' for the node's own namespace, else the pod namespace name */
  name: string;
  kind: 'host' | 'pod';
  node: string;
  pod?: { namespace: string; name: string };
  links: Link[];
  addrs: Addr[];
  routes: Route[];
  rules: IpRule[];
  neighs: Neigh[];
  fdb: FdbEntry[];
  bridgeLinks: BridgeLink[];
  /** net.* sysctls: name (dotted) -> value */
  sysctl: Map<string, Sourced<string>>;
  /** IPv4 rule sets by backend (both may exist on a mixed node) */
  iptables: { legacy?: Ruleset; nft?: Ruleset; unknown?: Ruleset };
  ip6tables: { legacy?: Ruleset; nft?: Ruleset; unknown?: Ruleset };
  /** `nft -j list ruleset`: every nf_tables table (iptables-nft's own tables show here too) */
  nft?: NftRuleset;
  conntrack?: CtEntry[];
  /** IPVS virtual services (`ipvsadm-save -n`), undefined when not collected */
  ipvs?: IpvsModel;
  /** ipsets (`ipset save`), undefined when not collected */
  ipsets?: IpsetModel;
  /** listening sockets (`ss -ltun`), undefined when not collected */
  listeners?: { proto: 'tcp' | 'udp'; addr: string; port: number; line: number }[];
  /** sources that were present and parsed for this namespace */
  known: Set<string>;
  /** assumptions the model had to make (said in every trace that depends on them) */
  assumptions: string[];
  /** true when this namespace was not in the snapshot and was synthesised from the usual CNI layout */
  synthetic: boolean;
}

export interface NodeModel {
  name: string;
  kernel?: string;
  host: NetnsModel;
  pods: NetnsModel[];
  /** loaded modules (/proc/modules) or undefined when unknown */
  modules?: Set<string>;
  ctStats?: CtStats[];
  /** raw text of sources that checks read directly (resolv-conf, sysctl-persistent, ...) */
  raw: Record<string, string>;
  /** file each source came from, for evidence */
  sourceFiles: Record<string, string>;
  diagnostics: Diagnostic[];
}

export interface ClusterModel {
  nodes: NodeModel[];
  /** what the Kubernetes API says (nodes, pods), when given */
  inventory?: ClusterInventory;
}
