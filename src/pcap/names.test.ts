import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadSnapshot } from '../snapshot/load.js';
import { repoRoot } from './testing/fixtures.js';
import { addressesOf, mergeNames, namesFromKubectl, namesFromSnapshot } from './names.js';

test('names from a node snapshot: pod namespaces by pod name, node interfaces by node', async () => {
  const { snapshot } = await loadSnapshot(
    join(repoRoot(import.meta.url), 'examples', 'incident', 'node1.json'),
  );
  const names = namesFromSnapshot(snapshot);
  // every pod namespace's addresses carry its pod's name (whatever the example calls its pods)
  let pods = 0;
  for (const ns of snapshot.netns ?? []) {
    for (const a of addressesOf(ns.sources['ip-addr'])) {
      if (a.ifname === 'lo' || a.ip.startsWith('fe80')) continue;
      assert.equal(names.get(a.ip), `${ns.pod!.namespace}/${ns.pod!.name}`);
      pods++;
    }
  }
  assert.ok(pods >= 2);
  assert.match(names.get('10.224.1.34') ?? '', /^spring-prod\//);
  const eth0 = addressesOf(snapshot.sources['ip-addr']).find(
    (a) => a.ifname === 'eth0' && !a.ip.includes(':'),
  )!;
  assert.equal(names.get(eth0.ip), 'node1/eth0');
  assert.equal(names.get('10.224.1.1'), 'node1/cni0');
  assert.equal(names.has('127.0.0.1'), false);
});

test('names from kubectl JSON: pods, Services (not headless), nodes; host-network pods skipped', () => {
  const names = namesFromKubectl({
    kind: 'List',
    items: [
      {
        kind: 'Pod',
        metadata: { namespace: 'spring-prod', name: 'podA' },
        status: { podIP: '10.224.1.34', podIPs: [{ ip: '10.224.1.34' }, { ip: 'fd00::34' }] },
      },
      {
        kind: 'Pod',
        metadata: { namespace: 'kube-system', name: 'kube-proxy-x' },
        spec: { hostNetwork: true },
        status: { podIP: '192.168.0.11' },
      },
      {
        kind: 'Service',
        metadata: { namespace: 'spring-prod', name: 'panorama-v2-frontend-service' },
        spec: { clusterIP: '10.233.53.172' },
      },
      { kind: 'Service', metadata: { namespace: 'x', name: 'headless' }, spec: { clusterIP: 'None' } },
      {
        kind: 'Node',
        metadata: { name: 'node1' },
        status: {
          addresses: [
            { type: 'InternalIP', address: '192.168.0.11' },
            { type: 'Hostname', address: 'node1' },
          ],
        },
      },
    ],
  });
  assert.deepEqual(Object.fromEntries(names), {
    '10.224.1.34': 'spring-prod/podA',
    'fd00::34': 'spring-prod/podA',
    '10.233.53.172': 'svc spring-prod/panorama-v2-frontend-service',
    '192.168.0.11': 'node node1',
  });
  assert.equal(mergeNames(new Map([['a', '1']]), new Map([['a', '2']])).get('a'), '2');
});

test('addresses from `ip addr` text output', () => {
  const out = `1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN
    inet 127.0.0.1/8 scope host lo
3: eth0@if12: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UP
    inet 10.224.1.34/24 brd 10.224.1.255 scope global eth0
    inet6 fe80::1/64 scope link
`;
  assert.deepEqual(addressesOf({ command: 'ip addr', exitCode: 0, stdout: out }), [
    { ifname: 'lo', ip: '127.0.0.1' },
    { ifname: 'eth0', ip: '10.224.1.34' },
    { ifname: 'eth0', ip: 'fe80::1' },
  ]);
});
