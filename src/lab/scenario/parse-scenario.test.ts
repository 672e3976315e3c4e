import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenario } from './parse-scenario.js';
import { listScenarioNames, scenariosDir } from './load-scenario.js';

const BASE = `name: t
nodes:
  - { name: node1, podCIDR: 10.224.1.0/24, underlayIP: 192.168.50.11 }
  - { name: node2, podCIDR: 10.224.2.0/24, underlayIP: 192.168.50.12 }
pods:
  - { name: client, namespace: ns, node: node1, ip: 10.224.1.34 }
  - { name: web, namespace: ns, node: node2, ip: 10.224.2.5, listeners: [tcp:8080, { proto: udp, port: 53 }] }
services:
  - name: ns/web
    clusterIP: 10.233.0.5
    ports: [{ name: http, port: 80, targetPort: 8080 }]
    endpoints: [ns/web]
flows:
  - { name: f1, from: ns/client, to: 'svc:ns/web:http', expect: { web: connected } }
`;

function codesAt(text: string): { code: string; line: number; column: number; path: string }[] {
  return parseScenario(text).diagnostics.map((d) => ({
    code: d.code,
    line: d.line,
    column: d.column,
    path: d.path,
  }));
}

test('every bundled scenario parses without diagnostics, 12+ scenarios and 80+ flows', () => {
  const names = listScenarioNames();
  assert.ok(names.length >= 12, `only ${names.length} scenarios`);
  let flows = 0;
  for (const n of names) {
    const file = join(scenariosDir(), `${n}.yaml`);
    const r = parseScenario(readFileSync(file, 'utf8'), file);
    assert.deepEqual(r.diagnostics, [], n);
    assert.equal(r.value?.name, n, 'scenario name equals its file name');
    for (const f of r.value!.flows) assert.ok(f.expect !== undefined, `${n}/${f.name} has no expect`);
    flows += r.value!.flows.length;
  }
  assert.ok(flows >= 80, `only ${flows} flows`);
});

test('defaults and shorthands are normalised', () => {
  const r = parseScenario(BASE);
  assert.deepEqual(r.diagnostics, []);
  const sc = r.value!;
  assert.equal(sc.iptablesBackend, 'legacy');
  assert.equal(sc.cluster.clusterCIDR, '10.224.0.0/16');
  assert.equal(sc.cluster.fabricMtu, 1500);
  assert.deepEqual(sc.pods[1]!.listeners, [
    { proto: 'tcp', port: 8080 },
    { proto: 'udp', port: 53 },
  ]);
  assert.deepEqual(sc.services[0]!.ports[0], { name: 'http', port: 80, targetPort: 8080, protocol: 'tcp' });
  assert.equal(sc.services[0]!.namespace, 'ns');
  assert.deepEqual(sc.flows[0]!.to, { kind: 'service', ref: 'ns/web', port: 'http' });
  assert.equal(sc.flows[0]!.proto, 'tcp');
  assert.equal(sc.flows[0]!.differential, true);
});

test('cluster faults apply to every node, node faults win', () => {
  const text = BASE.replace(
    'name: t\n',
    'name: t\ncluster:\n  faults: { hairpin: "off", ipForward: 0 }\n',
  ).replace('underlayIP: 192.168.50.12 }', 'underlayIP: 192.168.50.12, faults: { ipForward: 1 } }');
  const sc = parseScenario(text).value!;
  assert.deepEqual(sc.nodes[0]!.faults, { hairpin: 'off', ipForward: 0 });
  assert.deepEqual(sc.nodes[1]!.faults, { hairpin: 'off', ipForward: 1 });
});

test('YAML syntax errors carry line and column', () => {
  const d = codesAt('name: t\nnodes: [\n  - a: b\n');
  assert.deepEqual([d[0]!.code, d[0]!.line, d[0]!.column], ['SYNTAX', 3, 3]);
});

test('duplicate YAML keys are DUPLICATE at the second key', () => {
  const d = codesAt('name: t\nname: u\nnodes: []\npods: []\n');
  assert.deepEqual(
    d.map((x) => [x.code, x.line]),
    [['DUPLICATE', 2]],
  );
});

