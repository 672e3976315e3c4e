/**
 * @module diagnose/names
 * Human names for addresses: pods from their namespaces in the snapshot, Services from the
 * comments kube-proxy writes on its KUBE-SERVICES rules ("ns/svc:port cluster IP").
 */
import type { ClusterModel } from '../model/node.js';

export interface Names {
  ip: Map<string, string>;
  /** "ip:port" -> "ns/svc:port" */
  service: Map<string, string>;
}

export function collectNames(cluster: ClusterModel): Names {
  const ip = new Map<string, string>();
  const service = new Map<string, string>();
  for (const node of cluster.nodes) {
    for (const pod of node.pods) {
      const name = pod.pod ? `${pod.pod.namespace}/${pod.pod.name}` : undefined;
      if (!name) continue;
      for (const a of pod.addrs) if (a.family === 'inet' && a.ifname !== 'lo') ip.set(a.local, name);
    }
    for (const a of node.host.addrs)
      if (a.family === 'inet' && a.ifname !== 'lo' && !ip.has(a.local)) ip.set(a.local, `node ${node.name}`);
    for (const rs of [node.host.iptables.legacy, node.host.iptables.nft, node.host.iptables.unknown]) {
      const chain = rs?.tables.nat?.chains['KUBE-SERVICES'];
      if (!chain) continue;
      for (const r of chain.rules) {
        const c = r.matches.find((m) => m.m === 'comment');
        const port = r.matches.find((m) => m.m === 'tcp' || m.m === 'udp');
        if (!c || c.m !== 'comment' || !r.dst || r.dst.neg) continue;
        const mm = c.comment.match(/^(\S+) (cluster IP|external IP|loadbalancer IP)$/);
        if (!mm) continue;
        const dport = port && 'dport' in port && port.dport ? port.dport.value.from : undefined;
        if (dport !== undefined) service.set(`${r.dst.value.addr}:${dport}`, mm[1]!);
      }
    }
  }
  return { ip, service };
}

export function nameIp(names: Names, ip: string): string {
  const n = names.ip.get(ip);
  return n ? `${ip} (${n})` : ip;
}

export function nameEndpoint(names: Names, ipPort: string): string {
  const s = names.service.get(ipPort);
  if (s) return `${ipPort} (${s})`;
  const ip = ipPort.split(':')[0]!;
  const n = names.ip.get(ip);
  return n ? `${ipPort} (${n})` : ipPort;
}
