/**
 * The light in-cluster client against the fake API server over real HTTP: the pod watch
 * (list, watch from the resourceVersion, resume after the server ends it, list again after
 * 410 Expired reporting only the differences), a rotated service-account token, and the
 * in-cluster configuration from the environment.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApiServer } from './testing/fake-api-server.js';
import { incidentObjects } from './testing/incident-objects.js';
import { ApiError, LightApi, inClusterConfig } from './light-api.js';
import { watchNodePodsLight } from './light-watch-pods.js';

function pod(name: string, nodeName = 'node1') {
  const p = structuredClone(incidentObjects()['pods']![0]!) as {
    metadata: { name: string; resourceVersion?: string };
    spec: { nodeName: string };
  };
  p.metadata.name = name;
  delete p.metadata.resourceVersion;
  p.spec.nodeName = nodeName;
  return p;
}

test('light pod watch: list, watch from its resourceVersion, resume on close, relist after 410', async (t) => {
  const api = await startFakeApiServer(incidentObjects());
  const dir = mkdtempSync(join(tmpdir(), 'pp-light-'));
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, api.token);
  const seen: string[] = [];
  const errors: unknown[] = [];
  let notify: () => void = () => undefined;
  const w = watchNodePodsLight(
    new LightApi({ server: api.url, tokenFile }),
    'node1',
    (type, p) => {
      seen.push(`${type} ${p.namespace}/${p.name}`);
      notify();
    },
    { retryMs: 50, onError: (e) => errors.push(e) },
  );
  t.after(async () => {
    w.stop();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const until = (n: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`saw only ${seen.join('; ')}`)), 5000);
      notify = () => {
        if (seen.length >= n) {
          clearTimeout(timer);
          resolve();
        }
      };
      notify();
    });
  const watches = () => api.requests.filter((r) => r.query['watch'] === 'true');
  await until(2);
  await api.waitFor((r) => r.query['watch'] === 'true');
  assert.deepEqual(seen, ['ADDED spring-prod/client', 'ADDED spring-prod/frontend-a']);
  const first = watches()[0]!;
  assert.equal(first.query['fieldSelector'], 'spec.nodeName=node1');
  assert.ok(first.query['resourceVersion'], 'the watch starts at the list resourceVersion');
  assert.equal(api.requests.filter((r) => r.path === '/api/v1/pods' && !r.query['watch']).length, 1);

  api.emit('pods', 'ADDED', pod('client-2'));
  api.emit('pods', 'ADDED', pod('elsewhere', 'node2'));
  await until(3);
  assert.equal(seen[2], 'ADDED spring-prod/client-2');

  // the server ends the watch (its timeout): resumed from the last resourceVersion, no new list
  const rvSeen = api.objects['pods']!.find((p) => p['metadata'].name === 'client-2')!['metadata']
    .resourceVersion as string;
  api.endWatches();
  await new Promise((r) => setTimeout(r, 100));
  await api.waitFor((r) => r.query['watch'] === 'true' && r.query['resourceVersion'] === rvSeen);
  assert.equal(api.requests.filter((r) => r.path === '/api/v1/pods' && !r.query['watch']).length, 1);
  api.emit('pods', 'DELETED', pod('client-2'));
  await until(4);
  assert.equal(seen[3], 'DELETED spring-prod/client-2');

  // 410 Expired: list again; only what changed meanwhile is reported
  const lists = api.requests.filter((r) => r.path === '/api/v1/pods' && !r.query['watch']).length;
  api.objects['pods']!.push({
    ...pod('client-3'),
    metadata: { ...pod('client-3').metadata, resourceVersion: '1' },
  });
  api.endWatches(true);
  await until(5);
  assert.equal(seen[4], 'ADDED spring-prod/client-3');
  assert.equal(api.requests.filter((r) => r.path === '/api/v1/pods' && !r.query['watch']).length, lists + 1);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(seen.length, 5, `pods already known are not reported again: ${seen.join('; ')}`);
  assert.deepEqual(errors, [], '410 is not an error for the agent log');
});

test('light client: the token file is read again on each request (rotation); 401 is an ApiError', async (t) => {
  const api = await startFakeApiServer(incidentObjects());
  const dir = mkdtempSync(join(tmpdir(), 'pp-light-'));
  t.after(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, api.token + '\n');
  const c = new LightApi({ server: api.url, tokenFile });
  const n = await c.json('GET', '/api/v1/nodes/node1');
  assert.equal((n['metadata'] as { name: string }).name, 'node1');
  const fresh = api.rotateToken();
  await assert.rejects(c.json('GET', '/api/v1/nodes/node1'), (e: unknown) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 401);
    assert.match(e.message, /GET \/api\/v1\/nodes\/node1: HTTP 401 Unauthorized/);
    return true;
  });
  writeFileSync(tokenFile, fresh + '\n');
  await c.json('GET', '/api/v1/nodes/node1');
  assert.equal(api.requests.at(-1)!.authorization, `Bearer ${fresh}`);
  await assert.rejects(c.json('GET', '/api/v1/nodes/nope'), /HTTP 404 NotFound: nodes "nope" not found/);
});

test('in-cluster configuration from KUBERNETES_SERVICE_HOST/PORT and the service account', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pp-sa-'));
  try {
    const env = {
      KUBERNETES_SERVICE_HOST: '10.96.0.1',
      KUBERNETES_SERVICE_PORT: '443',
      PODPATH_SERVICE_ACCOUNT_DIR: dir,
    };
    assert.equal(inClusterConfig(env), undefined, 'no token: not in a pod');
    writeFileSync(join(dir, 'token'), 't');
    writeFileSync(join(dir, 'ca.crt'), '-----BEGIN CERTIFICATE-----\n');
    assert.deepEqual(inClusterConfig(env), {
      server: 'https://10.96.0.1:443',
      tokenFile: join(dir, 'token'),
      ca: '-----BEGIN CERTIFICATE-----\n',
    });
    assert.equal(
      inClusterConfig({ ...env, KUBERNETES_SERVICE_HOST: 'fd00::1' })!.server,
      'https://[fd00::1]:443',
    );
    assert.equal(inClusterConfig({ ...env, KUBERNETES_SERVICE_HOST: undefined }), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
