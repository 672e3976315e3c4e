/**
 * @module lab/probe/summarise
 * Attempts -> outcome set, per-endpoint outcomes, and whether the scenario's `expect` held.
 */
import type { ProbeOutcome } from '../scenario/types.js';
import type { EndpointOutcomes, ProbeAttempt, ProbeResult, ResolvedFlow } from './types.js';

const ORDER: ProbeOutcome[] = ['connected', 'refused', 'timeout', 'unreachable'];

export function outcomeSet(xs: Iterable<ProbeOutcome>): ProbeOutcome[] {
  const s = new Set(xs);
  return ORDER.filter((o) => s.has(o));
}

function isOutcome(o: ProbeAttempt['outcome']): o is ProbeOutcome {
  return o !== 'error';
}

function podMatches(ref: string, pod: string | undefined): boolean {
  return pod !== undefined && (pod === ref || pod.endsWith(`/${ref}`));
}

export function checkExpect(r: Omit<ProbeResult, 'expectMet' | 'expectDetail'>): {
  met?: boolean;
  detail?: string;
} {
  const exp = r.flow.expect;
  if (exp === undefined) return {};
  if (r.error) return { met: false, detail: r.error };
  if (typeof exp === 'string') {
    if (exp === 'mixed')
      return r.outcomes.length > 1
        ? { met: true }
        : { met: false, detail: `expected mixed, saw ${r.outcomes.join(',')}` };
    const ok = r.outcomes.length === 1 && r.outcomes[0] === exp;
    return ok
      ? { met: true }
      : { met: false, detail: `expected ${exp}, saw ${r.outcomes.join(',') || 'nothing'}` };
  }
  const problems: string[] = [];
  for (const [ref, want] of Object.entries(exp)) {
    const ep = r.endpoints.find((e) => podMatches(ref, e.pod));
    if (!ep) problems.push(`${ref}: never chosen in ${r.attempts.length} attempts`);
    else if (ep.outcomes.length !== 1 || ep.outcomes[0] !== want)
      problems.push(`${ref}: expected ${want}, saw ${ep.outcomes.join(',')}`);
  }
  if (r.unattributed.length)
    problems.push(
      `${r.unattributed.length} attempts with unknown endpoint (${outcomeSet(r.unattributed).join(',')})`,
    );
  return problems.length ? { met: false, detail: problems.join('; ') } : { met: true };
}

export function summarise(
  flow: ResolvedFlow,
  attempts: ProbeAttempt[],
  error?: string,
  dnat?: Map<string, number>,
): ProbeResult {
  const outcomes = outcomeSet(attempts.map((a) => a.outcome).filter(isOutcome));
  const byEndpoint = new Map<string, EndpointOutcomes>();
  const unattributed: ProbeOutcome[] = [];
  const entry = (endpoint: string, pod?: string): EndpointOutcomes => {
    let e = byEndpoint.get(endpoint);
    if (!e) {
      e = { endpoint, outcomes: [], count: 0 };
      const p = pod ?? flow.endpoints[endpoint];
      if (p) e.pod = p;
      const n = dnat?.get(endpoint);
      if (n !== undefined) e.dnat = n;
      byEndpoint.set(endpoint, e);
    }
    return e;
  };
  for (const a of attempts) {
    if (!isOutcome(a.outcome)) continue;
    const targets = a.endpoint ? [a.endpoint] : (a.candidates ?? []);
    if (!targets.length) {
      unattributed.push(a.outcome);
      continue;
    }
    for (const t of targets) {
      const e = entry(t, a.endpoint ? a.pod : undefined);
      e.count++;
      e.outcomes = outcomeSet([...e.outcomes, a.outcome]);
    }
  }
  const hasError = attempts.some((a) => a.outcome === 'error') || error !== undefined;
  const outcome: ProbeResult['outcome'] =
    hasError && outcomes.length === 0 ? 'error' : outcomes.length === 1 ? outcomes[0]! : 'mixed';
  const base = {
    flow,
    outcome,
    outcomes,
    endpoints: [...byEndpoint.values()].sort((a, b) => a.endpoint.localeCompare(b.endpoint)),
    unattributed,
    attempts,
    ...(error ? { error } : {}),
  };
  const { met, detail } = checkExpect(base);
  return {
    ...base,
    ...(met !== undefined ? { expectMet: met } : {}),
    ...(detail ? { expectDetail: detail } : {}),
  };
}
