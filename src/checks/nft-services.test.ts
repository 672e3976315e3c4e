import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNftJson } from '../parse/nft/index.js';
import { readNftFixture } from '../parse/nft/read-fixture.js';
import { makeNode } from './fixtures.js';
import { nftKubeServices } from './nft-services.js';
import { kubeServices } from './services.js';

function k3sNode() {
  const node = makeNode({});
  node.host.nft = parseNftJson(readNftFixture('k3s-kube-proxy.json')).value;
  return node;
}

test('nftKubeServices: a real k3s table gives its Service ports with their DNAT targets', () => {
  const svcs = nftKubeServices(k3sNode());
  const dns = svcs.find((s) => s.vip === '10.43.0.10' && s.proto === 'udp' && s.port === 53);
  assert.ok(dns, 'kube-dns udp/53');
  assert.equal(dns.name, 'kube-system/kube-dns:dns');
  assert.ok(dns.endpoints.length > 0);
  for (const e of dns.endpoints) assert.match(e, /^\d+\.\d+\.\d+\.\d+:53$/);
  const unnamed = svcs.find((s) => s.vip === '10.43.195.72');
  assert.equal(unnamed?.name, 'riset/hellopod-np-svc');
  const none = svcs.filter((s) => s.noEndpoints);
  assert.deepEqual(
    none.map((s) => `${s.name} ${s.vip}:${s.port}`),
    [
      'riset/otelcol-opentelemetry-collector:otlp 10.43.21.102:4317',
      'riset/otelcol-opentelemetry-collector:otlp-http 10.43.21.102:4318',
    ],
  );
  for (const s of none) assert.deepEqual(s.endpoints, []);
});

test('kubeServices includes nftables-mode Services; other tables are ignored', () => {
  assert.ok(kubeServices(k3sNode()).some((s) => s.vip === '10.43.0.10'));
  const node = k3sNode();
  for (const t of node.host.nft!.tables) t.name = 'not-kube-proxy';
  assert.deepEqual(nftKubeServices(node), []);
});
