/**
 * 10,000 Services in a real kernel: the incident lab with 10k extra ClusterIP Services
 * (kube-proxy's rules for all of them loaded with iptables-legacy-restore into every lab
 * node), a handful of them probed with real connect()s and traced by podpath on the
 * collected snapshots; kernel and simulator must agree. Root only; skipped visibly otherwise.
 * About 25 s on an idle 2-core machine (lab up ~10 s, collect ~7 s, probes ~5 s, model ~4 s);
 * the time is printed as a diagnostic, not asserted (the machine is shared).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenario } from '../scenario/load-scenario.js';
import type { FlowSpec, Scenario, ServiceSpec } from '../scenario/types.js';
import { labAvailability } from '../build/host.js';
import { randomTestPrefix } from '../build/names.js';
import { verifyScenario } from './verify-scenario.js';

const why = labAvailability();
const SCALE_SERVICES = 10_000;

/** ClusterIP of bulk service i: 10.233.128.0 upwards (the incident's own VIP is 10.233.53.172). */
const bulkIp = (i: number) => `10.233.${128 + (i >> 8)}.${i & 255}`;

function scaleScenario(): Scenario {
  const sc = loadScenario('incident');
  const pods = ['spring-prod/frontend-a', 'spring-prod/frontend-b'];
  const bulk: ServiceSpec[] = Array.from({ length: SCALE_SERVICES }, (_, i) => ({
    namespace: 'bulk',
    name: `svc-${i}`,
    clusterIP: bulkIp(i),
    // every 7th service points at a port nobody listens on: the pod answers RST
    ports: [{ name: 'http', port: 80, targetPort: i % 7 === 3 ? 9999 : 8080, protocol: 'tcp' }],
    // one endpoint on node1, one on node2, or both
    endpoints: i % 3 === 0 ? pods : [pods[i % 3 === 1 ? 0 : 1]!],
    sessionAffinity: 'None',
  }));
  const flow = (i: number): FlowSpec => ({
    name: `client-to-bulk-${i}`,
    from: 'spring-prod/client',
    to: { kind: 'service', ref: `bulk/svc-${i}`, port: 'http' },
    toText: `svc:bulk/svc-${i}:http`,
    proto: 'tcp',
    replyBytes: 0,
    differential: true,
  });
  return {
    ...sc,
    name: 'scale-10k',
    description: `incident + ${SCALE_SERVICES} bulk Services`,
    services: [...sc.services, ...bulk],
    // first, middle, last; node1-only (times out), node2-only (connects), both (mixed), refused
    flows: [sc.flows[0]!, ...[0, 1, 2, 3, 17, 5000, 9999].map(flow)],
  };
}

test('10k Services loaded into real lab nodes: kernel and podpath agree on the probed ones', async (t) => {
  if (why) return t.skip(`needs root: lab tests skipped (${why})`);
  const t0 = Date.now();
  const r = await verifyScenario(scaleScenario(), { prefix: randomTestPrefix() });
  const seconds = (Date.now() - t0) / 1000;
  t.diagnostic(`scale lab: ${r.rows.length} flows in ${seconds.toFixed(1)} s`);
  const bad = r.rows.filter((row) => row.verdict !== 'agree');
  assert.deepEqual(
    bad.map((b) => `${b.flow}: kernel ${b.kernel} / podpath ${b.podpath}${b.detail ? ` (${b.detail})` : ''}`),
    [],
  );
  assert.equal(r.rows.length, 8);
  const kernel = Object.fromEntries(r.rows.map((row) => [row.flow, row.kernel]));
  // the kernel really ran the big rule set: each kind of outcome shows up
  assert.match(kernel['client-to-bulk-1']!, /^timeout/);
  assert.match(kernel['client-to-bulk-2']!, /^connected/);
  assert.match(kernel['client-to-bulk-0']!, /^mixed/);
  assert.match(kernel['client-to-bulk-3']!, /^mixed \(frontend-a timeout, frontend-b refused\)/);
  assert.match(kernel['client-to-bulk-17']!, /^refused/);
});
