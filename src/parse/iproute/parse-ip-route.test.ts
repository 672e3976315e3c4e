import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpRoute } from './parse-ip-route.js';
import { readFixture } from './read-fixture.js';

test('ip -j -d route show table all: tables, types, flannel onlink routes, host routes as /32', () => {
  const { value, diagnostics } = parseIpRoute(readFixture('ip-route.json'));
  assert.deepEqual(diagnostics, []);
  // `table all` dumps both families
  assert.equal(value.length, 28);
  assert.equal(value.filter((r) => r.family === 'inet6').length, 12);
  assert.deepEqual(value.find((r) => r.dst === 'fd00:10:244:2::1/128')?.table, 'local');
  assert.deepEqual(value[4], {
    table: 'main',
    type: 'unicast',
    dst: '10.244.1.0/24',
    family: 'inet',
    gateway: '10.244.1.0',
    dev: 'flannel.1',
    scope: 'global',
    protocol: 'boot',
    flags: ['onlink'],
    line: 5,
  });
  assert.deepEqual(
    value.find((r) => r.dst === '192.168.7.7/32'),
    {
      table: 'main',
      type: 'unicast',
      dst: '192.168.7.7/32',
      family: 'inet',
      dev: 'eth0',
      scope: 'link',
      protocol: 'boot',
      metric: 50,
      flags: ['linkdown'],
      line: 8,
    },
  );
  assert.equal(value[0]?.table, '101');
  assert.equal(value[1]?.dst, 'default');
  assert.equal(value[2]?.type, 'blackhole');
  assert.deepEqual(
    value.filter((r) => r.table === 'local' && r.family === 'inet').map((r) => `${r.type} ${r.dst}`),
    [
      'local 10.244.2.0/32',
      'local 10.244.2.1/32',
      'broadcast 10.244.2.255/32',
      'local 127.0.0.0/8',
      'local 127.0.0.1/32',
      'broadcast 127.255.255.255/32',
      'local 172.80.0.4/32',
      'broadcast 172.80.0.255/32',
    ],
  );
});

test('ip -j -6 route (no table, no type): main, unicast, inet6, /128 host routes', () => {
  const { value, diagnostics } = parseIpRoute(readFixture('ip6-route.json'));
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(value[1], {
    table: 'main',
    type: 'unicast',
    dst: 'fd00:99::/64',
    family: 'inet6',
    dev: 'cni0',
    metric: 256,
    flags: [],
    line: 2,
  });
  assert.ok(value.every((r) => r.family === 'inet6'));
  assert.deepEqual(value.find((r) => r.type === 'local' && r.dev === 'cni0')?.dst, 'fd00:10:244:2::1/128');
});

test('default routes take the family of their gateway or of the option; multipath keeps the first hop', () => {
  const text = JSON.stringify([
    { dst: 'default', gateway: 'fe80::1', dev: 'eth0', flags: [] },
    { dst: 'default', dev: 'wg0', flags: [] },
    {
      dst: '10.9.0.0/16',
      nexthops: [
        { gateway: '10.0.0.1', dev: 'a' },
        { gateway: '10.0.0.2', dev: 'b' },
      ],
      flags: [],
    },
    { dst: '10.8.0.0/16', via: { family: 'inet6', host: 'fe80::2' }, dev: 'eth0', flags: [] },
    { dev: 'x' },
  ]);
  const r = parseIpRoute(text, { family: 'inet6' });
  assert.deepEqual(
    r.value.map((x) => [x.family, x.gateway, x.dev]),
    [
      ['inet6', 'fe80::1', 'eth0'],
      ['inet6', undefined, 'wg0'],
      ['inet', '10.0.0.1', 'a'],
      ['inet', 'fe80::2', 'eth0'],
    ],
  );
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, /\[(\d+)\]/.exec(d.message)?.[1]]),
    [
      ['UNSUPPORTED', '3'],
      ['SYNTAX', '5'],
    ],
  );
});

test('two arrays back to back (ip -j route; ip -j -6 route) are read as one list', () => {
  const r = parseIpRoute('[{"dst":"10.0.0.0/8","dev":"a"}]\n[{"dst":"fd00::/8","dev":"b"}]\n');
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(
    r.value.map((x) => [x.dst, x.family, x.line]),
    [
      ['10.0.0.0/8', 'inet', 1],
      ['fd00::/8', 'inet6', 2],
    ],
  );
});

test('JSON syntax errors carry the line and column of the offending character', () => {
  const r = parseIpRoute('[{"dst":"10.0.0.0/8",\n  "dev": "a" "x"}]');
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.line, d.column]),
    [['SYNTAX', 2, 14]],
  );
  const eof = parseIpRoute('[{"dst":"10.0.0.0/8",\n');
  assert.deepEqual(
    eof.diagnostics.map((d) => [d.code, d.line, d.column]),
    [['UNEXPECTED_EOF', 2, 1]],
  );
});
