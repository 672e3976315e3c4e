/**
 * doctor, probe and agent through the CLI: usage errors exit 2, doctor on the bundled
 * example (text and --json), agent --once without root-only state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { findRepoRoot } from '../../snapshot/repo-root.js';

const root = findRepoRoot(import.meta.url);
const bin = join(root, 'dist', 'cli', 'main.js');
const ex = (n: number) => join(root, 'examples', 'incident', `node${n}.json`);
const inventory = join(root, 'examples', 'cluster', 'incident.json');
const run = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', KUBERNETES_SERVICE_HOST: '' },
  });

test('doctor --snapshot on the example: grouped by cause, exit 1; --json has the groups', () => {
  const r = run('doctor', '--snapshot', ex(1), '--snapshot', ex(2), '--cluster', inventory);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /✗ 1 of 4 pairs fail/);
  assert.match(
    r.stdout,
    /fails only when the backend is on this node -> the reply bypasses conntrack, so it is not un-NATed -> net\.bridge\.bridge-nf-call-iptables = 0/,
  );
  const j = JSON.parse(run('doctor', '--snapshot', ex(1), '--snapshot', ex(2), '--json').stdout);
  assert.equal(j.groups[0].causeId, 'reply-bypassed-conntrack');
  assert.equal(j.groups[0].pairs[0].endpoint, '10.224.1.56:8080');
  const n2 = run('doctor', '--snapshot', ex(1), '--snapshot', ex(2), '--node', 'node2');
  assert.equal(n2.status, 0, n2.stdout);
  assert.match(n2.stdout, /✓ every pair connects/);
});

test('usage errors exit 2 with what was expected', () => {
  const cases: [string[], RegExp][] = [
    [['agent', '--interval', '30'], /--interval 30: expected a duration of at least 1s/],
    [['agent', '--listen', 'nowhere'], /--listen nowhere: expected HOST:PORT/],
    [
      ['agent', '--remediate', 'forward-policy-drop'],
      /--remediate forward-policy-drop: podpath can only restore/,
    ],
    [['probe', '--timeout', 'soon', '--cluster', inventory], /--timeout soon: expected a duration/],
    [
      ['probe', '--cluster', inventory, '--service', 'spring-prod/nope'],
      /--service spring-prod\/nope: no such TCP Service port/,
    ],
    [['doctor', '--snapshot', ex(1), '--node', 'node7'], /node node7: not among the snapshots/],
    [
      ['doctor', '--snapshot', ex(1), '--cluster', '/nonexistent.json'],
      /\/nonexistent\.json: cannot read the cluster inventory/,
    ],
  ];
  for (const [args, re] of cases) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
  }
});

test('the new commands are listed in the usage', () => {
  const r = run('--help');
  for (const c of ['doctor', 'probe', 'agent']) assert.match(r.stdout, new RegExp(`^  ${c} `, 'm'));
});
