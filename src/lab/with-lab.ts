/**
 * @module lab/with-lab
 * `withLab(scenario, fn)`: builds the scenario under a fresh prefix, runs `fn`, and always
 * tears the lab down (in `finally`), also when `fn` throws.
 */
import { labDown } from './build/lab-down.js';
import { labUp, type UpOptions } from './build/lab-up.js';
import { randomTestPrefix } from './build/names.js';
import type { LabState } from './build/state.js';
import type { Scenario } from './scenario/types.js';

export interface Lab {
  prefix: string;
  scenario: Scenario;
  state: LabState;
}

export async function withLab<T>(
  scenario: Scenario,
  fn: (lab: Lab) => Promise<T>,
  opts: UpOptions = {},
): Promise<T> {
  const prefix = opts.prefix ?? randomTestPrefix();
  try {
    const state = await labUp(scenario, { handleSignals: false, ...opts, prefix });
    return await fn({ prefix, scenario, state });
  } finally {
    await labDown(prefix);
  }
}
