/**
 * Real-kernel lab tests (root, Linux). Without root each test says so and skips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { runCommand } from '../collect/run-command.js';
import { cliArgv } from '../collect/collect-in-netns.js';
import { labAvailability, labNetns } from './build/host.js';
import { labUp } from './build/lab-up.js';
import { labDown } from './build/lab-down.js';
import { randomTestPrefix } from './build/names.js';
import { stateDir } from './build/state.js';
import { LabBuildError } from './build/run-step.js';
import { runScenarioProbes } from './probe/run-probes.js';
import type { ProbeResult } from './probe/types.js';
import { listScenarioNames, loadScenario } from './scenario/load-scenario.js';
import { withLab } from './with-lab.js';

const why = labAvailability();
const SKIP = 'needs root: lab tests skipped';

async function rootLinks(): Promise<unknown> {
  const r = await runCommand('ip', ['-j', '-d', 'link', 'show']);
  assert.equal(r.exitCode, 0);
  return JSON.parse(r.stdout);
}

function responderPids(prefix: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      const i = cmd.indexOf('--prefix');
      if (cmd.some((c) => c.endsWith('responder.mjs')) && i >= 0 && cmd[i + 1] === prefix)
        out.push(Number(p));
    } catch {
      // gone
    }
  }
  return out;
}

async function assertNothingLeft(prefix: string, linksBefore: unknown): Promise<void> {
  assert.deepEqual(labNetns(prefix), [], 'namespaces left');
  assert.deepEqual(responderPids(prefix), [], 'responders left');
  assert.equal(existsSync(stateDir(prefix)), false, 'state dir left');
  assert.deepEqual(await rootLinks(), linksBefore, 'the root namespace links changed');
}

function byName(rs: ProbeResult[], name: string): ProbeResult {
  const r = rs.find((x) => x.flow.name === name);
  assert.ok(r, name);
  return r;
}

function endpointOutcomes(r: ProbeResult): Record<string, string> {
  return Object.fromEntries(r.endpoints.map((e) => [e.pod ?? e.endpoint, e.outcomes.join('|')]));
}

test('incident: same-node backend times out, cross-node backend connects, as in the seed', async (t) => {
  if (why) return t.skip(SKIP);
  await withLab(loadScenario('incident'), async (lab) => {
    const rs = await runScenarioProbes(lab.scenario, { prefix: lab.prefix });
    const svc = byName(rs, 'client-to-service');
    assert.equal(svc.outcome, 'mixed');
    assert.deepEqual(endpointOutcomes(svc), {
      'spring-prod/frontend-a': 'timeout',
      'spring-prod/frontend-b': 'connected',
    });
    // the timeouts are attributed through node1's conntrack: the seed's SYN_SENT [UNREPLIED] entry
    assert.ok(svc.attempts.some((a) => a.outcome === 'timeout' && a.via === 'conntrack'));
    assert.equal(byName(rs, 'client-to-frontend-a-pod-ip').outcome, 'connected');
    for (const r of rs) assert.equal(r.expectMet, true, `${r.flow.name}: ${r.expectDetail}`);
  });
});

test('healthy: every flow connects or is refused as a healthy cluster does', async (t) => {
  if (why) return t.skip(SKIP);
  await withLab(loadScenario('healthy'), async (lab) => {
    const rs = await runScenarioProbes(lab.scenario, { prefix: lab.prefix });
    assert.deepEqual(endpointOutcomes(byName(rs, 'client-to-service')), {
      'spring-prod/frontend-a': 'connected',
      'spring-prod/frontend-b': 'connected',
    });
    assert.equal(byName(rs, 'closed-port-cross-node').outcome, 'refused');
    for (const r of rs) assert.equal(r.expectMet, true, `${r.flow.name}: ${r.expectDetail}`);
  });
});

test('the kernel hands the rules back in iptables-save normal form', async (t) => {
  if (why) return t.skip(SKIP);
  await withLab(loadScenario('incident'), async (lab) => {
    const r = await runCommand('ip', [
      'netns',
      'exec',
      `${lab.prefix}-node1`,
      'iptables-legacy-save',
      '-t',
      'nat',
    ]);
    assert.equal(r.exitCode, 0);
    assert.match(
      r.stdout,
      /^-A KUBE-SVC-SFYPIQDA5NATOP5V -m comment --comment "spring-prod\/panorama-v2-frontend-service:http -> 10\.224\.1\.56:8080" -m statistic --mode random --probability 0\.50000000000 -j KUBE-SEP-/m,
    );
    assert.match(r.stdout, /^-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000\/0x4000$/m);
    assert.match(
      r.stdout,
      /^-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully$/m,
    );
    const s = await runCommand('ip', [
      'netns',
      'exec',
      `${lab.prefix}-node1`,
      'sysctl',
      '-n',
      'net.bridge.bridge-nf-call-iptables',
    ]);
    assert.equal(s.stdout.trim(), '0');
  });
});

test('lab down leaves no namespaces, links, processes or state behind', async (t) => {
  if (why) return t.skip(SKIP);
  const before = await rootLinks();
  let prefix = '';
  await withLab(loadScenario('incident'), async (lab) => {
    prefix = lab.prefix;
    assert.equal(labNetns(prefix).length, 6);
    assert.equal(responderPids(prefix).length, 2);
    assert.deepEqual(await rootLinks(), before, 'lab up must not create links in the root namespace');
  });
  await assertNothingLeft(prefix, before);
});

test('a failure midway tears down what was made', async (t) => {
  if (why) return t.skip(SKIP);
  const before = await rootLinks();
  const sc = loadScenario('healthy');
  // two listeners on one port: that responder fails with EADDRINUSE in the last phase, after
  // every namespace, link, rule and the other responder exist
  sc.pods[2]!.listeners.push({ proto: 'tcp', port: 8080 });
  const prefix = randomTestPrefix();
  try {
    await assert.rejects(labUp(sc, { prefix, handleSignals: false }), LabBuildError);
  } finally {
    if (labNetns(prefix).length) await labDown(prefix); // only if labUp wrongly succeeded
  }
  await assertNothingLeft(prefix, before);
});

test('SIGINT during lab up tears down what was made', async (t) => {
  if (why) return t.skip(SKIP);
  const before = await rootLinks();
  const prefix = randomTestPrefix();
  const [file, ...pre] = cliArgv();
  const child = spawn(file!, [...pre, 'lab', 'up', 'pod-to-pod', '--prefix', prefix], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  for (let i = 0; i < 2000 && !existsSync(`/run/netns/${prefix}-underlay`); i++)
    await new Promise((r) => setTimeout(r, 5));
  child.kill('SIGINT');
  assert.equal(await exited, 130, stderr);
  assert.match(stderr, /interrupted by SIGINT/);
  await assertNothingLeft(prefix, before);
});

test('every bundled scenario: the kernel does what the scenario expects', async (t) => {
  if (why) return t.skip(SKIP);
  const failures: string[] = [];
  for (const name of listScenarioNames().filter((n) => n !== 'incident' && n !== 'healthy')) {
    await withLab(loadScenario(name), async (lab) => {
      for (const r of await runScenarioProbes(lab.scenario, { prefix: lab.prefix })) {
        if (r.expectMet !== true) failures.push(`${name}/${r.flow.name}: ${r.expectDetail ?? r.error}`);
      }
    });
  }
  assert.deepEqual(failures, []);
});
