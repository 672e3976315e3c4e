/**
 * @module lab/build/lab-up
 * Builds a scenario in fresh `<prefix>-*` namespaces. Any failure, SIGINT or SIGTERM
 * midway tears down what was made (lab-down.ts) before the error propagates.
 */
import { mapLimit } from '../../collect/pool.js';
import { podKey } from '../scenario/refs.js';
import type { Scenario } from '../scenario/types.js';
import { labNetns, requireLab } from './host.js';
import { labDown } from './lab-down.js';
import { DEFAULT_PREFIX, isValidPrefix, podNetns } from './names.js';
import { buildPlan } from './plan.js';
import { LabBuildError, runStep, type StepContext } from './run-step.js';
import { stateDir, writePodMarkers, writeState, type LabState, type PodMarker } from './state.js';

export interface UpOptions {
  prefix?: string;
  /** progress lines (default: none) */
  log?: (line: string) => void;
  /** install SIGINT/SIGTERM handlers that tear down (default true) */
  handleSignals?: boolean;
  /** concurrent steps within a phase (default 4) */
  concurrency?: number;
}

export class LabInterruptedError extends Error {
  override name = 'LabInterruptedError';
  readonly signal: NodeJS.Signals;
  constructor(signal: NodeJS.Signals) {
    super(`interrupted by ${signal}; the lab was torn down`);
    this.signal = signal;
  }
}

export async function labUp(sc: Scenario, opts: UpOptions = {}): Promise<LabState> {
  requireLab();
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  if (!isValidPrefix(prefix))
    throw new LabBuildError(`bad prefix '${prefix}': pp followed by 1-12 letters or digits`);
  const existing = labNetns(prefix);
  if (existing.length)
    throw new LabBuildError(
      `a lab with prefix ${prefix} exists (${existing.join(', ')}); run \`podpath lab down --prefix ${prefix}\``,
    );
  const log = opts.log ?? (() => undefined);
  const plan = buildPlan(sc, prefix);
  const state: LabState = {
    prefix,
    phase: 'building',
    createdAt: new Date().toISOString(),
    scenario: sc,
    namespaces: plan.namespaces,
    responders: [],
    notes: [],
  };
  writeState(state);
  const markers: Record<string, PodMarker> = {};
  for (const p of sc.pods)
    markers[podNetns(prefix, p)] = { namespace: p.namespace, name: p.name, node: p.node, ip: p.ip };
  writePodMarkers(prefix, markers);

  let signal: NodeJS.Signals | undefined;
  const onSignal = (s: NodeJS.Signals): void => {
    signal ??= s;
  };
  if (opts.handleSignals !== false) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  const ctx: StepContext = { prefix, stateDir: stateDir(prefix), aborted: () => signal !== undefined };
  try {
    for (const phase of plan.phases) {
      log(`lab up: ${phase.name} (${phase.steps.length} steps)`);
      const outcomes = await mapLimit(phase.steps, phase.concurrent ? (opts.concurrency ?? 4) : 1, (s) =>
        runStep(s, ctx),
      );
      phase.steps.forEach((s, i) => {
        const o = outcomes[i]!;
        if (o.note) {
          state.notes.push(o.note);
          log(`lab up: note: ${o.note}`);
        }
        if (s.kind === 'responder' && o.pid !== undefined)
          state.responders.push({ pod: podKey(s.pod), netns: s.ns, pid: o.pid });
      });
      writeState(state);
      if (signal) throw new LabInterruptedError(signal);
    }
  } catch (e) {
    log(`lab up: failed, tearing down ${prefix}-*: ${(e as Error).message}`);
    await labDown(prefix);
    if (signal && !(e instanceof LabInterruptedError)) throw new LabInterruptedError(signal);
    throw e;
  } finally {
    if (opts.handleSignals !== false) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
  state.phase = 'up';
  writeState(state);
  return state;
}
