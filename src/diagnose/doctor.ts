/**
 * @module diagnose/doctor
 * `podpath doctor`'s analysis, as data: every local pod of one node to every Service port it
 * could call, through every endpoint (one traced path per load-balancing choice), grouped
 * by what the failing pairs have in common — outcome, cause, and where the backend runs
 * ("fails only when the backend is on this node -> the reply bypasses conntrack ->
 * net.bridge.bridge-nf-call-iptables = 0"). Rendering is separate (render-doctor), so
 * `podpath report` / `serve` can reuse the matrix. The per-flow call is `traceOne`, one
 * function, so a faster fan-out can replace it.
 */
import type { ClusterModel, NodeModel } from '../model/node.js';
import type { Finding } from '../checks/types.js';
import type { Flow, Outcome } from '../sim/types.js';
import type { Inventory } from '../cluster/types.js';
import { runChecks } from '../checks/index.js';
import { isIPv4 } from '../util/ipv4.js';
import { CAUSE_CHECKS, traceFlow, TraceError, type TraceResult } from './trace.js';

/** One flow through the model; swap for a batched implementation. */
export type TraceOne = (cluster: ClusterModel, flow: Flow) => TraceResult;

export const traceOneFlow: TraceOne = (cluster, flow) => traceFlow(cluster, flow);

export interface DoctorClient {
  ip: string;
  name?: string;
}

export interface DoctorService {
  ip: string;
  port: number;
  proto: 'tcp' | 'udp';
  /** `ns/svc:port` */
  name?: string;
}

export interface DoctorPair {
  client: DoctorClient;
  service: DoctorService;
  endpoint: string;
  endpointName?: string;
  endpointNode?: string;
  /** the backend runs on the client's node */
  sameNode: boolean;
  probability: number;
  outcome: Outcome;
  causeId?: string;
  cause?: string;
}

/** where the failing backends run; `-only` when the other placement was seen to work */
export type Locality = 'same-node-only' | 'same-node' | 'other-node-only' | 'other-node' | 'any-node';

export interface DoctorGroup {
  outcome: Outcome;
  causeId?: string;
  locality: Locality;
  /** the chain of explanation, most visible first */
  because: string[];
  /** check ids behind the cause that fail on the node */
  checks: string[];
  fix: string[];
  pairs: DoctorPair[];
}

export interface DoctorResult {
  node: string;
  clients: DoctorClient[];
  services: DoctorService[];
  pairs: DoctorPair[];
  /** failing pairs grouped by cause, largest group first */
  groups: DoctorGroup[];
  findings: Finding[];
  /** pairs the model cannot judge (e.g. the backend's node was not collected) */
  unjudged: DoctorPair[];
  /** flows the model could not trace (with why) */
  errors: { client: string; service: string; error: string }[];
}

export interface DoctorOptions {
  /** the node whose pods are the clients (default: the first) */
  node?: string;
  inventory?: Inventory;
  traceOne?: TraceOne;
  progress?: (done: number, total: number) => void;
  /** ip -> name, `ip:port` -> Service name */
  names?: { ip: Map<string, string>; service: Map<string, string> };
}

function podClients(node: NodeModel, inv: Inventory | undefined): DoctorClient[] {
  const out = new Map<string, DoctorClient>();
  for (const p of node.pods) {
    if (p.synthetic) continue;
    for (const a of p.addrs)
      if (a.family === 'inet' && a.ifname !== 'lo' && !a.local.startsWith('127.'))
        out.set(a.local, { ip: a.local, ...(p.pod ? { name: `${p.pod.namespace}/${p.pod.name}` } : {}) });
  }
  for (const p of inv?.pods ?? []) {
    if (p.node !== node.name || p.hostNetwork || (p.phase && p.phase !== 'Running')) continue;
    const ip = p.ips.find(isIPv4);
    if (ip && !out.has(ip)) out.set(ip, { ip, name: `${p.namespace}/${p.name}` });
  }
  return [...out.values()].sort((a, b) => (a.name ?? a.ip).localeCompare(b.name ?? b.ip));
}

/** ClusterIP Service ports: from the inventory, else from kube-proxy's KUBE-SERVICES comments */
export function servicePorts(cluster: ClusterModel, inv: Inventory | undefined): DoctorService[] {
  const out = new Map<string, DoctorService>();
  for (const s of inv?.services ?? []) {
    const ip = s.clusterIPs.find(isIPv4);
    if (!ip) continue;
    for (const p of s.ports) {
      if (p.protocol === 'SCTP') continue;
      const proto = p.protocol === 'UDP' ? 'udp' : 'tcp';
      out.set(`${proto}/${ip}:${p.port}`, {
        ip,
        port: p.port,
        proto,
        name: `${s.namespace}/${s.name}:${p.name ?? p.port}`,
      });
    }
  }
  if (inv?.services.length) return [...out.values()];
  for (const node of cluster.nodes)
    for (const rs of [node.host.iptables.legacy, node.host.iptables.nft, node.host.iptables.unknown]) {
      for (const r of rs?.tables.nat?.chains['KUBE-SERVICES']?.rules ?? []) {
        const c = r.matches.find((m) => m.m === 'comment');
        const mm = c && c.m === 'comment' ? c.comment.match(/^(\S+) cluster IP$/) : null;
        const pm = r.matches.find((m) => m.m === 'tcp' || m.m === 'udp');
        const dport = pm && 'dport' in pm && pm.dport ? pm.dport.value.from : undefined;
        if (!mm || !r.dst || r.dst.neg || dport === undefined) continue;
        const proto = r.proto?.value === 'udp' || pm?.m === 'udp' ? 'udp' : 'tcp';
        const ip = r.dst.value.addr;
        out.set(`${proto}/${ip}:${dport}`, { ip, port: dport, proto, name: mm[1]! });
      }
    }
  return [...out.values()].sort((a, b) => (a.name ?? a.ip).localeCompare(b.name ?? b.ip));
}

