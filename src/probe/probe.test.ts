import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { parseKubectlJson } from '../cluster/read-kubectl.js';
import { incidentKubectlList } from '../cluster/testing/incident-objects.js';
import { planProbes } from './plan-probes.js';
import { explainService } from './explain.js';
import { runProbes, type ServiceProbe } from './run-probe.js';
import { resolveName } from './dns.js';
import { tcpConnect } from './connect.js';
import { startTinyDns } from './testing/tiny-dns.js';

const inv = parseKubectlJson(JSON.stringify(incidentKubectlList()));

test('plan: Service port -> DNS name, ClusterIP, endpoints with the slice port, same/cross node', () => {
  const { targets } = planProbes(inv, { node: 'node1' });
  assert.equal(targets.length, 1);
  const t = targets[0]!;
  assert.equal(t.dnsName, 'panorama-v2-frontend-service.spring-prod.svc.cluster.local');
  assert.deepEqual(
    t.endpoints.map((e) => `${e.ip}:${e.port} ${e.placement}`),
    ['10.224.1.56:8080 same-node', '10.224.2.23:8080 cross-node'],
  );
  assert.equal(planProbes(inv, { only: ['spring-prod/other'] }).targets.length, 0);
  assert.equal(
    planProbes(inv, { only: ['spring-prod/panorama-v2-frontend-service:http'] }).targets.length,
    1,
  );
});

function fake(vip: string[], eps: string[]): ServiceProbe {
  const t = planProbes(inv, { node: 'node1' }).targets[0]!;
  return {
    target: t,
    dns: { outcome: 'resolved', ms: 1, addresses: [t.clusterIP], matchesClusterIP: true },
    clusterIP: vip.map((outcome) => ({ outcome: outcome as 'connected', ms: 1 })),
    endpoints: t.endpoints.map((endpoint, i) => ({
      endpoint,
      result: { outcome: eps[i] as 'connected', ms: 1 },
    })),
    summary: '',
    verdict: 'ok',
  };
}

test('explain: the seed pattern, a cross-node fault, and a healthy Service', () => {
  const seed = explainService(
    fake(['connected', 'timeout', 'timeout', 'connected'], ['connected', 'connected']),
  );
  assert.equal(seed.verdict, 'degraded');
  assert.match(
    seed.summary,
    /^DNS fine, ClusterIP fails 2\/4 \(timeout\), pod IPs work, only same-node backends fail through the Service/,
  );
  const cross = explainService(fake(['connected', 'timeout'], ['connected', 'timeout']));
  assert.match(
    cross.summary,
    /pod IPs fail 1\/2 \(spring-prod\/frontend-b timeout\), only cross-node pod IPs fail/,
  );
  const ok = explainService(fake(['connected', 'connected'], ['connected', 'connected']));
  assert.deepEqual(ok, { summary: 'DNS fine, ClusterIP works, pod IPs work', verdict: 'ok' });
});

test('connect and DNS against loopback: connected, refused; resolved, nxdomain, timeout', async (t) => {
  const server: Server = createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const dns = await startTinyDns({ 'web.prod.svc.cluster.local': '10.233.0.20' }, [
    'slow.prod.svc.cluster.local',
  ]);
  t.after(() => {
    server.close();
    dns.close();
  });
  const port = (server.address() as AddressInfo).port;
  assert.equal((await tcpConnect('127.0.0.1', port, 1000)).outcome, 'connected');
  const closed = await tcpConnect('127.0.0.1', 1, 1000);
  assert.deepEqual([closed.outcome, closed.errno], ['refused', 'ECONNREFUSED']);
  // (a connect timeout is seen in the lab test: the same-node backend behind the ClusterIP)
  const ok = await resolveName('web.prod.svc.cluster.local', { server: dns.server, timeoutMs: 1000 });
  assert.deepEqual([ok.outcome, ok.addresses], ['resolved', ['10.233.0.20']]);
  assert.equal(
    (await resolveName('nope.prod.svc.cluster.local', { server: dns.server, timeoutMs: 1000 })).outcome,
    'nxdomain',
  );
  assert.equal(
    (await resolveName('slow.prod.svc.cluster.local', { server: dns.server, timeoutMs: 300 })).outcome,
    'timeout',
  );
});

test('runProbes: bounded concurrency, every job done', async (t) => {
  const dns = await startTinyDns({ 'svc.ns.svc.cluster.local': '10.233.0.9' });
  t.after(() => dns.close());
  let open = 0;
  let peak = 0;
  const seen: string[] = [];
  const connect = async (ip: string, port: number) => {
    open++;
    peak = Math.max(peak, open);
    seen.push(`${ip}:${port}`);
    await new Promise((r) => setTimeout(r, 20));
    open--;
    return { outcome: port === 1 ? ('refused' as const) : ('connected' as const), ms: 20 };
  };
  const target = {
    name: 'ns/svc:http',
    dnsName: 'svc.ns.svc.cluster.local',
    clusterIP: '10.233.0.9',
    port: 80,
    endpoints: [
      { ip: '10.224.1.5', port: 8080, ready: true, placement: 'same-node' as const },
      { ip: '10.224.2.5', port: 1, ready: true, placement: 'cross-node' as const },
    ],
  };
  const progress: number[] = [];
  const [r] = await runProbes([target], {
    timeoutMs: 1000,
    concurrency: 2,
    attempts: 6,
    dns: true,
    dnsServer: dns.server,
    connect,
    onProgress: (d) => progress.push(d),
  });
  assert.equal(r!.clusterIP.length, 6);
  assert.equal(seen.filter((s) => s === '10.233.0.9:80').length, 6);
  assert.deepEqual(
    r!.endpoints.map((e) => e.result.outcome),
    ['connected', 'refused'],
  );
  assert.equal(r!.dns?.matchesClusterIP, true);
  assert.equal(progress.length, 9);
  assert.equal(peak, 2, 'two connects at a time, never more');
  assert.match(r!.summary, /only cross-node pod IPs fail/);
});
