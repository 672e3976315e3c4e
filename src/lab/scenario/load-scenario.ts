/**
 * @module lab/scenario/load-scenario
 * Finds scenario files: a path, or a name looked up in `<repo>/lab/scenarios/<name>.yaml`
 * (the repo root is found by walking up from this module to package.json, so it works
 * from src/ under tsx and from dist/).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../cli/args.js';
import { prettifyDiagnostic } from '../../parse/diagnostic.js';
import { parseScenario } from './parse-scenario.js';
import type { Scenario } from './types.js';

export function repoRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
}

export function scenariosDir(): string {
  return join(repoRoot(), 'lab', 'scenarios');
}

/** Names of the bundled scenarios, sorted. */
export function listScenarioNames(): string[] {
  const dir = scenariosDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

export function scenarioPath(nameOrPath: string): string {
  if (nameOrPath.includes('/') || nameOrPath.endsWith('.yaml') || nameOrPath.endsWith('.yml'))
    return resolve(nameOrPath);
  return join(scenariosDir(), `${nameOrPath}.yaml`);
}

/** Reads and parses a scenario; throws InputError (exit 2) naming file, line and column. */
export function loadScenario(nameOrPath: string): Scenario {
  const file = scenarioPath(nameOrPath);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const known = listScenarioNames().join(', ');
    throw new InputError(
      `cannot read scenario ${file}: ${(e as Error).message}${known ? ` (bundled: ${known})` : ''}`,
    );
  }
  const r = parseScenario(text, file);
  if (!r.value) throw new InputError(r.diagnostics.map((d) => prettifyDiagnostic(d, text)).join('\n'));
  return r.value;
}
