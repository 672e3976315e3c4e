/**
 * @module diagnose/fanout
 * Fan-out: from one client (a pod, or a node's host network) to every Service its node's
 * kube-proxy programmed, every load-balancing branch of each — one simulated connection
 * per (service, endpoint), with what the client would see. The building block of
 * `podpath doctor`-style sweeps.
 *
 * ```ts
 * const r = fanout(cluster, '10.224.1.34');
 * for (const s of r.services) if (s.outcome !== 'connected') console.log(s.name, s.paths);
 * ```
 *
 * The world (namespaces, routes, rule indexes) is built once and shared by every walk;
 * each walk starts with empty conntrack tables, so services do not influence each other.
 * Hops are dropped after each walk unless `hops: true`, so memory stays flat in the
 * number of paths.
 */
import type { ClusterModel } from '../model/node.js';
import type { Hop, Outcome } from '../sim/types.js';
import { buildWorld } from '../sim/world.js';
import { explore } from '../sim/explore.js';
import { walkFlow } from '../sim/walk.js';
import { kubeServices, type ServicePort } from '../checks/services.js';
import { TraceError, endpointFromHops } from './trace.js';

export interface FanoutOptions {
  /** keep only the services this returns true for (default: all) */
  filter?: (s: ServicePort) => boolean;
  /** keep the request/reply hops of every path (default false: outcome and cause only) */
  hops?: boolean;
  /** client source port (default 45954, as `trace`) */
  sport?: number;
  /** cap on load-balancing leaves per service (default 10,000) */
  maxPathsPerService?: number;
}

/** One load-balancing branch of one service. */
export interface FanoutPath {
  /** post-DNAT destination `ip:port`, or the service address when no DNAT happened */
  endpoint: string;
  endpointNode?: string;
  /** probability of this branch for a new connection (0..1) */
  probability: number;
  outcome: Outcome;
  causeId?: string;
  cause: string;
  request?: Hop[];
  reply?: Hop[];
}

export interface FanoutService {
  /** `ns/svc:port` from kube-proxy's comment, when present */
  name?: string;
  proto: 'tcp' | 'udp';
  vip: string;
  port: number;
  /** the rule that programs it (`source:line`) */
  rule: string;
  /** endpoints the rules list (DNAT targets); paths say which ones were reached and how */
  programmed: string[];
  outcome: Outcome | 'mixed';
  paths: FanoutPath[];
}

export interface FanoutResult {
  client: { ip: string; node: string; ns: string };
  services: FanoutService[];
  /** simulated paths (walks) in total */
  walked: number;
  /** number of services per outcome */
  byOutcome: Partial<Record<Outcome | 'mixed', number>>;
  /** assumptions any path depended on */
  assumptions: string[];
}

/** Every service the client's node programmed, deduplicated (legacy + nft rule sets). */
export function servicesOf(cluster: ClusterModel, node: string): ServicePort[] {
  const n = cluster.nodes.find((x) => x.name === node);
  if (!n) return [];
  const seen = new Set<string>();
  const out: ServicePort[] = [];
  for (const s of kubeServices(n)) {
    const key = `${s.proto}|${s.vip}|${s.port}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(s);
  }
  return out;
}

/** Simulates a connection from `src` to every endpoint of every Service. Throws TraceError for an unknown client. */
export function fanout(cluster: ClusterModel, src: string, opts: FanoutOptions = {}): FanoutResult {
  const world = buildWorld(cluster);
  const client = world.podFor(src) ?? world.owner(src);
  if (!client) throw new TraceError(`source ${src} is neither a pod nor a node address in the snapshots`);
  const services = servicesOf(cluster, client.node).filter(
    (s) =>
      (s.proto === 'tcp' || s.proto === 'udp' || s.proto === '6' || s.proto === '17') &&
      (opts.filter?.(s) ?? true),
  );
  const assumptions = new Set<string>();
  for (const ns of world.namespaces)
    for (const a of ns.assumptions) if (ns.synthetic || ns === client) assumptions.add(a);
  const out: FanoutService[] = [];
  const byOutcome: FanoutResult['byOutcome'] = {};
  let walked = 0;
  const synthesised = new Set<string>();
  for (const s of services) {
    // endpoint pods the snapshot lacks are synthesised before the walks, as `trace` does for its destination
    for (const ep of s.endpoints) {
      const ip = ep.split(':')[0]!;
      if (!synthesised.has(ip)) {
        synthesised.add(ip);
        world.podFor(ip);
      }
    }
    const proto = s.proto === 'udp' || s.proto === '17' ? 'udp' : 'tcp';
    const flow = { proto, src, dst: s.vip, dport: s.port, sport: opts.sport ?? 45954 } as const;
    const leaves = explore(
      (choose) => walkFlow(world, client, flow, choose).ctx,
      opts.maxPathsPerService ?? 10_000,
    );
    walked += leaves.length;
    const byKey = new Map<string, FanoutPath>();
    for (const leaf of leaves) {
      const ctx = leaf.result;
      const r = ctx.result!;
      for (const n of ctx.notes) assumptions.add(n);
      const endpoint = ctx.endpoint ?? endpointFromHops(ctx.hops.request) ?? `${s.vip}:${s.port}`;
      const key = `${endpoint}|${r.outcome}|${r.causeId}`;
      const prev = byKey.get(key);
      if (prev) {
        prev.probability += leaf.probability;
        continue;
      }
      byKey.set(key, {
        endpoint,
        endpointNode: ctx.endpointNode,
        probability: leaf.probability,
        outcome: r.outcome,
        causeId: r.causeId,
        cause: r.cause,
        ...(opts.hops ? { request: ctx.hops.request, reply: ctx.hops.reply } : {}),
      });
    }
    const paths = [...byKey.values()];
    for (const p of paths) p.probability = Math.round(p.probability * 1e9) / 1e9;
    const outcomes = new Set(paths.map((p) => p.outcome));
    const outcome: Outcome | 'mixed' = outcomes.size === 1 ? paths[0]!.outcome : 'mixed';
    byOutcome[outcome] = (byOutcome[outcome] ?? 0) + 1;
    out.push({
      name: s.name,
      proto,
      vip: s.vip,
      port: s.port,
      rule: `${s.source}:${s.line}`,
      programmed: s.endpoints,
      outcome,
      paths,
    });
  }
  return {
    client: { ip: src, node: client.node, ns: client.kind === 'host' ? 'host' : client.name },
    services: out,
    walked,
    byOutcome,
    assumptions: [...assumptions],
  };
}
