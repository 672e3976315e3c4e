/**
 * @module diagnose/trace
 * `podpath trace`: one flow through the cluster model, one path per load-balancing choice,
 * request and reply, and what the client application sees.
 */
import type { ClusterModel } from '../model/node.js';
import type { Finding } from '../checks/types.js';
import type { Flow, Outcome, PathResult } from '../sim/types.js';
import type { Ruleset } from '../model/iptables.js';
import { buildWorld } from '../sim/world.js';
import { explore } from '../sim/explore.js';
import { walkFlow } from '../sim/walk.js';
import { fibLookup, sourceFor } from '../sim/routing.js';
import { kubeServices } from '../checks/services.js';

export interface TraceResult {
  flow: { proto: 'tcp' | 'udp'; src: string; dst: string; dport: number };
  outcome: Outcome | 'mixed';
  paths: PathResult[];
  findings: Finding[];
  assumptions: string[];
  /** the client namespace: node and pod */
  client?: { node: string; ns: string };
}

export class TraceError extends Error {
  override name = 'TraceError';
}

/** Maps a path's cause to the check ids that explain it (for the findings of a trace). */
export const CAUSE_CHECKS: Record<string, string[]> = {
  'reply-bypassed-conntrack': [
    'bridge-nf-call-iptables-disabled',
    'br-netfilter-not-loaded',
    'conntrack-unreplied-same-bridge',
  ],
  'ip-forward-disabled': ['ip-forward-disabled'],
  'forward-policy-drop': ['forward-policy-drop'],
  'hairpin-off': ['hairpin-mode-off'],
  rejected: ['service-without-endpoints'],
};

export type FindingsProvider = (cluster: ClusterModel, checkIds: string[]) => Finding[];

export function traceFlow(
  cluster: ClusterModel,
  flow: Flow,
  opts: {
    findings?: FindingsProvider;
    maxPaths?: number;
    /** a returning client with session affinity, pinned to this endpoint `ip:port` */
    pinned?: string;
  } = {},
): TraceResult {
  const world = buildWorld(cluster);
  const client = world.podFor(flow.src) ?? world.owner(flow.src);
  if (!client) {
    throw new TraceError(
      `source ${flow.src} is neither a pod (no node's bridge subnet holds it, no pod namespace has it) nor a node address in the snapshots`,
    );
  }
  let src = flow.src;
  const notes: string[] = [];
  if (client.kind === 'host') {
    // a host-network client: an unbound socket gets the source address the route picks (inet_select_addr)
    const r = fibLookup(client, flow.dst);
    const picked = r.type === 'unicast' ? sourceFor(client, r.route, r.route?.dev) : undefined;
    if (picked && picked !== src) {
      notes.push(
        `the client is node ${client.node} (host network): an unbound socket sends from ${picked}, the source the route to ${flow.dst} picks (dev ${r.route?.dev}), not ${src}`,
      );
      src = picked;
    }
  }
  const full = { proto: flow.proto, src, dst: flow.dst, dport: flow.dport, sport: flow.sport ?? 45954 };
  // make sure the destination pod exists in the world before the walks (synthesised once),
  // and so do the endpoints kube-proxy load-balances a Service address to
  world.podFor(flow.dst);
  const clientNode = cluster.nodes.find((n) => n.name === client.node);
  for (const s of clientNode ? kubeServices(clientNode) : [])
    if (s.vip === flow.dst && s.port === flow.dport)
      for (const ep of s.endpoints) world.podFor(ep.split(':')[0]!);
  const clientRules = clientNode
    ? [clientNode.host.iptables.legacy, clientNode.host.iptables.nft, clientNode.host.iptables.unknown]
    : [];
  const pinLists = opts.pinned ? affinityLists(clientRules, opts.pinned) : undefined;
  const recent = pinLists && ((name: string) => pinLists.has(name));
  const leaves = explore((choose) => {
    const { ctx } = walkFlow(world, client, full, choose, { recent });
    return ctx;
  }, opts.maxPaths ?? 100_000);
  const byKey = new Map<string, PathResult>();
  const assumptions = new Set<string>(notes);
  for (const ns of world.namespaces)
    for (const a of ns.assumptions) if (ns.synthetic || ns === client) assumptions.add(a);
  for (const leaf of leaves) {
    const ctx = leaf.result;
    const r = ctx.result!;
    const endpoint = ctx.endpoint ?? endpointFromHops(ctx.hops.request) ?? `${flow.dst}:${flow.dport}`;
    const key = `${endpoint}|${r.outcome}|${r.causeId}`;
    const prev = byKey.get(key);
    if (prev) {
      prev.probability += leaf.probability;
      continue;
    }
    for (const n of ctx.notes) assumptions.add(n);
    byKey.set(key, {
      endpoint,
      endpointNode: ctx.endpointNode ?? nodeOfEndpoint(world, endpoint),
      probability: leaf.probability,
      outcome: r.outcome,
      request: ctx.hops.request,
      reply: ctx.hops.reply,
      cause: r.cause,
      causeId: r.causeId,
      breaksAt: r.at,
      assumptions: [...ctx.notes],
    });
  }
  const paths = [...byKey.values()].sort(
    (a, b) => b.probability - a.probability || a.endpoint.localeCompare(b.endpoint),
  );
  for (const p of paths) p.probability = Math.round(p.probability * 1e9) / 1e9;
  const affinity = affinityNote(paths, opts.pinned);
  if (affinity) assumptions.add(affinity);
  const outcomes = new Set(paths.map((p) => p.outcome));
  const outcome: Outcome | 'mixed' = outcomes.size === 1 ? paths[0]!.outcome : 'mixed';
  const checkIds = [...new Set(paths.flatMap((p) => CAUSE_CHECKS[p.causeId ?? ''] ?? []))];
  const findings = opts.findings && checkIds.length ? opts.findings(cluster, checkIds) : [];
  return {
    flow: { proto: flow.proto, src: flow.src, dst: flow.dst, dport: flow.dport },
    outcome,
    paths,
    findings,
    assumptions: [...assumptions],
    client: { node: client.node, ns: client.kind === 'host' ? 'host' : client.name },
  };
}

