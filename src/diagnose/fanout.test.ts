/**
 * Fan-out from one pod to every endpoint of every Service agrees with `trace` path by path,
 * on the incident example and on a generated 300-Service cluster; trace states session affinity.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fanout } from './fanout.js';
import { traceFlow } from './trace.js';
import { clusterOf, exampleSnapshots, setSysctl } from '../sim/testing.js';
import { replaceNatTable, scaleCluster, scaleEndpointIp, SCALE_CLIENT } from '../sim/scale-fixture.js';
import { kubeProxyServicesRuleset } from '../parse/iptables-save/kube-proxy-services-fixture.js';
import { fixtureServiceIp } from '../parse/iptables-save/kube-proxy-fixture.js';

test('incident example: one service, the same two paths as trace', () => {
  const cluster = clusterOf(exampleSnapshots());
  const r = fanout(cluster, '10.224.1.34');
  assert.deepEqual(r.client, { ip: '10.224.1.34', node: 'node1', ns: r.client.ns });
  assert.equal(r.services.length, 1);
  const s = r.services[0]!;
  assert.equal(s.name, 'spring-prod/panorama-v2-frontend-service:http');
  assert.equal(s.outcome, 'mixed');
  const t = traceFlow(cluster, { proto: 'tcp', src: '10.224.1.34', dst: s.vip, dport: s.port });
  const key = (p: { endpoint: string; outcome: string; causeId?: string; probability: number }) =>
    `${p.endpoint} ${p.outcome} ${p.causeId} ${p.probability}`;
  assert.deepEqual(s.paths.map(key).sort(), t.paths.map(key).sort());
  assert.equal(r.walked, 2);
  assert.deepEqual(r.byOutcome, { mixed: 1 });
  assert.equal(s.paths[0]!.request, undefined, 'no hops unless asked');
  assert.ok(fanout(cluster, '10.224.1.34', { hops: true }).services[0]!.paths[0]!.request!.length > 3);
});

test('300 services x 5 endpoints: 1500 paths, node1 endpoints time out (bridge-nf-call-iptables = 0), node2 ones connect', () => {
  const r = fanout(scaleCluster(300, 5), SCALE_CLIENT);
  assert.equal(r.services.length, 300);
  assert.equal(r.walked, 1500);
  for (const [si, s] of r.services.entries()) {
    assert.equal(s.vip, fixtureServiceIp(si));
    assert.equal(s.paths.length, 5, s.name);
    const eps = Array.from({ length: 5 }, (_, e) => `${scaleEndpointIp(si * 5 + e)}:8080`);
    assert.deepEqual(s.paths.map((p) => p.endpoint).sort(), [...eps].sort());
    for (const p of s.paths) {
      assert.equal(p.probability, 0.2);
      const onNode1 = p.endpoint.startsWith('10.224.1.');
      // the client itself as endpoint: hairpin, masqueraded, so the reply comes back through conntrack
      const self = p.endpoint === `${SCALE_CLIENT}:8080`;
      assert.equal(
        p.outcome,
        onNode1 && !self ? 'timeout' : 'connected',
        `${s.name} ${p.endpoint} ${p.cause}`,
      );
      if (onNode1 && !self) assert.equal(p.causeId, 'reply-bypassed-conntrack');
      assert.equal(p.endpointNode, onNode1 ? 'node1' : 'node2');
    }
  }
  assert.deepEqual(r.byOutcome, { mixed: 300 });
});

test('fan-out filter and a healthy node: every path connects', () => {
  const s = exampleSnapshots();
  setSysctl(s[0]!, 'net.bridge.bridge-nf-call-iptables', '1');
  const r = fanout(clusterOf(s), '10.224.1.34', { filter: (x) => x.port === 8080 });
  assert.deepEqual(r.byOutcome, { connected: 1 });
  assert.equal(fanout(clusterOf(s), '10.224.1.34', { filter: () => false }).services.length, 0);
});

test('an unknown client is a TraceError', () => {
  assert.throws(() => fanout(clusterOf(exampleSnapshots()), '172.31.9.9'), { name: 'TraceError' });
});

test('trace to a Service whose endpoint pods are not in the snapshot: endpoints are synthesised, as in fan-out', () => {
  const cluster = scaleCluster(20, 5);
  const t = traceFlow(cluster, { proto: 'tcp', src: SCALE_CLIENT, dst: fixtureServiceIp(7), dport: 80 });
  const f = fanout(cluster, SCALE_CLIENT, { filter: (s) => s.vip === fixtureServiceIp(7) });
  const key = (p: { endpoint: string; outcome: string; causeId?: string; probability: number }) =>
    `${p.endpoint} ${p.outcome} ${p.causeId} ${p.probability}`;
  assert.equal(t.paths.length, 5);
  assert.ok(!t.paths.some((p) => p.outcome === 'unreachable'), t.paths.map(key).join('\n'));
  assert.deepEqual(t.paths.map(key).sort(), f.services[0]!.paths.map(key).sort());
});

test('session affinity in a trace: a new client gets both endpoints and is told it will be pinned; a pinned one goes to its endpoint', () => {
  const s = exampleSnapshots();
  const text = kubeProxyServicesRuleset(
    [
      {
        name: 'spring-prod/panorama-v2-frontend-service:http',
        proto: 'tcp',
        clusterIP: '10.233.53.172',
        port: 8080,
        endpoints: [
          { ip: '10.224.1.56', port: 8080, local: true },
          { ip: '10.224.2.23', port: 8080, local: false },
        ],
        affinitySeconds: 10800,
      },
    ],
    { clusterCidr: '10.224.0.0/16' },
  );
  const nat = text.slice(text.indexOf('*nat\n'), text.indexOf('COMMIT\n') + 7);
  for (const n of s) {
    const src = n.sources['iptables-legacy-save']!;
    src.stdout = replaceNatTable(src.stdout, nat);
  }
  const cluster = clusterOf(s);
  const flow = { proto: 'tcp' as const, src: '10.224.1.34', dst: '10.233.53.172', dport: 8080 };
  const fresh = traceFlow(cluster, flow);
  assert.deepEqual(fresh.paths.map((p) => [p.endpoint, p.probability]).sort(), [
    ['10.224.1.56:8080', 0.5],
    ['10.224.2.23:8080', 0.5],
  ]);
  assert.ok(
    fresh.assumptions.some((a) =>
      /returning client stays pinned to the endpoint its first connection got: .*10\.224\.1\.56:8080 \(p 0\.5\).*10\.224\.2\.23:8080 \(p 0\.5\)|returning client stays pinned to the endpoint its first connection got: .*10\.224\.2\.23:8080 \(p 0\.5\).*10\.224\.1\.56:8080 \(p 0\.5\)/.test(
        a,
      ),
    ),
    fresh.assumptions.join('\n'),
  );
  const pinned = traceFlow(cluster, flow, { pinned: '10.224.2.23:8080' });
  assert.deepEqual(
    pinned.paths.map((p) => [p.endpoint, p.probability, p.outcome]),
    [['10.224.2.23:8080', 1, 'connected']],
  );
  assert.ok(pinned.assumptions.some((a) => /pinned to 10\.224\.2\.23:8080 stays on it/.test(a)));
});
