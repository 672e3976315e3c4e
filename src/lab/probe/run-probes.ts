/**
 * @module lab/probe/run-probes
 * `lab probe`: real connect()s from pod namespaces (lab/agents/probe.mjs run with
 * `ip netns exec`), a few flows at a time. Attempts whose endpoint the responder did not
 * name (timeouts) are attributed through the client node's conntrack table
 * (`conntrack -L -d <dst>`): the reply tuple of the attempt's entry is the endpoint the
 * DNAT chose; attempts dropped before nf_confirm (no entry) are attributed from the
 * KUBE-SEP DNAT counters. Flows that share those counters (same client node, same
 * Service) run one after the other; other flows run concurrently.
 */
import { mapLimit } from '../../collect/pool.js';
import { runCommand } from '../../collect/run-command.js';
import { agentPath } from '../build/agents.js';
import { nodeNetns, DEFAULT_PREFIX } from '../build/names.js';
import type { Scenario } from '../scenario/types.js';
import { chosenEndpoint, parseConntrackLines } from './conntrack-entries.js';
import { counterDelta, readDnatCounters } from './dnat-counters.js';
import { resolveFlow } from './resolve-flow.js';
import { summarise } from './summarise.js';
import type { ProbeAttempt, ProbeResult, ResolvedFlow } from './types.js';

export interface ProbeOptions {
  prefix?: string;
  /** per attempt, ms (default 1500) */
  timeoutMs?: number;
  /** flows probed at the same time (default 4) */
  concurrency?: number;
  /** only these flows (names) */
  flows?: string[];
  log?: (line: string) => void;
}

interface AgentAttempt {
  outcome: string;
  localPort?: number;
  pod?: string;
  endpoint?: string;
  errno?: string;
  ms: number;
  stalledAfterHandshake?: boolean;
}

const OUTCOMES = new Set(['connected', 'refused', 'timeout', 'unreachable']);

async function attribute(flow: ResolvedFlow, prefix: string, attempts: ProbeAttempt[]): Promise<void> {
  const missing = attempts.filter((a) => !a.endpoint && a.localPort !== undefined);
  if (!missing.length) return;
  const r = await runCommand(
    'ip',
    [
      'netns',
      'exec',
      nodeNetns(prefix, flow.node),
      'conntrack',
      '-L',
      '-p',
      flow.proto,
      '-d',
      flow.dst,
      '--dport',
      String(flow.dport),
    ],
    { timeoutMs: 10_000 },
  );
  if (r.exitCode !== 0) return;
  const entries = parseConntrackLines(r.stdout);
  for (const a of missing) {
    const ep = chosenEndpoint(entries, a.localPort!, flow.dst, flow.dport);
    if (!ep) continue;
    a.endpoint = ep;
    a.via = 'conntrack';
    const pod = flow.endpoints[ep];
    if (pod) a.pod = pod;
  }
}

/**
 * Endpoints whose DNAT decisions are not explained by attributed attempts were chosen by
 * the unattributed ones; when those all had one outcome, each such endpoint had it.
 */
export function attributeByCounters(attempts: ProbeAttempt[], dnat: Map<string, number>): void {
  const open = attempts.filter((a) => !a.endpoint && a.outcome !== 'error');
  if (!open.length) return;
  const outcomes = new Set(open.map((a) => a.outcome));
  if (outcomes.size !== 1) return;
  const explained = new Map<string, number>();
  for (const a of attempts) if (a.endpoint) explained.set(a.endpoint, (explained.get(a.endpoint) ?? 0) + 1);
  const candidates = [...dnat.entries()]
    .filter(([ep, n]) => n > (explained.get(ep) ?? 0))
    .map(([ep]) => ep)
    .sort();
  if (!candidates.length) return;
  for (const a of open) {
    a.via = 'counters';
    a.candidates = candidates;
  }
}

export async function probeFlow(flow: ResolvedFlow, prefix: string, timeoutMs: number): Promise<ProbeResult> {
  const args = [
    'netns',
    'exec',
    flow.netns,
    process.execPath,
    agentPath('probe'),
    '--proto',
    flow.proto,
    '--host',
    flow.dst,
    '--port',
    String(flow.dport),
    '--timeout',
    String(timeoutMs),
    '--attempts',
    String(flow.attempts),
    '--reply-bytes',
    String(flow.replyBytes),
  ];
  const isService = Object.keys(flow.sepChains).length > 0;
  const nodeNs = nodeNetns(prefix, flow.node);
  const before = isService ? await readDnatCounters(nodeNs, flow.backend) : undefined;
  const r = await runCommand('ip', args, { timeoutMs: timeoutMs * 2 + 10_000 });
  let parsed: { attempts?: AgentAttempt[] } = {};
  try {
    parsed = JSON.parse(r.stdout) as { attempts?: AgentAttempt[] };
  } catch {
    return summarise(
      flow,
      [],
      `probe agent failed (exit ${r.exitCode}): ${r.stderr.trim() || r.stdout.trim()}`,
    );
  }
  const attempts: ProbeAttempt[] = (parsed.attempts ?? []).map((a) => {
    const x: ProbeAttempt = {
      outcome: OUTCOMES.has(a.outcome) ? (a.outcome as ProbeAttempt['outcome']) : 'error',
      ms: a.ms,
    };
    if (a.localPort !== undefined) x.localPort = a.localPort;
    if (a.errno) x.errno = a.errno;
    if (a.stalledAfterHandshake) x.stalledAfterHandshake = true;
    if (a.endpoint) {
      x.endpoint = a.endpoint;
      x.via = 'reply';
      if (a.pod) x.pod = a.pod;
    } else if (flow.targetPod) {
      x.endpoint = Object.keys(flow.endpoints)[0]!;
      x.pod = flow.targetPod;
      x.via = 'target';
    }
    return x;
  });
  let dnat: Map<string, number> | undefined;
  if (isService) {
    await attribute(flow, prefix, attempts);
    const after = await readDnatCounters(nodeNs, flow.backend);
    if (before && after) {
      dnat = counterDelta(before, after, flow.sepChains);
      attributeByCounters(attempts, dnat);
    }
  }
  return summarise(flow, attempts, undefined, dnat);
}

/** Probes every flow of the scenario (built with `prefix`), `concurrency` flows at a time. */
export async function runScenarioProbes(sc: Scenario, opts: ProbeOptions = {}): Promise<ProbeResult[]> {
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  const timeoutMs = opts.timeoutMs ?? 1500;
  const flows = sc.flows
    .filter((f) => !opts.flows || opts.flows.includes(f.name))
    .map((f) => resolveFlow(sc, f, prefix));
  const groups = new Map<string, number[]>();
  flows.forEach((f, i) => {
    const key = Object.keys(f.sepChains).length
      ? `${f.node}|${f.dst}:${f.dport}/${f.proto}`
      : `flow:${f.name}`;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const results = new Array<ProbeResult>(flows.length);
  await mapLimit([...groups.values()], opts.concurrency ?? 4, async (idx) => {
    for (const i of idx) {
      const f = flows[i]!;
      const r = await probeFlow(f, prefix, timeoutMs);
      opts.log?.(
        `lab probe: ${f.name}: ${r.outcome}${r.expectMet === false ? ` (EXPECTATION FAILED: ${r.expectDetail})` : ''}`,
      );
      results[i] = r;
    }
  });
  return results;
}