/** the post-DNAT destination recorded by the NAT hop of a walk, if any */
export function endpointFromHops(hops: { stage: string; note?: string }[]): string | undefined {
  for (const h of hops) {
    const m = h.stage.endsWith('nf_nat_setup_info') && h.note?.match(/^(?:DNAT|REDIRECT) \S+ -> (\S+);/);
    if (m) return m[1];
  }
  return undefined;
}

function nodeOfEndpoint(world: ReturnType<typeof buildWorld>, endpoint: string): string | undefined {
  const ip = endpoint.split(':')[0]!;
  return world.owner(ip)?.node ?? world.podFor(ip)?.node;
}

/**
 * The `-m recent` lists (KUBE-SEP chain names, kube-proxy's ClientIP affinity) whose chain
 * DNATs to `endpoint`: a client pinned to the endpoint is in them.
 */
function affinityLists(rulesets: (Ruleset | undefined)[], endpoint: string): Set<string> {
  const out = new Set<string>();
  for (const rs of rulesets)
    for (const c of Object.values(rs?.tables.nat?.chains ?? {}))
      for (const r of c.rules) {
        const t = r.target;
        if (t?.t !== 'DNAT' || !r.matches.some((m) => m.m === 'recent' && m.action === 'set')) continue;
        const to = `${t.to.addrFrom}${t.to.portFrom !== undefined ? `:${t.to.portFrom}` : ''}`;
        if (to === endpoint || t.to.addrFrom === endpoint) out.add(c.name);
      }
  return out;
}

/** What session affinity means for this trace: who a returning client is pinned to. */
function affinityNote(paths: PathResult[], pinned: string | undefined): string | undefined {
  const used = paths.some((p) => p.assumptions.some((a) => /^-m recent --name /.test(a)));
  if (!used) return undefined;
  if (pinned)
    return `session affinity (ClientIP): a returning client pinned to ${pinned} stays on it while its -m recent entry lives (--seconds, default 10800)`;
  const eps = paths.map((p) => `${p.endpoint} (p ${Math.round(p.probability * 1000) / 1000})`).join(', ');
  return `session affinity (ClientIP): these are a new client's chances; a returning client stays pinned to the endpoint its first connection got: ${eps} (a trace with a pinned endpoint shows one)`;
}
