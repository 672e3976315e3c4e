/**
 * @module lab/verify/compare
 * Kernel (lab probe) vs podpath (trace on collected snapshots), per endpoint. The kernel
 * is the referee: every endpoint it answered through must have, in the prediction, the
 * same outcome set; attempts it could not attribute must be among the predicted
 * outcomes; the flow's outcome sets must be equal (a subset when random load balancing
 * never picked some predicted endpoint).
 */
import type { ProbeResult } from '../probe/types.js';
import type { Prediction } from './predict.js';

export interface Comparison {
  agree: boolean;
  detail?: string;
}

const set = (xs: Iterable<string>): string => [...new Set(xs)].sort().join(',');

export function compare(k: ProbeResult, p: Prediction): Comparison {
  if (p.error) return { agree: false, detail: `podpath: ${p.error}` };
  if (k.outcome === 'error') return { agree: false, detail: `kernel probe failed: ${k.error ?? 'error'}` };
  const problems: string[] = [];
  const predicted = new Map(p.endpoints.map((e) => [e.endpoint, e.outcomes as string[]]));
  for (const e of k.endpoints) {
    const s = predicted.get(e.endpoint);
    const name = e.pod ?? e.endpoint;
    if (!s) problems.push(`${name}: kernel ${set(e.outcomes)}, podpath never reaches it`);
    else if (set(s) !== set(e.outcomes))
      problems.push(`${name}: kernel ${set(e.outcomes)}, podpath ${set(s)}`);
  }
  const all = new Set(p.endpoints.flatMap((e) => e.outcomes as string[]));
  const stray = k.unattributed.filter((o) => !all.has(o));
  if (stray.length)
    problems.push(`unattributed kernel outcomes ${set(stray)} not predicted (podpath ${set(all)})`);
  const observed = new Set(k.endpoints.map((e) => e.endpoint));
  const allSeen = p.endpoints.every((e) => observed.has(e.endpoint));
  const kernelSet = set(k.outcomes);
  if (allSeen && k.unattributed.length === 0 && kernelSet !== set(all))
    problems.push(`kernel ${kernelSet}, podpath ${set(all)}`);
  if (all.has('unknown')) problems.push('podpath: unknown');
  return problems.length ? { agree: false, detail: problems.join('; ') } : { agree: true };
}
