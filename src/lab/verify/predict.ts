/**
 * @module lab/verify/predict
 * The hook `lab verify` compares the kernel with: podpath's own answer for a flow, from
 * the snapshots `podpath collect` took of the lab's nodes (diagnose/trace.ts on the
 * cluster model), reduced to outcomes per endpoint.
 */
import { buildCluster } from '../../model/build.js';
import type { ClusterModel } from '../../model/node.js';
import type { LoadedSnapshot } from '../../snapshot/types.js';
import { traceFlow } from '../../diagnose/trace.js';
import type { ResolvedFlow } from '../probe/types.js';

export type PredictedOutcome = 'connected' | 'refused' | 'timeout' | 'unreachable' | 'unknown';

export interface Prediction {
  outcome: PredictedOutcome | 'mixed' | 'error';
  endpoints: { endpoint: string; outcomes: PredictedOutcome[]; probability: number }[];
  /** causes podpath named, for the table */
  causes: string[];
  error?: string;
}

export function predictWith(cluster: ClusterModel, flow: ResolvedFlow): Prediction {
  try {
    const t = traceFlow(cluster, { proto: flow.proto, src: flow.src, dst: flow.dst, dport: flow.dport });
    const byEp = new Map<string, { outcomes: Set<PredictedOutcome>; probability: number }>();
    for (const p of t.paths) {
      const e = byEp.get(p.endpoint) ?? { outcomes: new Set<PredictedOutcome>(), probability: 0 };
      e.outcomes.add(p.outcome);
      e.probability += p.probability;
      byEp.set(p.endpoint, e);
    }
    return {
      outcome: t.outcome,
      endpoints: [...byEp.entries()].map(([endpoint, e]) => ({
        endpoint,
        outcomes: [...e.outcomes].sort(),
        probability: e.probability,
      })),
      causes: [...new Set(t.paths.map((p) => p.causeId).filter((c): c is string => Boolean(c)))],
    };
  } catch (e) {
    return { outcome: 'error', endpoints: [], causes: [], error: (e as Error).message };
  }
}

/** podpath's prediction for one flow from the nodes' snapshots. */
export function predict(snapshots: LoadedSnapshot[], flow: ResolvedFlow): Prediction {
  return predictWith(buildCluster(snapshots), flow);
}
