/**
 * @module probe/plan-probes
 * What to probe for each Service port (TCP; UDP has no handshake to observe): its DNS name,
 * its ClusterIP, and every endpoint of its EndpointSlices with the port the slice gives
 * for that Service port, tagged same-node or cross-node relative to the prober's node.
 */
import { isIPv4 } from '../util/ipv4.js';
import type { Inventory, InvService } from '../cluster/types.js';

export interface EndpointTarget {
  ip: string;
  port: number;
  pod?: string;
  node?: string;
  ready: boolean;
  placement: 'same-node' | 'cross-node' | 'unknown';
}

export interface ServiceTarget {
  /** `ns/name:port` */
  name: string;
  dnsName: string;
  clusterIP: string;
  port: number;
  endpoints: EndpointTarget[];
}

export interface PlanOptions {
  node?: string;
  /** `ns/name` or `ns/name:port`; empty: every Service with a ClusterIP */
  only?: string[];
  clusterDomain?: string;
}

function selected(s: InvService, port: { name?: string; port: number }, only: string[] | undefined): boolean {
  if (!only?.length) return true;
  const ref = `${s.namespace}/${s.name}`;
  return only.some(
    (o) =>
      o === ref || o === `${ref}:${port.port}` || (port.name !== undefined && o === `${ref}:${port.name}`),
  );
}

export function planProbes(
  inv: Inventory,
  opts: PlanOptions = {},
): { targets: ServiceTarget[]; skipped: string[] } {
  const targets: ServiceTarget[] = [];
  const skipped: string[] = [];
  const domain = opts.clusterDomain ?? 'cluster.local';
  for (const s of inv.services) {
    const clusterIP = s.clusterIPs.find(isIPv4);
    for (const p of s.ports) {
      if (!selected(s, p, opts.only)) continue;
      const name = `${s.namespace}/${s.name}:${p.name ?? p.port}`;
      if (!clusterIP) {
        skipped.push(`${name}: no IPv4 ClusterIP (headless)`);
        continue;
      }
      if (p.protocol !== 'TCP') {
        skipped.push(`${name}: ${p.protocol} (no handshake to observe; use the DNS step for kube-dns)`);
        continue;
      }
      const endpoints: EndpointTarget[] = [];
      for (const sl of inv.slices.filter((x) => x.namespace === s.namespace && x.service === s.name)) {
        const sp = sl.ports.find((x) => (x.name ?? '') === (p.name ?? '') && x.protocol === p.protocol);
        const port = sp?.port ?? (typeof p.targetPort === 'number' ? p.targetPort : p.port);
        for (const e of sl.endpoints) {
          if (!isIPv4(e.ip)) continue;
          const placement =
            !opts.node || !e.node ? 'unknown' : e.node === opts.node ? 'same-node' : 'cross-node';
          endpoints.push({
            ip: e.ip,
            port,
            ready: e.ready,
            placement,
            ...(e.pod ? { pod: e.pod } : {}),
            ...(e.node ? { node: e.node } : {}),
          });
        }
      }
      targets.push({
        name,
        dnsName: `${s.name}.${s.namespace}.svc.${domain}`,
        clusterIP,
        port: p.port,
        endpoints,
      });
    }
  }
  return { targets, skipped };
}
