/**
 * @module probe/run-probe
 * Runs the planned probes from this network namespace, following the incident's narrowing:
 * resolve the Service name, connect to the ClusterIP (several times, to meet several
 * backends), connect to each endpoint's pod IP. At most `concurrency` connects at a time,
 * each with a timeout; nothing but a handshake is sent.
 */
import { mapLimit } from '../collect/pool.js';
import { tcpConnect, type ConnectResult } from './connect.js';
import { resolveName, type DnsResult } from './dns.js';
import type { EndpointTarget, ServiceTarget } from './plan-probes.js';
import { explainService } from './explain.js';

export interface ServiceProbe {
  target: ServiceTarget;
  dns?: DnsResult & { matchesClusterIP: boolean };
  clusterIP: ConnectResult[];
  endpoints: { endpoint: EndpointTarget; result: ConnectResult }[];
  /** one line: "DNS fine, ClusterIP fails 2/4 (timeout), pod IPs work, only same-node backends fail" */
  summary: string;
  verdict: 'ok' | 'degraded' | 'failing';
  /** filled with node snapshots: what the model predicts per endpoint */
  simulated?: { endpoint: string; outcome: string; cause?: string }[];
}

export interface ProbeOptions {
  timeoutMs: number;
  concurrency: number;
  /** ClusterIP connects per Service (default: 3 per endpoint, at least 6, at most 12) */
  attempts?: number;
  dns: boolean;
  dnsServer?: string;
  onProgress?: (done: number, total: number) => void;
  /** the connect to use (default tcpConnect) */
  connect?: (ip: string, port: number, timeoutMs: number) => Promise<ConnectResult>;
}

type Job = { kind: 'dns'; t: number } | { kind: 'vip'; t: number } | { kind: 'ep'; t: number; e: number };

export async function runProbes(targets: ServiceTarget[], o: ProbeOptions): Promise<ServiceProbe[]> {
  const out: ServiceProbe[] = targets.map((target) => ({
    target,
    clusterIP: [],
    endpoints: [],
    summary: '',
    verdict: 'ok',
  }));
  const jobs: Job[] = [];
  targets.forEach((t, i) => {
    if (o.dns) jobs.push({ kind: 'dns', t: i });
    const n = o.attempts ?? Math.min(12, Math.max(6, 3 * t.endpoints.length));
    for (let k = 0; k < n; k++) jobs.push({ kind: 'vip', t: i });
    t.endpoints.forEach((_, e) => jobs.push({ kind: 'ep', t: i, e }));
  });
  let done = 0;
  const connect = o.connect ?? tcpConnect;
  await mapLimit(jobs, Math.max(1, o.concurrency), async (j) => {
    const t = targets[j.t]!;
    const p = out[j.t]!;
    if (j.kind === 'dns') {
      const r = await resolveName(t.dnsName, {
        timeoutMs: o.timeoutMs,
        ...(o.dnsServer ? { server: o.dnsServer } : {}),
      });
      p.dns = { ...r, matchesClusterIP: r.addresses.includes(t.clusterIP) };
    } else if (j.kind === 'vip') {
      p.clusterIP.push(await connect(t.clusterIP, t.port, o.timeoutMs));
    } else {
      const endpoint = t.endpoints[j.e]!;
      p.endpoints.push({ endpoint, result: await connect(endpoint.ip, endpoint.port, o.timeoutMs) });
    }
    o.onProgress?.(++done, jobs.length);
  });
  for (const p of out) {
    p.endpoints.sort((a, b) => a.endpoint.ip.localeCompare(b.endpoint.ip));
    Object.assign(p, explainService(p));
  }
  return out;
}
