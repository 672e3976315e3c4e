/**
 * @module lab/verify/verify-scenario
 * The differential proof for one scenario: build it, collect every node with `podpath
 * collect` (before any probe, so the snapshots hold no conntrack entries of the probes),
 * probe every flow with real connect()s, trace every flow on the snapshots, compare,
 * tear down.
 */
import { buildCluster } from '../../model/build.js';
import { asLoadedSnapshots, collectLabNodes } from '../collect-lab.js';
import { runScenarioProbes, type ProbeOptions } from '../probe/run-probes.js';
import type { ProbeResult } from '../probe/types.js';
import type { Scenario } from '../scenario/types.js';
import { withLab } from '../with-lab.js';
import { compare } from './compare.js';
import { predictWith, type Prediction } from './predict.js';
import { verifyRow, type VerifyRow } from './verify-table.js';

export interface VerifyResult {
  rows: VerifyRow[];
  probes: ProbeResult[];
  predictions: Prediction[];
  notes: string[];
}

export async function verifyScenario(
  sc: Scenario,
  opts: Omit<ProbeOptions, 'prefix'> & { prefix?: string } = {},
): Promise<VerifyResult> {
  return withLab(
    sc,
    async (lab) => {
      const snaps = await collectLabNodes(lab.prefix);
      const probes = await runScenarioProbes(sc, { ...opts, prefix: lab.prefix });
      const cluster = buildCluster(asLoadedSnapshots(snaps, lab.prefix));
      const predictions = probes.map((k) => predictWith(cluster, k.flow));
      const rows = probes.map((k, i) => verifyRow(k, predictions[i]!, compare(k, predictions[i]!)));
      return { rows, probes, predictions, notes: lab.state.notes };
    },
    opts.prefix ? { prefix: opts.prefix } : {},
  );
}
