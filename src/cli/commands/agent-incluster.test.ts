/**
 * `podpath agent --once` as in a DaemonSet pod: no kubeconfig, KUBERNETES_SERVICE_HOST and a
 * service account directory, so the light client patches the Node condition on the fake API
 * server with the token from the file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRepoRoot } from '../../snapshot/repo-root.js';
import { startFakeApiServer } from '../../cluster/testing/fake-api-server.js';
import { incidentObjects } from '../../cluster/testing/incident-objects.js';

const bin = join(findRepoRoot(import.meta.url), 'dist', 'cli', 'main.js');

test('agent --once in a pod: the light client sends the Node condition with the service-account token', async (t) => {
  const api = await startFakeApiServer(incidentObjects());
  const dir = mkdtempSync(join(tmpdir(), 'pp-sa-'));
  t.after(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });
  writeFileSync(join(dir, 'token'), api.token + '\n');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: dir,
    NO_COLOR: '1',
    KUBERNETES_SERVICE_HOST: '127.0.0.1',
    KUBERNETES_SERVICE_PORT: '443',
    PODPATH_API_SERVER: api.url,
    PODPATH_SERVICE_ACCOUNT_DIR: dir,
  };
  const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const c = execFile(
      process.execPath,
      [bin, 'agent', '--once', '--no-pods', '--node', 'node1', '--events-namespace', 'kube-system'],
      { env, encoding: 'utf8', timeout: 60_000 },
      (_e, _out, stderr) => resolve({ code: c.exitCode, stderr }),
    );
  });
  assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
  const patch = api.requests.find((q) => q.method === 'PATCH');
  assert.ok(patch, `no PATCH (got ${api.requests.map((q) => `${q.method} ${q.path}`).join(', ')})`);
  assert.equal(patch.path, '/api/v1/nodes/node1/status');
  assert.equal(patch.contentType, 'application/strategic-merge-patch+json');
  assert.equal(patch.authorization, `Bearer ${api.token}`);
  const node1 = api.objects['nodes']!.find((n) => n['metadata'].name === 'node1')!;
  assert.ok(node1['status'].conditions.some((c: { type: string }) => c.type === 'PodpathNetworkProblem'));
});
