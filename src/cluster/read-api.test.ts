/**
 * The real @kubernetes/client-node against a local HTTP server that speaks the API (list,
 * watch); nothing of the library is replaced.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApiServer } from './testing/fake-api-server.js';
import { incidentObjects } from './testing/incident-objects.js';
import { loadKubeConfig, KubeConfigError } from './kube-config.js';
import { loadInventory } from './load-inventory.js';
import { readInventoryFromApi } from './read-api.js';
import { watchNodePods } from './watch-pods.js';

test('inventory from the API: --kubeconfig and --context pick the server, the token is sent', async (t) => {
  const api = await startFakeApiServer(incidentObjects());
  const dir = mkdtempSync(join(tmpdir(), 'pp-api-'));
  t.after(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const kubeconfig = api.writeKubeconfig(dir);
  const inv = await loadInventory({ kubeconfig, context: 'fake', timeoutMs: 5000 });
  assert.ok(inv);
  assert.deepEqual(inv.diagnostics, []);
  assert.deepEqual(
    inv.nodes.map((n) => n.name),
    ['node1', 'node2'],
  );
  assert.deepEqual(
    inv.pods.map((p) => `${p.namespace}/${p.name}@${p.node}=${p.ips[0]}`),
    [
      'spring-prod/client@node1=10.224.1.34',
      'spring-prod/frontend-a@node1=10.224.1.56',
      'spring-prod/frontend-b@node2=10.224.2.23',
    ],
  );
  assert.equal(inv.services[0]!.clusterIPs[0], '10.233.53.172');
  assert.deepEqual(
    inv.slices[0]!.endpoints.map((e) => `${e.pod}@${e.node}`),
    ['spring-prod/frontend-a@node1', 'spring-prod/frontend-b@node2'],
  );
  const paths = api.requests.map((r) => r.path).sort();
  assert.deepEqual(paths, [
    '/api/v1/nodes',
    '/api/v1/pods',
    '/api/v1/services',
    '/apis/discovery.k8s.io/v1/endpointslices',
  ]);
  assert.ok(api.requests.every((r) => r.authorization === `Bearer ${api.token}`));
});

test('the current context (an unreachable server) gives diagnostics, not an exception', async (t) => {
  const api = await startFakeApiServer({});
  const dir = mkdtempSync(join(tmpdir(), 'pp-api-'));
  t.after(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const kc = loadKubeConfig({ kubeconfig: api.writeKubeconfig(dir) })!;
  const inv = await readInventoryFromApi(kc, { timeoutMs: 3000 });
  assert.equal(inv.diagnostics.length, 4);
  assert.match(inv.diagnostics[0]!.message, /cannot list nodes from http:\/\/127\.0\.0\.1:9/);
  assert.throws(
    () => loadKubeConfig({ kubeconfig: api.writeKubeconfig(dir), context: 'prod' }),
    /--context prod: not in .* \(has: fake, other\)/,
  );
  assert.throws(() => loadKubeConfig({ kubeconfig: join(dir, 'missing') }), KubeConfigError);
});

test('a wrong token is an HTTP 401 diagnostic', async (t) => {
  const api = await startFakeApiServer(incidentObjects());
  const dir = mkdtempSync(join(tmpdir(), 'pp-api-'));
  t.after(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const kc = loadKubeConfig({ kubeconfig: api.writeKubeconfig(dir), context: 'fake' })!;
  kc.users[0] = { name: 'sa', token: 'wrong' };
  const inv = await readInventoryFromApi(kc, { timeoutMs: 3000 });
  assert.equal(inv.pods.length, 0);
  assert.match(inv.diagnostics[0]!.message, /HTTP 401/);
});

test('watch: the pods of one node, ADDED then a new pod and a deletion', async (t) => {
  const api = await startFakeApiServer(incidentObjects());
  const dir = mkdtempSync(join(tmpdir(), 'pp-api-'));
  const kc = loadKubeConfig({ kubeconfig: api.writeKubeconfig(dir), context: 'fake' })!;
  const seen: string[] = [];
  let notify: () => void = () => undefined;
  const w = watchNodePods(kc, 'node1', (type, p) => {
    seen.push(`${type} ${p.namespace}/${p.name}`);
    notify();
  });
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
  await until(2);
  const newPod = structuredClone(incidentObjects()['pods']![0]!) as {
    metadata: { name: string };
    spec: { nodeName: string };
  };
  newPod.metadata.name = 'client-2';
  api.emit('pods', 'ADDED', newPod);
  const other = structuredClone(newPod);
  other.metadata.name = 'elsewhere';
  other.spec.nodeName = 'node2';
  api.emit('pods', 'ADDED', other);
  api.emit('pods', 'DELETED', newPod);
  await until(4);
  assert.deepEqual(seen, [
    'ADDED spring-prod/client',
    'ADDED spring-prod/frontend-a',
    'ADDED spring-prod/client-2',
    'DELETED spring-prod/client-2',
  ]);
  const watchReq = api.requests.find((r) => r.query['watch'] === 'true')!;
  assert.equal(watchReq.query['fieldSelector'], 'spec.nodeName=node1');
});
