/**
 * @module snapshot/source-files
 * The directory form of a snapshot (ARCHITECTURE §3): one plain file per source, named after
 * the source id. This table says which file names map to which id, and which command the
 * file name implies (the directory form records no command lines).
 */

/** file name -> source id, for the names that are not simply `<id>.txt` / `<id>.json` */
const ALIASES: Record<string, string> = {
  'resolv.conf': 'resolv-conf',
  hostname: 'hostname',
  'ipvsadm-save.txt': 'ipvsadm',
  'ipset-save.txt': 'ipset',
};

/** id -> [command for a .json file, command for a .txt file] */
const COMMANDS: Record<string, [string, string]> = {
  sysctl: ['sysctl -a', 'sysctl -a'],
  uname: ['uname -a', 'uname -a'],
  modules: ['cat /proc/modules', 'cat /proc/modules'],
  hostname: ['hostname', 'hostname'],
  'ip-link': ['ip -j -d link show', 'ip -d link show'],
  'ip-addr': ['ip -j -d addr show', 'ip -d addr show'],
  'ip-route': ['ip -j -d route show table all', 'ip -d route show table all'],
  'ip-rule': ['ip -j rule show', 'ip rule show'],
  'ip-neigh': ['ip -j -d neigh show', 'ip -d neigh show'],
  'bridge-link': ['bridge -j -d link show', 'bridge -d link show'],
  'bridge-fdb': ['bridge -j fdb show', 'bridge fdb show'],
  'iptables-save': ['iptables-save', 'iptables-save'],
  'iptables-legacy-save': ['iptables-legacy-save', 'iptables-legacy-save'],
  'iptables-nft-save': ['iptables-nft-save', 'iptables-nft-save'],
  'ip6tables-save': ['ip6tables-save', 'ip6tables-save'],
  'ip6tables-legacy-save': ['ip6tables-legacy-save', 'ip6tables-legacy-save'],
  'ip6tables-nft-save': ['ip6tables-nft-save', 'ip6tables-nft-save'],
  'nft-ruleset': ['nft -j list ruleset', 'nft list ruleset'],
  ipvsadm: ['ipvsadm-save -n', 'ipvsadm-save -n'],
  ipset: ['ipset save', 'ipset save'],
  conntrack: ['conntrack -L', 'conntrack -L'],
  'conntrack-stats': ['conntrack -S', 'conntrack -S'],
  'conntrack-count': ['conntrack -C', 'conntrack -C'],
  'resolv-conf': ['cat /etc/resolv.conf', 'cat /etc/resolv.conf'],
  'cni-conf': ['tail -v -n +1 /etc/cni/net.d/*', 'tail -v -n +1 /etc/cni/net.d/*'],
  'sysctl-persistent': [
    'tail -v -n +1 /etc/sysctl.conf /etc/sysctl.d/*.conf',
    'tail -v -n +1 /etc/sysctl.conf /etc/sysctl.d/*.conf',
  ],
  'modules-load': ['tail -v -n +1 /etc/modules-load.d/*.conf', 'tail -v -n +1 /etc/modules-load.d/*.conf'],
};

/** sources whose natural form is JSON (written as `<id>.json`) */
const JSON_IDS = new Set([
  'ip-link',
  'ip-addr',
  'ip-route',
  'ip-rule',
  'ip-neigh',
  'bridge-link',
  'bridge-fdb',
  'nft-ruleset',
]);

const ID = /^[a-z0-9][a-z0-9._-]*$/;

/** files of the directory form that are not sources */
export const META_FILES = new Set(['metadata.json', 'pod.json']);

export interface SourceFileName {
  id: string;
  /** the stream this file holds: stdout (`<id>.txt`), stderr (`<id>.stderr`), exit code (`<id>.exitcode`) */
  part: 'stdout' | 'stderr' | 'exitCode';
  json: boolean;
}

/** `ip-route.json` -> { id: 'ip-route', part: 'stdout', json: true }; undefined for other files */
export function sourceOfFileName(name: string): SourceFileName | undefined {
  if (META_FILES.has(name)) return undefined;
  const alias = ALIASES[name];
  if (alias) return { id: alias, part: 'stdout', json: false };
  const m = /^(.+)\.(txt|json|stderr|exitcode)$/.exec(name);
  if (!m || !m[1] || !ID.test(m[1])) return undefined;
  const ext = m[2];
  return {
    id: m[1],
    part: ext === 'stderr' ? 'stderr' : ext === 'exitcode' ? 'exitCode' : 'stdout',
    json: ext === 'json',
  };
}

export function impliedCommand(id: string, json: boolean, fileName: string): string {
  const c = COMMANDS[id];
  return c ? c[json ? 0 : 1] : `cat ${fileName}`;
}

/** sources whose canonical command prints JSON */
export function prefersJson(id: string): boolean {
  return JSON_IDS.has(id);
}

/** the file name `writeSnapshotDir` uses for a source */
export function fileNameOfSource(id: string, stdout: string): string {
  const json = JSON_IDS.has(id) && /^\s*[[{]/.test(stdout);
  return `${id}.${json ? 'json' : 'txt'}`;
}
