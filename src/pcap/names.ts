/**
 * @module pcap/names
 * Names for the addresses in a capture, so findings read `podA (10.224.1.34)`: pod and node
 * addresses from node snapshots (`ip-addr` of the node and of each pod namespace), and
 * pod, Service and node addresses from `kubectl get nodes,pods,services -A -o json`.
 */
import type { NodeSnapshot, SourceOutput } from '../snapshot/types.js';

export type Names = Map<string, string>;

/** Addresses of `ip -j addr` (JSON) or `ip addr` (text) output, with their interface. */
export function addressesOf(out: SourceOutput | undefined): { ifname: string; ip: string }[] {
  if (!out || out.exitCode !== 0 || !out.stdout) return [];
  const res: { ifname: string; ip: string }[] = [];
  const text = out.stdout.trim();
  if (text.startsWith('[')) {
    try {
      const links = JSON.parse(text) as { ifname?: string; addr_info?: { local?: string }[] }[];
      for (const l of links)
        for (const a of l.addr_info ?? []) if (a.local) res.push({ ifname: l.ifname ?? '', ip: a.local });
    } catch {
      return [];
    }
    return res;
  }
  let ifname = '';
  for (const line of text.split('\n')) {
    const head = /^\d+:\s+([^:@\s]+)/.exec(line);
    if (head) ifname = head[1]!;
    const a = /^\s+inet6? ([0-9a-fA-F:.]+)\//.exec(line);
    if (a) res.push({ ifname, ip: a[1]! });
  }
  return res;
}

function usable(ip: string, ifname: string): boolean {
  return ifname !== 'lo' && !ip.startsWith('127.') && ip !== '::1' && !ip.toLowerCase().startsWith('fe80:');
}

/** Pod namespaces by pod name, node interfaces as `node/ifname` (`node` for the first). */
export function namesFromSnapshot(s: NodeSnapshot): Names {
  const names: Names = new Map();
  const node = s.metadata.node;
  for (const ns of s.netns ?? []) {
    const label = ns.pod ? `${ns.pod.namespace}/${ns.pod.name}` : ns.name;
    for (const a of addressesOf(ns.sources['ip-addr'])) if (usable(a.ip, a.ifname)) names.set(a.ip, label);
  }
  for (const a of addressesOf(s.sources['ip-addr'])) {
    if (!usable(a.ip, a.ifname) || names.has(a.ip)) continue;
    names.set(a.ip, `${node}/${a.ifname}`);
  }
  return names;
}

interface KubeObject {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  spec?: { clusterIP?: string; clusterIPs?: string[]; hostNetwork?: boolean };
  status?: { podIP?: string; podIPs?: { ip?: string }[]; addresses?: { type?: string; address?: string }[] };
  items?: KubeObject[];
}

/** Pods (`ns/name`), Services (`svc ns/name`) and nodes (`node name`) of a kubectl JSON list. */
export function namesFromKubectl(doc: unknown): Names {
  const names: Names = new Map();
  const visit = (o: KubeObject | undefined, kindHint?: string): void => {
    if (!o || typeof o !== 'object') return;
    if (Array.isArray(o.items)) {
      const hint = o.kind?.endsWith('List') ? o.kind.slice(0, -4) : undefined;
      for (const i of o.items) visit(i, hint);
      return;
    }
    const kind = o.kind ?? kindHint;
    const ns = o.metadata?.namespace ?? '';
    const name = o.metadata?.name ?? '';
    if (kind === 'Pod' && !o.spec?.hostNetwork) {
      for (const ip of [o.status?.podIP, ...(o.status?.podIPs ?? []).map((x) => x.ip)])
        if (ip) names.set(ip, `${ns}/${name}`);
    } else if (kind === 'Service') {
      for (const ip of [o.spec?.clusterIP, ...(o.spec?.clusterIPs ?? [])])
        if (ip && ip !== 'None') names.set(ip, `svc ${ns}/${name}`);
    } else if (kind === 'Node') {
      for (const a of o.status?.addresses ?? [])
        if (a.address && a.type?.endsWith('IP')) names.set(a.address, `node ${name}`);
    }
  };
  visit(doc as KubeObject);
  return names;
}

/** Later maps win. */
export function mergeNames(...maps: Names[]): Names {
  const out: Names = new Map();
  for (const m of maps) for (const [k, v] of m) out.set(k, v);
  return out;
}
