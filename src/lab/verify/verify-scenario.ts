/**
 * @module lab/verify/verify-scenario
 * The differential proof for one scenario: build it, collect every node with `podpath
 * collect` (before any probe, so the snapshots hold no conntrack entries of the probes),
 * probe every flow with real connect()s, trace every flow on the snapshots, compare; then
 * collect again (now conntrack holds the probes' entries, as on a node where the symptom was
 * seen) and run the check catalog on those snapshots; tear down.
 */
import { buildCluster } from '../../model/build.js';
import { runChecks, type CheckRun } from '../../checks/index.js';
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
  /** `podpath check` on the snapshots collected after the probes */
  checks: CheckRun;
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
      const after = await collectLabNodes(lab.prefix);
      const checks = runChecks(buildCluster(asLoadedSnapshots(after, lab.prefix)));
      return { rows, probes, predictions, notes: lab.state.notes, checks };
    },
    opts.prefix ? { prefix: opts.prefix } : {},
  );
}
