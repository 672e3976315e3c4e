import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { findRepoRoot } from '../snapshot/repo-root.js';
import { loadSnapshots } from '../snapshot/load.js';
import { buildCluster } from '../model/build.js';
import { readInventoryFiles } from '../cluster/load-inventory.js';
import { withSysctl } from '../cli/commands/demo.js';
import { doctorMatrix, traceOneFlow, type TraceOne } from './doctor.js';
import { renderDoctor } from './render-doctor.js';
import { collectNames } from './names.js';

const root = findRepoRoot(import.meta.url);
const ex = (n: number) => join(root, 'examples', 'incident', `node${n}.json`);

test('doctor on the incident: the same-node pair fails, grouped by cause with the sysctl as the reason', async () => {
  const cluster = buildCluster(await loadSnapshots([ex(1), ex(2)]));
  const r = doctorMatrix(cluster, { node: 'node1', names: collectNames(cluster) });
  assert.deepEqual(
    r.clients.map((c) => c.name),
    ['spring-prod/client', 'spring-prod/frontend-a'],
  );
  assert.deepEqual(
    r.services.map((s) => s.name),
    ['spring-prod/panorama-v2-frontend-service:http'],
  );
  assert.equal(r.pairs.length, 4);
  assert.equal(r.groups.length, 1);
  const g = r.groups[0]!;
  assert.equal(g.outcome, 'timeout');
  assert.equal(g.causeId, 'reply-bypassed-conntrack');
  assert.equal(g.locality, 'same-node-only');
  assert.deepEqual(
    g.pairs.map((p) => `${p.client.name} via ${p.endpoint}`),
    ['spring-prod/client via 10.224.1.56:8080'],
  );
  assert.equal(g.because[0], 'fails only when the backend is on this node');
  assert.equal(g.because.at(-1), 'net.bridge.bridge-nf-call-iptables = 0');
  assert.ok(g.checks.includes('bridge-nf-call-iptables-disabled'));
  assert.ok(g.fix.includes('sudo sysctl -w net.bridge.bridge-nf-call-iptables=1'));
  const text = renderDoctor(r);
  assert.match(
    text,
    /fails only when the backend is on this node -> the reply bypasses conntrack.* -> net\.bridge\.bridge-nf-call-iptables = 0/,
  );
  assert.match(text, /spring-prod\/client: spring-prod\/panorama-v2-frontend-service:http FAIL 1\/2/);
});

test('doctor: with the sysctl at 1 (what-if) nothing fails; node2 as the client node has no failing pair', async () => {
  const cluster = buildCluster(await loadSnapshots([ex(1), ex(2)]));
  const fixed = doctorMatrix(withSysctl(cluster, 'node1', 'net.bridge.bridge-nf-call-iptables', '1'), {
    node: 'node1',
  });
  assert.equal(fixed.groups.length, 0);
  assert.ok(fixed.pairs.every((p) => p.outcome === 'connected'));
  const n2 = doctorMatrix(cluster, { node: 'node2' });
  assert.ok(n2.pairs.length > 0);
  assert.deepEqual(n2.groups, []);
});

test('doctor: Services and pods from the inventory; the per-flow trace is one swappable function; progress', async () => {
  const cluster = buildCluster(await loadSnapshots([ex(1), ex(2)]));
  const inventory = await readInventoryFiles([join(root, 'examples', 'cluster', 'incident.json')]);
  const calls: string[] = [];
  const traceOne: TraceOne = (c, f) => {
    calls.push(`${f.src}>${f.dst}:${f.dport}`);
    return traceOneFlow(c, f);
  };
  const progress: string[] = [];
  const r = doctorMatrix(cluster, {
    node: 'node1',
    inventory,
    traceOne,
    progress: (d, t) => progress.push(`${d}/${t}`),
  });
  assert.deepEqual(calls, ['10.224.1.34>10.233.53.172:8080', '10.224.1.56>10.233.53.172:8080']);
  assert.deepEqual(progress, ['1/2', '2/2']);
  assert.equal(r.groups[0]!.pairs.length, 1);
  assert.throws(
    () => doctorMatrix(cluster, { node: 'node9' }),
    /node node9: not among the snapshots \(node1, node2\)/,
  );
});
