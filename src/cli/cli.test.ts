import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRepoRoot } from '../snapshot/repo-root.js';

const root = findRepoRoot(import.meta.url);
const bin = join(root, 'dist', 'cli', 'main.js');
const ex = (n: number) => join(root, 'examples', 'incident', `node${n}.json`);
const run = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

test('demo names bridge-nf-call-iptables and the ClusterIP, exits 0', () => {
  const r = run('demo');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /bridge-nf-call-iptables/);
  assert.match(r.stdout, /10\.233\.53\.172/);
  assert.match(r.stdout, /timeout/);
  assert.ok(!r.stdout.includes(String.fromCharCode(27)), 'no colour when NO_COLOR / not a TTY');
});

test('trace --json follows the ARCHITECTURE §4 shape: mixed, same-node timeout, cross-node connected', () => {
  const r = run(
    'trace',
    '--snapshot',
    ex(1),
    '--snapshot',
    ex(2),
    '--from',
    '10.224.1.34',
    '--to',
    '10.233.53.172:8080',
    '--json',
  );
  assert.equal(r.status, 1, r.stderr);
  const t = JSON.parse(r.stdout);
  assert.deepEqual(t.flow, { proto: 'tcp', src: '10.224.1.34', dst: '10.233.53.172', dport: 8080 });
  assert.equal(t.outcome, 'mixed');
  const byEp = Object.fromEntries(t.paths.map((p: { endpoint: string }) => [p.endpoint, p]));
  assert.equal(byEp['10.224.1.56:8080'].outcome, 'timeout');
  assert.equal(byEp['10.224.2.23:8080'].outcome, 'connected');
  for (const p of t.paths) {
    assert.equal(typeof p.probability, 'number');
    assert.ok(Array.isArray(p.request) && Array.isArray(p.reply));
    for (const h of [...p.request, ...p.reply])
      for (const k of ['node', 'stage', 'verdict']) assert.ok(k in h, k);
    assert.equal(typeof p.cause, 'string');
  }
  assert.ok(
    t.findings.some(
      (f: { id: string; severity: string }) =>
        f.id === 'bridge-nf-call-iptables-disabled' && f.severity === 'critical',
    ),
  );
});

test('trace on a copy of the snapshot with the sysctl at 1 says connected (exit 0)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'podpath-cli-'));
  const s = JSON.parse(readFileSync(ex(1), 'utf8'));
  s.sources.sysctl.stdout = s.sources.sysctl.stdout.replace(
    'net.bridge.bridge-nf-call-iptables = 0',
    'net.bridge.bridge-nf-call-iptables = 1',
  );
  writeFileSync(join(dir, 'node1.json'), JSON.stringify(s));
  const r = run(
    'trace',
    '--snapshot',
    join(dir, 'node1.json'),
    '--snapshot',
    ex(2),
    '--from',
    '10.224.1.34',
    '--to',
    '10.233.53.172:8080',
    '--json',
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).outcome, 'connected');
});

test('check --json lists the planted fault; --fail-on none exits 0', () => {
  const r = run('check', '--snapshot', ex(1), '--snapshot', ex(2), '--json');
  assert.equal(r.status, 1);
  const ids = JSON.parse(r.stdout).findings.map((f: { id: string; node: string }) => `${f.node}:${f.id}`);
  assert.ok(ids.includes('node1:bridge-nf-call-iptables-disabled'));
  assert.ok(!ids.some((i: string) => i.startsWith('node2:') && i.includes('bridge-nf-call-iptables')));
  assert.equal(run('check', '--snapshot', ex(2), '--fail-on', 'none').status, 0);
});

test('bad input: exit 2 with the file and line named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'podpath-cli-'));
  const f = join(dir, 'broken.json');
  writeFileSync(f, '{\n  "apiVersion": "podpath/v1",\n  "kind": \n}\n');
  const r = run('trace', '--snapshot', f, '--from', '10.224.1.34', '--to', '10.233.53.172:8080');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /broken\.json:\d+/);
  assert.equal(r.stdout, '', 'nothing half-printed');
  const u = run('trace', '--snapshot', ex(1), '--from', '10.224.1.34', '--to', 'nonsense');
  assert.equal(u.status, 2);
  assert.match(u.stderr, /expected IP:PORT/);
  assert.equal(run('frobnicate').status, 2);
});

test('trace with one node collected: the walk ends unknown at the missing node, named from --cluster', () => {
  const inv = join(root, 'examples', 'cluster', 'incident.json');
  const to = ['--to', '10.224.2.23:8080', '--json'];
  const named = run('trace', '--snapshot', ex(1), '--cluster', inv, '--from', 'spring-prod/client', ...to);
  assert.equal(named.status, 1, named.stderr);
  const t = JSON.parse(named.stdout) as { outcome: string; paths: { cause?: string }[] };
  assert.equal(t.outcome, 'unknown');
  assert.match(t.paths[0]!.cause ?? '', /node node2 \(192\.168\.50\.12\).*snapshot is missing/);
  const bare = run('trace', '--snapshot', ex(1), '--from', '10.224.1.34', ...to);
  assert.equal(bare.status, 1, bare.stderr);
  assert.match(bare.stdout, /the node at 192\.168\.50\.12 .*snapshot is missing/);
});
