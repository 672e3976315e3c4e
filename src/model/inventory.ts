/**
 * @module model/inventory
 * What the Kubernetes API says about the cluster, as far as a walk needs it: nodes with
 * their addresses and pod CIDRs, and pods with their IPs and nodes. Read from a kubectl
 * JSON list (`kubectl get nodes,pods -A -o json`); objects it does not know are skipped.
 */
import { cidrContains } from '../util/ipv4.js';

export interface InventoryNode {
  name: string;
  addresses: string[];
  podCIDRs: string[];
}

export interface InventoryPod {
  namespace: string;
  name: string;
  ip: string;
  node?: string;
}

export interface ClusterInventory {
  nodes: InventoryNode[];
  pods: InventoryPod[];
}

interface KubeObject {
  kind?: string;
  items?: KubeObject[];
  metadata?: { name?: string; namespace?: string };
  spec?: { podCIDR?: string; podCIDRs?: string[]; nodeName?: string; hostNetwork?: boolean };
  status?: {
    addresses?: { type?: string; address?: string }[];
    podIP?: string;
    podIPs?: { ip?: string }[];
  };
}

export function inventoryFromKubectl(doc: unknown): ClusterInventory {
  const inv: ClusterInventory = { nodes: [], pods: [] };
  const visit = (o: KubeObject | undefined, hint?: string, depth = 0): void => {
    if (!o || typeof o !== 'object' || depth > 3) return;
    if (Array.isArray(o.items)) {
      const h = o.kind?.endsWith('List') && o.kind !== 'List' ? o.kind.slice(0, -4) : undefined;
      for (const i of o.items) visit(i, h, depth + 1);
      return;
    }
    const kind = o.kind ?? hint;
    const name = o.metadata?.name;
    if (!name) return;
    if (kind === 'Node') {
      const cidrs = [...(o.spec?.podCIDRs ?? []), ...(o.spec?.podCIDR ? [o.spec.podCIDR] : [])];
      inv.nodes.push({
        name,
        addresses: (o.status?.addresses ?? [])
          .filter((a) => a.address && a.type?.endsWith('IP'))
          .map((a) => a.address!),
        podCIDRs: [...new Set(cidrs)],
      });
    } else if (kind === 'Pod' && !o.spec?.hostNetwork) {
      const ips = [o.status?.podIP, ...(o.status?.podIPs ?? []).map((x) => x.ip)].filter(
        (x): x is string => typeof x === 'string' && x !== '',
      );
      for (const ip of new Set(ips))
        inv.pods.push({ namespace: o.metadata?.namespace ?? '', name, ip, node: o.spec?.nodeName });
    }
  };
  visit(doc as KubeObject);
  return inv;
}

/** the node an address belongs to (one of its addresses) */
export function inventoryNodeOfAddress(inv: ClusterInventory | undefined, ip: string): string | undefined {
  return inv?.nodes.find((n) => n.addresses.includes(ip))?.name;
}

/** where the inventory puts an IP: a pod's node, the node whose pod CIDR holds it, or the node with that address */
export function inventoryHome(
  inv: ClusterInventory | undefined,
  ip: string,
): { node: string; why: string } | undefined {
  if (!inv) return undefined;
  const pod = inv.pods.find((p) => p.ip === ip && p.node);
  if (pod) return { node: pod.node!, why: `pod ${pod.namespace}/${pod.name} runs there` };
  for (const n of inv.nodes) {
    const c = n.podCIDRs.find((x) => cidrContains(x, ip));
    if (c) return { node: n.name, why: `its podCIDR ${c} holds ${ip}` };
  }
  const n = inv.nodes.find((x) => x.addresses.includes(ip));
  return n ? { node: n.name, why: `${ip} is its address` } : undefined;
}
