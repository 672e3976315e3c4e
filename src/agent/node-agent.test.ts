/**
 * The agent loop on the incident's node1 snapshot with its sysctl flipped between runs, and
 * both reporters (the real @kubernetes/client-node, and the light in-cluster client) reporting
 * to the local fake API server (Events, Node condition patch, strategic merge by type).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRepoRoot } from '../snapshot/repo-root.js';
import type { NodeSnapshot } from '../snapshot/types.js';
import { makeMetrics } from './metrics.js';
import { NodeAgent, problemState } from './node-agent.js';
import { KubeReporter, CONDITION_TYPE } from './kube-reporter.js';
import { parseDuration } from './duration.js';
import { parseListen } from './serve-metrics.js';
import { WATCHED_SYSCTLS } from './watched-sysctls.js';
import { startFakeApiServer, type FakeApiServer } from '../cluster/testing/fake-api-server.js';
import { LightReporter } from './light-reporter.js';
import { LightApi } from '../cluster/light-api.js';
import type { Reporter } from './node-agent.js';
import { incidentObjects } from '../cluster/testing/incident-objects.js';
import { loadKubeConfig } from '../cluster/kube-config.js';

const root = findRepoRoot(import.meta.url);
const base = JSON.parse(
  readFileSync(join(root, 'examples', 'incident', 'node1.json'), 'utf8'),
) as NodeSnapshot;

function withBridgeNf(v: '0' | '1'): NodeSnapshot {
  const s = structuredClone(base);
  s.sources['sysctl']!.stdout = s.sources['sysctl']!.stdout.replace(
    /net\.bridge\.bridge-nf-call-iptables = \d/,
    `net.bridge.bridge-nf-call-iptables = ${v}`,
  );
  return s;
}

async function gauge(
  m: ReturnType<typeof makeMetrics>,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const g = (await m.registry.getSingleMetric(name)?.get())?.values ?? [];
  return g.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value;
}

test('durations as kubelet writes them; listen addresses', () => {
  assert.equal(parseDuration('2s'), 2000);
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('1m'), 60_000);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('30'), undefined);
  assert.equal(parseDuration('-1s'), undefined);
  assert.equal(parseDuration('0s'), undefined);
  assert.deepEqual(parseListen('127.0.0.1:9807'), { host: '127.0.0.1', port: 9807 });
  assert.deepEqual(parseListen(':9807'), { host: '0.0.0.0', port: 9807 });
  assert.deepEqual(parseListen('[::1]:9807'), { host: '::1', port: 9807 });
  assert.equal(parseListen('9807'), undefined);
});

function makeReporter(kind: 'library' | 'light', api: FakeApiServer, dir: string): Reporter {
  if (kind === 'library') {
    const kc = loadKubeConfig({ kubeconfig: api.writeKubeconfig(dir), context: 'fake' })!;
    return new KubeReporter(kc, 'node1', 'kube-system');
  }
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, api.token + '\n');
  return new LightReporter(new LightApi({ server: api.url, tokenFile }), 'node1', 'kube-system');
}

for (const kind of ['library', 'light'] as const)
  test(`agent (${kind} reporter): a sysctl flip shows in the metrics, is logged old -> new, sent as an Event and a Node condition`, async (t) => {
    const api = await startFakeApiServer(incidentObjects());
    const dir = mkdtempSync(join(tmpdir(), 'pp-agent-'));
    t.after(async () => {
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    });
    let current = withBridgeNf('1');
    const logs: string[] = [];
    const m = makeMetrics({ processMetrics: false });
    const agent = new NodeAgent({
      collect: async () => current,
      metrics: m,
      log: (l) => logs.push(l),
      reporter: makeReporter(kind, api, dir),
    });
    const bridge = { name: 'net.bridge.bridge-nf-call-iptables' };
    const failing = { check: 'bridge-nf-call-iptables-disabled', severity: 'critical' };

    const r1 = await agent.run();
    assert.ok(r1.ok, r1.error);
    assert.equal(await gauge(m, 'podpath_sysctl', bridge), 1);
    assert.equal(await gauge(m, 'podpath_check_failing', failing), 0);
    assert.equal(await gauge(m, 'podpath_conntrack_entries'), 85);
    assert.equal(await gauge(m, 'podpath_conntrack_max'), 262144);
    assert.ok((await gauge(m, 'podpath_last_run_timestamp_seconds'))! > 1e9);
    assert.equal(api.requests.filter((r) => r.method === 'POST').length, 0, 'no event on the first run');

    current = withBridgeNf('0');
    const r2 = await agent.run();
    assert.deepEqual(r2.drift, [{ name: 'net.bridge.bridge-nf-call-iptables', old: '1', new: '0' }]);
    assert.equal(await gauge(m, 'podpath_sysctl', bridge), 0);
    assert.equal(await gauge(m, 'podpath_check_failing', failing), 1);
    assert.ok(logs.includes('sysctl net.bridge.bridge-nf-call-iptables changed: 1 -> 0'), logs.join('\n'));

    const ev = api.objects['events']!.find((e) => e['reason'] === 'SysctlChanged');
    assert.ok(ev, 'an Event was created');
    assert.equal(ev['metadata'].namespace, 'kube-system');
    assert.equal(ev['type'], 'Warning');
    assert.deepEqual(ev['involvedObject'], { kind: 'Node', name: 'node1', apiVersion: 'v1' });
    assert.match(
      ev['message'],
      /net\.bridge\.bridge-nf-call-iptables changed: 1 -> 0 \(now failing: .*bridge-nf-call-iptables-disabled/,
    );

    const patch = api.requests.filter((r) => r.method === 'PATCH');
    assert.equal(patch.at(-1)!.path, '/api/v1/nodes/node1/status');
    assert.equal(patch.at(-1)!.contentType, 'application/strategic-merge-patch+json');
    const node1 = api.objects['nodes']!.find((n) => n['metadata'].name === 'node1')!;
    const cond = () => node1['status'].conditions.find((c: { type: string }) => c.type === CONDITION_TYPE);
    assert.equal(cond().status, 'True');
    assert.equal(
      node1['status'].conditions.find((c: { type: string }) => c.type === 'Ready').status,
      'True',
      'the Ready condition is kept (merged by type)',
    );

    current = withBridgeNf('1');
    const r3 = await agent.run();
    assert.deepEqual(r3.drift, [{ name: 'net.bridge.bridge-nf-call-iptables', old: '0', new: '1' }]);
    assert.equal(await gauge(m, 'podpath_check_failing', failing), 0);
    // node1's conntrack still shows UNREPLIED same-bridge entries: the condition stays, for that reason
    assert.equal(cond().reason, 'ConntrackUnrepliedSameBridge');
    const patches = api.requests.filter((r) => r.method === 'PATCH').length;
    await agent.run();
    assert.equal(
      api.requests.filter((r) => r.method === 'PATCH').length,
      patches,
      'no patch when nothing changed',
    );
  });

test('agent --remediate: restores the sysctl only for the named check, and logs it', async () => {
  const writes: string[] = [];
  const logs: string[] = [];
  const mk = (remediate: string[]) =>
    new NodeAgent({
      collect: async () => withBridgeNf('0'),
      metrics: makeMetrics({ processMetrics: false }),
      log: (l) => logs.push(l),
      remediate,
      writeSysctl: async (n, v) => void writes.push(`${n}=${v}`),
    });
  assert.deepEqual((await mk([]).run()).remediated, []);
  assert.deepEqual(writes, [], 'read-only by default');
  assert.deepEqual((await mk(['ip-forward-disabled']).run()).remediated, [], 'ip_forward is fine on node1');
  assert.deepEqual((await mk(['bridge-nf-call-iptables-disabled']).run()).remediated, [
    'bridge-nf-call-iptables-disabled',
  ]);
  assert.deepEqual(writes, ['net.bridge.bridge-nf-call-iptables=1']);
  assert.ok(
    logs.includes(
      'remediate bridge-nf-call-iptables-disabled: set net.bridge.bridge-nf-call-iptables 0 -> 1',
    ),
  );
});

test('agent: a failing collection counts as an error run and makes /readyz fail', async () => {
  const m = makeMetrics({ processMetrics: false });
  const agent = new NodeAgent({
    collect: async () => Promise.reject(new Error('boom')),
    metrics: m,
    log: () => undefined,
  });
  const r = await agent.run();
  assert.equal(r.ok, false);
  assert.equal(agent.ready, false);
  assert.equal(await gauge(m, 'podpath_runs_total', { result: 'error' }), 1);
  assert.equal(problemState([]).problem, false);
});

test('agent poll between full runs: reads only the watched sysctls; a change starts a full run', async () => {
  let collects = 0;
  let current = withBridgeNf('1');
  const watched = new Map<string, string | undefined>();
  const logs: string[] = [];
  const m = makeMetrics({ processMetrics: false });
  const agent = new NodeAgent({
    collect: async () => {
      collects++;
      return current;
    },
    metrics: m,
    log: (l) => logs.push(l),
    readWatched: async () => new Map(watched),
  });
  assert.equal(await agent.poll(), false, 'no poll before the first full run');
  await agent.run();
  assert.equal(collects, 1);
  // /proc/sys shows what the full run saw
  const seen = new Map(
    current.sources['sysctl']!.stdout.split('\n').map((l) => l.split(' = ') as [string, string]),
  );
  for (const k of WATCHED_SYSCTLS) watched.set(k, seen.get(k));
  assert.equal(await agent.poll(), false);
  assert.equal(collects, 1, 'nothing changed: no collection');
  watched.set('net.bridge.bridge-nf-call-iptables', '0');
  current = withBridgeNf('0');
  assert.equal(await agent.poll(), true);
  assert.equal(collects, 2, 'the change started a full run');
  assert.equal(
    await gauge(m, 'podpath_check_failing', {
      check: 'bridge-nf-call-iptables-disabled',
      severity: 'critical',
    }),
    1,
  );
  assert.ok(logs.includes('sysctl net.bridge.bridge-nf-call-iptables changed: 1 -> 0'));
});