test('an unknown field is UNSUPPORTED at the key', () => {
  const d = codesAt(BASE.replace('ip: 10.224.1.34 }', 'ip: 10.224.1.34, colour: red }'));
  assert.deepEqual(d, [{ code: 'UNSUPPORTED', line: 6, column: 66, path: '/pods/0' }]);
});

test('a missing required field is BAD_VALUE at its parent', () => {
  const d = codesAt(BASE.replace('node: node2, ', ''));
  assert.deepEqual(
    d.map((x) => [x.code, x.line, x.path]),
    [['BAD_VALUE', 7, '/pods/1']],
  );
});

test('a bad enum value is BAD_VALUE at the value', () => {
  const d = codesAt(BASE.replace('expect: { web: connected }', 'expect: { web: maybe }'));
  assert.equal(d.length, 1);
  assert.equal(d[0]!.code, 'BAD_VALUE');
  assert.equal(d[0]!.line, 14);
});

test('a pod IP outside its node podCIDR is BAD_VALUE at the IP', () => {
  const d = codesAt(BASE.replace('ip: 10.224.1.34', 'ip: 10.224.2.34'));
  assert.deepEqual(d, [{ code: 'BAD_VALUE', line: 6, column: 53, path: '/pods/0/ip' }]);
});

test('the gateway address is not a pod address', () => {
  const d = codesAt(BASE.replace('ip: 10.224.1.34', 'ip: 10.224.1.1'));
  assert.deepEqual(
    d.map((x) => [x.code, x.path]),
    [['BAD_VALUE', '/pods/0/ip']],
  );
});

test('a ClusterIP outside serviceCIDR, unknown endpoints, unknown nodes', () => {
  const d = codesAt(
    BASE.replace('clusterIP: 10.233.0.5', 'clusterIP: 10.99.0.5').replace(
      'endpoints: [ns/web]',
      'endpoints: [ns/gone]',
    ),
  );
  assert.deepEqual(
    d.map((x) => [x.code, x.line, x.path]),
    [
      ['BAD_VALUE', 10, '/services/0/clusterIP'],
      ['BAD_VALUE', 12, '/services/0/endpoints/0'],
      ['BAD_VALUE', 14, '/flows/0/expect'],
    ],
  );
  const n = codesAt(BASE.replace('node: node2,', 'node: node9,'));
  assert.deepEqual(
    n.map((x) => [x.code, x.path]),
    [['BAD_VALUE', '/pods/1/node']],
  );
});

test('duplicate pods and pod IPs', () => {
  const d = codesAt(
    BASE.replace(
      'name: web, namespace: ns, node: node2, ip: 10.224.2.5',
      'name: client, namespace: ns, node: node1, ip: 10.224.1.34',
    ),
  );
  assert.ok(d.some((x) => x.code === 'DUPLICATE' && x.path === '/pods/1/name' && x.line === 7));
  assert.ok(d.some((x) => x.code === 'DUPLICATE' && x.path === '/pods/1/ip'));
});

test('flow targets: bad syntax, unknown Service port, protocol mismatch', () => {
  assert.deepEqual(
    codesAt(BASE.replace("to: 'svc:ns/web:http'", "to: 'web'")).map((x) => [x.code, x.line, x.path]),
    [['BAD_VALUE', 14, '/flows/0/to']],
  );
  assert.deepEqual(
    codesAt(BASE.replace("to: 'svc:ns/web:http'", "to: 'svc:ns/web:grpc'")).map((x) => x.path),
    ['/flows/0/to'],
  );
  assert.deepEqual(
    codesAt(BASE.replace("to: 'svc:ns/web:http',", "to: 'svc:ns/web:http', proto: udp,")).map((x) => x.path),
    ['/flows/0/proto'],
  );
  assert.deepEqual(
    codesAt(BASE.replace('from: ns/client', 'from: node:node7')).map((x) => x.path),
    ['/flows/0/from'],
  );
});

test('empty input is EMPTY, never a throw', () => {
  assert.deepEqual(
    codesAt('').map((x) => x.code),
    ['EMPTY'],
  );
  assert.deepEqual(
    codesAt('# nothing\n').map((x) => x.code),
    ['EMPTY'],
  );
  assert.equal(parseScenario('[1, 2').value, undefined);
});
