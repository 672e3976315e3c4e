/**
 * @module cluster/to-model-inventory
 * The part of a cluster inventory (API or kubectl JSON) that a walk needs — nodes with their
 * addresses and pod CIDRs, pods with their IPs and nodes — as the model's ClusterInventory.
 * With it, a walk that leaves the collected nodes names the node it went to, or says the
 * destination lives elsewhere.
 */
import type { ClusterInventory } from '../model/inventory.js';
import type { Inventory } from './types.js';

export function toModelInventory(inv: Inventory): ClusterInventory {
  return {
    nodes: inv.nodes.map((n) => ({
      name: n.name,
      addresses: n.addresses.filter((a) => a.type.endsWith('IP')).map((a) => a.address),
      podCIDRs: n.podCIDRs,
    })),
    pods: inv.pods
      .filter((p) => !p.hostNetwork)
      .flatMap((p) => p.ips.map((ip) => ({ namespace: p.namespace, name: p.name, ip, node: p.node }))),
  };
}