const CAUSE_WORDS: Record<string, string> = {
  'reply-bypassed-conntrack': 'the reply bypasses conntrack, so it is not un-NATed',
  'ip-forward-disabled': 'the node does not forward (ip_forward = 0)',
  'forward-policy-drop': 'the FORWARD chain drops it',
  'hairpin-off': 'the bridge does not send it back out of the port it came in on (hairpin off)',
  rejected: 'kube-proxy rejects it (no ready endpoints)',
};

const LOCALITY_WORDS: Record<Locality, string> = {
  'same-node-only': 'fails only when the backend is on this node',
  'same-node': 'fails when the backend is on this node',
  'other-node-only': 'fails only when the backend is on another node',
  'other-node': 'fails when the backend is on another node',
  'any-node': 'fails wherever the backend runs',
};

function locality(failing: DoctorPair[], all: DoctorPair[]): Locality {
  const services = new Set(failing.map((p) => `${p.service.ip}:${p.service.port}`));
  const related = all.filter((p) => services.has(`${p.service.ip}:${p.service.port}`));
  const failSame = failing.some((p) => p.sameNode);
  const failOther = failing.some((p) => !p.sameNode);
  const okSame = related.some((p) => p.sameNode && p.outcome === 'connected');
  const okOther = related.some((p) => !p.sameNode && p.outcome === 'connected');
  if (failSame && !failOther) return okOther ? 'same-node-only' : 'same-node';
  if (failOther && !failSame) return okSame ? 'other-node-only' : 'other-node';
  return 'any-node';
}

export function doctorMatrix(cluster: ClusterModel, opts: DoctorOptions = {}): DoctorResult {
  const node = opts.node ? cluster.nodes.find((n) => n.name === opts.node) : cluster.nodes[0];
  if (!node)
    throw new TraceError(
      `node ${opts.node}: not among the snapshots (${cluster.nodes.map((n) => n.name).join(', ')})`,
    );
  const clients = podClients(node, opts.inventory);
  const services = servicePorts(cluster, opts.inventory);
  const traceOne = opts.traceOne ?? traceOneFlow;
  const nodeOf = new Map<string, string>();
  for (const p of opts.inventory?.pods ?? []) if (p.node) for (const ip of p.ips) nodeOf.set(ip, p.node);
  for (const sl of opts.inventory?.slices ?? [])
    for (const e of sl.endpoints) if (e.node) nodeOf.set(e.ip, e.node);
  const pairs: DoctorPair[] = [];
  const errors: DoctorResult['errors'] = [];
  const total = clients.length * services.length;
  let done = 0;
  for (const client of clients)
    for (const service of services) {
      try {
        const t = traceOne(cluster, {
          proto: service.proto,
          src: client.ip,
          dst: service.ip,
          dport: service.port,
        });
        for (const p of t.paths) {
          const epIp = p.endpoint.split(':')[0]!;
          const epNode = p.endpointNode ?? nodeOf.get(epIp);
          const pair: DoctorPair = {
            client,
            service,
            endpoint: p.endpoint,
            sameNode: epNode === node.name,
            probability: p.probability,
            outcome: p.outcome,
          };
          const en = opts.names?.ip.get(epIp);
          if (en) pair.endpointName = en;
          if (epNode) pair.endpointNode = epNode;
          if (p.causeId) pair.causeId = p.causeId;
          if (p.cause) pair.cause = p.cause;
          pairs.push(pair);
        }
      } catch (e) {
        errors.push({
          client: client.name ?? client.ip,
          service: service.name ?? `${service.ip}:${service.port}`,
          error: (e as Error).message,
        });
      }
      opts.progress?.(++done, total);
    }
  const { findings } = runChecks({ nodes: cluster.nodes }, {});
  const nodeFindings = findings.filter(
    (f) => f.node === node.name || pairs.some((p) => p.endpointNode === f.node && p.outcome !== 'connected'),
  );
  const byCause = new Map<string, DoctorPair[]>();
  const unjudged = pairs.filter((p) => p.outcome === 'unknown');
  for (const p of pairs) {
    if (p.outcome === 'connected' || p.outcome === 'unknown') continue;
    const k = `${p.outcome}|${p.causeId ?? ''}`;
    byCause.set(k, [...(byCause.get(k) ?? []), p]);
  }
  const groups: DoctorGroup[] = [];
  for (const ps of byCause.values()) {
    const first = ps[0]!;
    const loc = locality(ps, pairs);
    const checkIds = CAUSE_CHECKS[first.causeId ?? ''] ?? [];
    const related = nodeFindings.filter((f) => checkIds.includes(f.id));
    const because = [LOCALITY_WORDS[loc]];
    because.push(
      first.causeId ? (CAUSE_WORDS[first.causeId] ?? first.causeId) : `the client sees ${first.outcome}`,
    );
    const evidence = related[0]?.evidence[0]?.text;
    if (evidence) because.push(evidence);
    const fix = [
      ...new Set(
        related.flatMap((f) => f.fix.filter((x) => x.kind === 'runtime').flatMap((x) => x.commands)),
      ),
    ];
    const g: DoctorGroup = {
      outcome: first.outcome,
      locality: loc,
      because,
      checks: [...new Set(related.map((f) => f.id))],
      fix,
      pairs: ps,
    };
    if (first.causeId) g.causeId = first.causeId;
    groups.push(g);
  }
  groups.sort((a, b) => b.pairs.length - a.pairs.length);
  return { node: node.name, clients, services, pairs, groups, unjudged, findings: nodeFindings, errors };
}
