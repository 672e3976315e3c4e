/**
 * The nftables bench fixture at a small size must trace like the real thing, or the bench
 * measures a broken path: a Service reaches each of its N endpoints with probability 1/N,
 * in `trace` and in the fan-out, and the JSON podpath reads is what the kernel listed.
 * Loading into the kernel needs root; without it the tests say so and skip.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelNftJson, nftScaleSnapshots, scaleNftText, withoutKubeIptables } from './nft-scale-fixture.js';
import { clusterOf } from '../sim/testing.js';
import { SCALE_CLIENT, scaleEndpointIp } from '../sim/scale-fixture.js';
import { fixtureServiceIp } from '../parse/iptables-save/kube-proxy-fixture.js';
import { traceFlow } from '../diagnose/trace.js';
import { fanout } from '../diagnose/fanout.js';
import { kubeServices } from '../checks/services.js';

const SKIP = 'needs root: nft scratch-namespace tests skipped';
const root = process.getuid?.() === 0;
const SERVICES = 12;
const ENDPOINTS = 3;

function kernelCluster() {
  const json = [0, 1].map((n) => {
    const r = kernelNftJson(scaleNftText(SERVICES, ENDPOINTS, n));
    assert.ok(r.ok, r.ok ? '' : r.error);
    return r.json;
  });
  return clusterOf(nftScaleSnapshots(json));
}

test('withoutKubeIptables keeps flannel rules only', () => {
  const out = withoutKubeIptables(
    '*nat\n:KUBE-SERVICES - [0:0]\n-A POSTROUTING -j FLANNEL-POSTRTG\n-A OUTPUT -j KUBE-SERVICES\nCOMMIT\n',
  );
  assert.equal(out, '*nat\n-A POSTROUTING -j FLANNEL-POSTRTG\nCOMMIT\n');
});

test('nft bench fixture: every Service is read back with its endpoints', (t) => {
  if (!root) return t.skip(SKIP);
  const c = kernelCluster();
  const node1 = c.nodes.find((n) => n.name === 'node1')!;
  const svcs = kubeServices(node1);
  assert.equal(svcs.length, SERVICES);
  for (let s = 0; s < SERVICES; s++) {
    const sp = svcs.find((x) => x.vip === fixtureServiceIp(s));
    assert.ok(sp, `service ${s}`);
    assert.equal(sp.port, 80);
    assert.equal(sp.name, `default/svc-${String(s).padStart(6, '0')}:http`);
    assert.deepEqual(
      [...sp.endpoints].sort(),
      Array.from({ length: ENDPOINTS }, (_, k) => `${scaleEndpointIp(s * ENDPOINTS + k)}:8080`).sort(),
    );
  }
});

test('nft bench fixture: trace reaches each endpoint with probability 1/N', (t) => {
  if (!root) return t.skip(SKIP);
  const c = kernelCluster();
  const s = 7;
  const tr = traceFlow(c, { proto: 'tcp', src: SCALE_CLIENT, dst: fixtureServiceIp(s), dport: 80 });
  const want = Array.from(
    { length: ENDPOINTS },
    (_, k) => `${scaleEndpointIp(s * ENDPOINTS + k)}:8080`,
  ).sort();
  assert.deepEqual(tr.paths.map((p) => p.endpoint).sort(), want);
  for (const p of tr.paths)
    assert.ok(Math.abs(p.probability - 1 / ENDPOINTS) < 1e-9, `${p.endpoint} ${p.probability}`);
  // endpoints on node2 connect (node1 bridges replies without netfilter in the incident example)
  for (const p of tr.paths) if (p.endpoint!.startsWith('10.224.2.')) assert.equal(p.outcome, 'connected');
});

test('nft bench fixture: fan-out walks every endpoint of every Service', (t) => {
  if (!root) return t.skip(SKIP);
  const c = kernelCluster();
  const f = fanout(c, SCALE_CLIENT);
  assert.equal(f.services.length, SERVICES);
  assert.equal(f.walked, SERVICES * ENDPOINTS);
  for (const s of f.services) {
    assert.equal(s.paths.length, ENDPOINTS, s.vip);
    assert.deepEqual(s.paths.map((p) => p.endpoint).sort(), [...s.programmed].sort());
    for (const p of s.paths) assert.ok(Math.abs(p.probability - 1 / ENDPOINTS) < 1e-9);
  }
});
