/**
 * @module cli/commands/lab
 * `podpath lab list | up SCENARIO | down | probe | collect | verify [SCENARIO...]` (root, Linux).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFlags, UsageError } from '../args.js';
import { labUp, LabInterruptedError } from '../../lab/build/lab-up.js';
import { labDown } from '../../lab/build/lab-down.js';
import { LabUnavailableError, requireLab } from '../../lab/build/host.js';
import { DEFAULT_PREFIX } from '../../lab/build/names.js';
import { describeServices } from '../../lab/build/plan.js';
import { LabBuildError } from '../../lab/build/run-step.js';
import { readState } from '../../lab/build/state.js';
import { collectLabNodes } from '../../lab/collect-lab.js';
import { renderProbes } from '../../lab/probe/render-probes.js';
import { runScenarioProbes } from '../../lab/probe/run-probes.js';
import { listScenarioNames, loadScenario } from '../../lab/scenario/load-scenario.js';
import { verifyScenario } from '../../lab/verify/verify-scenario.js';
import { renderVerifyTable, type VerifyRow } from '../../lab/verify/verify-table.js';

const HELP = `usage: podpath lab <command> [options]        (root, Linux: builds network namespaces)

  list                         the bundled scenarios (lab/scenarios/*.yaml)
  up SCENARIO [--prefix P]     build a scenario (a name or a .yaml path) in namespaces P-*
  probe [--prefix P] [--json] [--timeout MS] [--flow NAME ...]
                               real connect()s for the scenario's flows, as a client sees them
  collect [--prefix P] -o DIR  \`podpath collect\` inside every lab node, one JSON per node
  down [--prefix P]            delete every P-* namespace, stop the responders, forget the lab
  verify [SCENARIO ...] [--json] [--markdown] [--timeout MS]
                               for each scenario (default: all): up, collect, probe, podpath
                               trace on the snapshots, compare, down; prints the agreement table

The default prefix is ${DEFAULT_PREFIX}; every namespace the lab makes starts with it.
The lab never changes the machine's own network namespace.`;

const log = (line: string): void => void process.stderr.write(line + '\n');

async function up(rest: string[]): Promise<number> {
  const { values, positionals } = parseFlags(rest, { prefix: { type: 'string' } }, true);
  if (positionals.length !== 1)
    throw new UsageError('lab up: expected one SCENARIO (see `podpath lab list`)');
  const sc = loadScenario(positionals[0]!);
  const prefix = values.prefix ?? DEFAULT_PREFIX;
  const state = await labUp(sc, { prefix, log });
  console.log(`lab ${prefix}: scenario ${sc.name} is up (${state.namespaces.length} namespaces)`);
  for (const n of sc.nodes)
    console.log(`  node ${n.name}: netns ${prefix}-${n.name}, underlay ${n.underlayIP}, pods ${n.podCIDR}`);
  for (const s of describeServices(sc)) console.log(`  service ${s}`);
  for (const note of state.notes) console.log(`  note: ${note}`);
  console.log(`next: podpath lab probe --prefix ${prefix}; podpath lab down --prefix ${prefix}`);
  return 0;
}

async function probe(rest: string[]): Promise<number> {
  const { values } = parseFlags(rest, {
    prefix: { type: 'string' },
    json: { type: 'boolean', default: false },
    timeout: { type: 'string' },
    flow: { type: 'string', multiple: true },
  });
  const prefix = values.prefix ?? DEFAULT_PREFIX;
  const state = readState(prefix);
  if (!state || state.phase !== 'up')
    throw new UsageError(`no lab is up with prefix ${prefix} (podpath lab up SCENARIO --prefix ${prefix})`);
  const timeoutMs = values.timeout ? Number(values.timeout) : 1500;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100)
    throw new UsageError(`--timeout ${values.timeout}: milliseconds, at least 100`);
  const results = await runScenarioProbes(state.scenario, {
    prefix,
    timeoutMs,
    ...(values.flow ? { flows: values.flow } : {}),
  });
  if (values.json) console.log(JSON.stringify({ scenario: state.scenario.name, prefix, results }, null, 2));
  else console.log(renderProbes(results));
  return results.some((r) => r.expectMet === false) ? 1 : 0;
}

async function collect(rest: string[]): Promise<number> {
  const { values } = parseFlags(rest, { prefix: { type: 'string' }, output: { type: 'string', short: 'o' } });
  if (!values.output) throw new UsageError('lab collect: -o DIR is required');
  const prefix = values.prefix ?? DEFAULT_PREFIX;
  const snaps = await collectLabNodes(prefix);
  mkdirSync(values.output, { recursive: true });
  for (const s of snaps) {
    const file = join(values.output, `${s.metadata.node}.json`);
    writeFileSync(file, JSON.stringify(s, null, 1) + '\n');
    console.log(file);
  }
  return 0;
}

async function down(rest: string[]): Promise<number> {
  const { values } = parseFlags(rest, { prefix: { type: 'string' } });
  const prefix = values.prefix ?? DEFAULT_PREFIX;
  const r = await labDown(prefix);
  console.log(
    `lab ${prefix}: deleted ${r.namespaces.length} namespaces, stopped ${r.killed.length} processes`,
  );
  for (const e of r.errors) console.error(`podpath: ${e}`);
  return r.errors.length ? 2 : 0;
}

async function verify(rest: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    rest,
    {
      json: { type: 'boolean', default: false },
      markdown: { type: 'boolean', default: false },
      timeout: { type: 'string' },
    },
    true,
  );
  const names = positionals.length ? positionals : listScenarioNames();
  const scenarios = names.map((n) => loadScenario(n));
  const rows: VerifyRow[] = [];
  const notes: string[] = [];
  for (const sc of scenarios) {
    log(`lab verify: ${sc.name} (${sc.flows.length} flows)`);
    const r = await verifyScenario(sc, values.timeout ? { timeoutMs: Number(values.timeout) } : {});
    rows.push(...r.rows);
    notes.push(...r.notes.map((n) => `${sc.name}: ${n}`));
  }
  if (values.json) console.log(JSON.stringify({ rows, notes }, null, 2));
  else {
    console.log(renderVerifyTable(rows, { markdown: values.markdown }));
    for (const n of notes) console.log(`note: ${n}`);
  }
  return rows.some((r) => r.verdict === 'DISAGREE') ? 1 : 0;
}

function list(): number {
  for (const name of listScenarioNames()) {
    try {
      const sc = loadScenario(name);
      const first = sc.description.split(/(?<=\.)\s/)[0] ?? '';
      console.log(`${name.padEnd(26)} ${String(sc.flows.length).padStart(2)} flows  ${first}`);
    } catch (e) {
      console.log(`${name.padEnd(26)} (invalid: ${(e as Error).message.split('\n')[0]})`);
    }
  }
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    console.log(HELP);
    return sub ? 0 : 2;
  }
  if (sub === 'list') return list();
  const cmds: Record<string, (r: string[]) => Promise<number>> = { up, probe, collect, down, verify };
  const cmd = cmds[sub];
  if (!cmd) throw new UsageError(`lab: unknown command '${sub}'\n\n${HELP}`);
  try {
    requireLab();
    return await cmd(rest);
  } catch (e) {
    if (e instanceof LabUnavailableError) {
      console.error(`podpath lab: ${e.message}`);
      return 2;
    }
    if (e instanceof LabInterruptedError) {
      console.error(`podpath lab: ${e.message}`);
      return 130;
    }
    if (e instanceof LabBuildError) {
      console.error(`podpath lab: ${e.message}`);
      return 2;
    }
    throw e;
  }
}
