import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseKubectlJson } from './read-kubectl.js';
import { resolveSource, resolveTarget, NameError } from './resolve-name.js';
import { addInventoryNames } from './inventory-names.js';
import { incidentKubectlList } from './testing/incident-objects.js';

const text = JSON.stringify(incidentKubectlList(), null, 2);

test('kubectl List: nodes, pods, Services and EndpointSlices with endpoint nodes and pods', () => {
  const inv = parseKubectlJson(text, 'cluster.json');
  assert.deepEqual(inv.diagnostics, []);
  assert.deepEqual(
    inv.nodes.map((n) => [n.name, n.podCIDRs[0]]),
    [
      ['node1', '10.224.1.0/24'],
      ['node2', '10.224.2.0/24'],
    ],
  );
  assert.equal(inv.pods.length, 3);
  assert.deepEqual(inv.services[0]!.ports, [{ name: 'http', port: 8080, protocol: 'TCP', targetPort: 8080 }]);
  assert.deepEqual(inv.slices[0]!.endpoints, [
    { ip: '10.224.1.56', ready: true, node: 'node1', pod: 'spring-prod/frontend-a' },
    { ip: '10.224.2.23', ready: true, node: 'node2', pod: 'spring-prod/frontend-b' },
  ]);
});

test('kubectl output of several commands concatenated, and typed lists (PodList)', () => {
  const o = incidentKubectlList() as { items: { kind: string }[] };
  const pods = {
    kind: 'PodList',
    apiVersion: 'v1',
    items: o.items.filter((i) => i.kind === 'Pod').map((i) => ({ ...i, kind: undefined })),
  };
  const svcs = { kind: 'List', items: o.items.filter((i) => i.kind === 'Service') };
  const inv = parseKubectlJson(`${JSON.stringify(pods)}\n${JSON.stringify(svcs)}\n`);
  assert.equal(inv.pods.length, 3);
  assert.equal(inv.services.length, 1);
});

test('bad JSON is a positioned diagnostic, not an exception', () => {
  const inv = parseKubectlJson('{"items": [\n  {"kind": "Pod",, }]}', 'c.json');
  assert.equal(inv.diagnostics[0]!.code, 'SYNTAX');
  assert.equal(inv.diagnostics[0]!.line, 2);
  assert.equal(inv.diagnostics[0]!.source, 'c.json');
  assert.equal(parseKubectlJson('').diagnostics[0]!.code, 'EMPTY');
  assert.equal(
    parseKubectlJson('{"kind":"ConfigMap","metadata":{"name":"x"}}').diagnostics[0]!.code,
    'WRONG_FORMAT',
  );
  assert.equal(parseKubectlJson('{"items":[{"kind":"Pod"}]}').diagnostics[0]!.code, 'BAD_VALUE');
});

test('fuzz: the inventory reader never throws (random text, mutated real lists)', () => {
  fc.assert(
    fc.property(fc.string(), (s) => {
      parseKubectlJson(s);
    }),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.nat(text.length - 1), fc.string({ maxLength: 4 }), (at, ins) => {
      parseKubectlJson(text.slice(0, at) + ins + text.slice(at + 1));
    }),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.anything(), (v) => {
      parseKubectlJson(
        JSON.stringify({ kind: 'List', items: [v, { kind: 'Service', metadata: { name: 'a' }, spec: v }] }) ??
          '',
      );
    }),
    { numRuns: 300 },
  );
});

test('names in --from/--to: ns/pod, svc:ns/name:port (number or name), ns/name:port, pod:ns/name:port', () => {
  const inv = parseKubectlJson(text);
  assert.deepEqual(resolveSource('spring-prod/client', inv), {
    ip: '10.224.1.34',
    node: 'node1',
    label: 'spring-prod/client',
  });
  assert.equal(resolveSource('10.224.1.34', inv).label, 'spring-prod/client');
  assert.deepEqual(resolveSource('10.1.2.3', undefined), { ip: '10.1.2.3' });
  const svc = {
    ip: '10.233.53.172',
    port: 8080,
    proto: 'tcp',
    label: 'spring-prod/panorama-v2-frontend-service:http',
  };
  assert.deepEqual(resolveTarget('svc:spring-prod/panorama-v2-frontend-service:http', inv), svc);
  assert.deepEqual(resolveTarget('spring-prod/panorama-v2-frontend-service:8080', inv), svc);
  assert.deepEqual(resolveTarget('pod:spring-prod/frontend-b:8080', inv), {
    ip: '10.224.2.23',
    port: 8080,
    label: 'spring-prod/frontend-b',
  });
  assert.deepEqual(resolveTarget('spring-prod/frontend-b:8080', inv), {
    ip: '10.224.2.23',
    port: 8080,
    label: 'spring-prod/frontend-b',
  });
  assert.deepEqual(resolveTarget('10.233.53.172:8080', undefined), { ip: '10.233.53.172', port: 8080 });
  assert.throws(
    () => resolveTarget('svc:spring-prod/panorama-v2-frontend-service:grpc', inv),
    /has no port grpc \(ports: http=8080\)/,
  );
  assert.throws(() => resolveTarget('svc:spring-prod/nope:80', inv), /no Service spring-prod\/nope/);
  assert.throws(() => resolveSource('spring-prod/clinet', undefined), /names need an inventory/);
  assert.throws(
    () => resolveSource('prod/client', inv),
    (e: unknown) => e instanceof NameError && /did you mean spring-prod\/client/.test((e as Error).message),
  );
  assert.throws(() => resolveTarget('10.0.0.1:99999', inv), /expected IP:PORT/);
});

test('inventory names: pods, nodes, Service ports', () => {
  const names = addInventoryNames({ ip: new Map(), service: new Map() }, parseKubectlJson(text));
  assert.equal(names.ip.get('10.224.2.23'), 'spring-prod/frontend-b');
  assert.equal(names.ip.get('192.168.50.12'), 'node node2');
  assert.equal(names.service.get('10.233.53.172:8080'), 'spring-prod/panorama-v2-frontend-service:http');
});
