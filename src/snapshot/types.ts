/**
 * @module snapshot/types
 * The node snapshot of ARCHITECTURE §3: raw command outputs, parsed at analysis time.
 */

/** Known source ids. Others are kept and ignored. */
export const SOURCE_IDS = [
  'sysctl',
  'uname',
  'modules',
  'ip-link',
  'ip-addr',
  'ip-route',
  'ip-rule',
  'ip-neigh',
  'bridge-link',
  'bridge-fdb',
  'iptables-save',
  'iptables-legacy-save',
  'iptables-nft-save',
  'ip6tables-save',
  'ip6tables-legacy-save',
  'ip6tables-nft-save',
  'nft-ruleset',
  'ipvsadm',
  'ipset',
  'conntrack',
  'conntrack-stats',
  'conntrack-count',
  'resolv-conf',
  'cni-conf',
  'sysctl-persistent',
  'modules-load',
  'hostname',
] as const;
export type SourceId = (typeof SOURCE_IDS)[number];

export interface SourceOutput {
  command: string;
  exitCode: number;
  stdout: string;
  stderr?: string;
  durationMs?: number;
}

export interface NetnsSnapshot {
  /** name under /run/netns, or `pid:<pid>` for a container's namespace */
  name: string;
  /** how it was found: 'named' | 'container' | 'lab' */
  via?: string;
  pod?: { namespace: string; name: string };
  sources: Record<string, SourceOutput>;
}

export interface NodeSnapshot {
  apiVersion: 'podpath/v1';
  kind: 'NodeSnapshot';
  metadata: {
    node: string;
    collectedAt?: string;
    kernel?: string;
    collector?: string;
  };
  sources: Record<string, SourceOutput>;
  /** pod network namespaces reachable from the node (podpath extension of §3) */
  netns?: NetnsSnapshot[];
}

/** A snapshot as loaded, with where it came from (a file, a directory, an archive). */
export interface LoadedSnapshot {
  snapshot: NodeSnapshot;
  /** path given on the command line */
  origin: string;
  /** for each source id, the file it came from (directory form) or `<origin>#sources.<id>` */
  sourceFiles: Record<string, string>;
}
