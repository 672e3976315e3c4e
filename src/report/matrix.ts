/**
 * @module report/matrix
 * The pod -> Service matrix of a report: every pod of the snapshots against every Service
 * kube-proxy programmed (its KUBE-SERVICES comments), each cell one simulated trace. This
 * is the local stand-in for `podpath doctor`'s matrix: swap it by passing another
 * `MatrixProvider` to the report.
 */
import type { ClusterModel } from '../model/node.js';
import { traceFlow, TraceError, type FindingsProvider, type TraceResult } from '../diagnose/trace.js';

export interface MatrixSource {
  ip: string;
  name: string;
  node: string;
}

export interface MatrixService {
  ip: string;
  port: number;
  proto: 'tcp' | 'udp';
  name: string;
}

export interface MatrixCell {
  src: string;
  service: string;
  outcome: TraceResult['outcome'] | 'error';
  /** paths that connect / all paths */
  ok: number;
  total: number;
  trace?: TraceResult;
  error?: string;
}

export interface Matrix {
  sources: MatrixSource[];
  services: MatrixService[];
  /** key `${src}>${ip}:${port}/${proto}` */
  cells: Map<string, MatrixCell>;
}

export type MatrixProvider = (cluster: ClusterModel, findings?: FindingsProvider) => Matrix;

export function cellKey(src: string, s: MatrixService): string {
  return `${src}>${s.ip}:${s.port}/${s.proto}`;
}

export function matrixSources(cluster: ClusterModel): MatrixSource[] {
  const out: MatrixSource[] = [];
  for (const node of cluster.nodes)
    for (const p of node.pods) {
      const a = p.addrs.find((x) => x.family === 'inet' && x.ifname !== 'lo');
      if (!a || p.synthetic) continue;
      out.push({ ip: a.local, name: p.pod ? `${p.pod.namespace}/${p.pod.name}` : p.name, node: node.name });
    }
  return out.sort((a, b) => a.node.localeCompare(b.node) || a.name.localeCompare(b.name));
}

/** Services from the `ns/svc:port cluster IP` comments kube-proxy writes on KUBE-SERVICES (iptables mode). */
export function matrixServices(cluster: ClusterModel): MatrixService[] {
  const seen = new Map<string, MatrixService>();
  for (const node of cluster.nodes)
    for (const rs of [node.host.iptables.legacy, node.host.iptables.nft, node.host.iptables.unknown]) {
      for (const r of rs?.tables.nat?.chains['KUBE-SERVICES']?.rules ?? []) {
        const c = r.matches.find((m) => m.m === 'comment');
        const port = r.matches.find((m) => m.m === 'tcp' || m.m === 'udp');
        if (!c || c.m !== 'comment' || !r.dst || r.dst.neg || !port) continue;
        const mm = c.comment.match(/^(\S+) cluster IP$/);
        const dport = 'dport' in port && port.dport ? port.dport.value.from : undefined;
        if (!mm || dport === undefined) continue;
        const s: MatrixService = {
          ip: r.dst.value.addr,
          port: dport,
          proto: port.m as 'tcp' | 'udp',
          name: mm[1]!,
        };
        seen.set(`${s.ip}:${s.port}/${s.proto}`, s);
      }
    }
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export const localMatrix: MatrixProvider = (cluster, findings) => {
  const sources = matrixSources(cluster);
  const services = matrixServices(cluster);
  const cells = new Map<string, MatrixCell>();
  for (const src of sources)
    for (const s of services) {
      const key = cellKey(src.ip, s);
      try {
        const t = traceFlow(cluster, { proto: s.proto, src: src.ip, dst: s.ip, dport: s.port }, { findings });
        const ok = t.paths.filter((p) => p.outcome === 'connected').length;
        cells.set(key, {
          src: src.ip,
          service: key,
          outcome: t.outcome,
          ok,
          total: t.paths.length,
          trace: t,
        });
      } catch (e) {
        if (!(e instanceof TraceError)) throw e;
        cells.set(key, { src: src.ip, service: key, outcome: 'error', ok: 0, total: 0, error: e.message });
      }
    }
  return { sources, services, cells };
};
