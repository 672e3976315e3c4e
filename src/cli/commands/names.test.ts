/**
 * `--from` / `--to` by name through the CLI: from a kubectl file and from a live API
 * (the local fake API server, the real client library over HTTP).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRepoRoot } from '../../snapshot/repo-root.js';
import { startFakeApiServer } from '../../cluster/testing/fake-api-server.js';
import { incidentObjects } from '../../cluster/testing/incident-objects.js';

const root = findRepoRoot(import.meta.url);
const bin = join(root, 'dist', 'cli', 'main.js');
const ex = (n: number) => join(root, 'examples', 'incident', `node${n}.json`);
const inventory = join(root, 'examples', 'cluster', 'incident.json');
const env = { ...process.env, NO_COLOR: '1', KUBERNETES_SERVICE_HOST: '' };

function runAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [bin, ...args], { env });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d));
    p.stderr.on('data', (d: Buffer) => (stderr += d));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

test('trace by name with --cluster: ns/pod to svc:ns/name:portname, names in the text', () => {
  const r = spawnSync(
    process.execPath,
    [
      bin,
      'trace',
      '--snapshot',
      ex(1),
      '--snapshot',
      ex(2),
      '--cluster',
      inventory,
      '--from',
      'spring-prod/client',
      '--to',
      'svc:spring-prod/panorama-v2-frontend-service:http',
      '--brief',
    ],
    { encoding: 'utf8', env },
  );
  assert.equal(r.status, 1, r.stderr);
  assert.match(
    r.stdout,
    /10\.224\.1\.34 \(spring-prod\/client\) -> 10\.233\.53\.172:8080 \(spring-prod\/panorama-v2-frontend-service:http\)/,
  );
  assert.match(r.stdout, /10\.224\.2\.23:8080 \(spring-prod\/frontend-b\).* -> connected/);
});

test('trace by name: a wrong name exits 2 with what exists; no inventory says so', () => {
  const bad = spawnSync(
    process.execPath,
    [
      bin,
      'trace',
      '--snapshot',
      ex(1),
      '--cluster',
      inventory,
      '--from',
      'spring-prod/client',
      '--to',
      'svc:spring-prod/panorama-v2-frontend-service:grpc',
    ],
    { encoding: 'utf8', env },
  );
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /has no port grpc \(ports: http=8080\)/);
  const none = spawnSync(
    process.execPath,
    [bin, 'trace', '--snapshot', ex(1), '--from', 'spring-prod/client', '--to', '10.233.53.172:8080'],
    { encoding: 'utf8', env },
  );
  assert.equal(none.status, 2);
  assert.match(none.stderr, /names need an inventory/);
});

test('trace by name with --kubeconfig --context: names from the API', async (t) => {
  const api = await startFakeApiServer(incidentObjects());
  const dir = mkdtempSync(join(tmpdir(), 'pp-cli-api-'));
  t.after(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const r = await runAsync([
    'trace',
    '--snapshot',
    ex(1),
    '--snapshot',
    ex(2),
    '--kubeconfig',
    api.writeKubeconfig(dir),
    '--context',
    'fake',
    '--from',
    'spring-prod/frontend-b',
    '--to',
    'spring-prod/panorama-v2-frontend-service:8080',
    '--json',
  ]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).flow, {
    proto: 'tcp',
    src: '10.224.2.23',
    dst: '10.233.53.172',
    dport: 8080,
  });
  assert.ok(api.requests.some((q) => q.path === '/api/v1/pods'));
});
