/**
 * @module cluster/inventory-names
 * Adds the inventory's names to the trace names (diagnose/names): pod IPs as `ns/pod`,
 * node addresses as `node NAME`, and every Service ClusterIP:port as `ns/svc:port`.
 */
import type { Names } from '../diagnose/names.js';
import type { Inventory } from './types.js';

export function addInventoryNames(names: Names, inv: Inventory): Names {
  for (const n of inv.nodes)
    for (const a of n.addresses)
      if (a.type.endsWith('IP') && !names.ip.has(a.address)) names.ip.set(a.address, `node ${n.name}`);
  for (const p of inv.pods) {
    if (p.hostNetwork) continue;
    for (const ip of p.ips) names.ip.set(ip, `${p.namespace}/${p.name}`);
  }
  for (const s of inv.services)
    for (const ip of s.clusterIPs)
      for (const p of s.ports)
        names.service.set(`${ip}:${p.port}`, `${s.namespace}/${s.name}:${p.name ?? p.port}`);
  return names;
}
