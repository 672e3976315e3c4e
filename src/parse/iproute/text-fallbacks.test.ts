import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpAddr } from './parse-ip-addr.js';
import { parseIpAddrText } from './parse-ip-addr-text.js';
import { parseIpRoute } from './parse-ip-route.js';
import { parseIpRouteText } from './parse-ip-route-text.js';
import { parseIpNeigh } from './parse-ip-neigh.js';
import { parseIpNeighText } from './parse-ip-neigh-text.js';
import { parseBridgeFdb } from './parse-bridge-fdb.js';
import { parseBridgeFdbText } from './parse-bridge-fdb-text.js';
import { looksLikeJson, parseIpRouteAuto } from './parse-auto.js';
import { readFixture } from './read-fixture.js';

const noLine = <T extends { line?: number }>(xs: T[]) => xs.map(({ line: _line, ...rest }) => rest);

// the .txt fixtures are the same namespace state as the .json ones, captured in the same run
test('ip addr text == ip -j addr on the same state', () => {
  const t = parseIpAddrText(readFixture('ip-addr.txt'));
  assert.deepEqual(t.diagnostics, []);
  assert.deepEqual(noLine(t.value), noLine(parseIpAddr(readFixture('ip-addr.json')).value));
  assert.deepEqual(
    t.value.slice(0, 3).map((a) => a.line),
    [3, 5, 9],
  );
});

test('ip route text == ip -j route on the same state (fields text prints)', () => {
  const t = parseIpRouteText(readFixture('ip-route.txt'));
  assert.deepEqual(t.diagnostics, []);
  const pick = (r: {
    table: string;
    type: string;
    dst: string;
    family: string;
    gateway?: string;
    dev?: string;
    prefsrc?: string;
    metric?: number;
    flags: string[];
  }) => [r.table, r.type, r.dst, r.family, r.gateway, r.dev, r.prefsrc, r.metric, r.flags.join(',')];
  assert.deepEqual(t.value.map(pick), parseIpRoute(readFixture('ip-route.json')).value.map(pick));
  assert.deepEqual(
    t.value.map((r) => r.line),
    t.value.map((_, i) => i + 1),
  );
});

test('ip neigh text == ip -j neigh', () => {
  const t = parseIpNeighText(readFixture('ip-neigh.txt'));
  assert.deepEqual(t.diagnostics, []);
  assert.deepEqual(t.value, parseIpNeigh(readFixture('ip-neigh.json')).value);
});

test('bridge fdb text == bridge -j fdb', () => {
  const t = parseBridgeFdbText(readFixture('bridge-fdb.txt'));
  assert.deepEqual(t.diagnostics, []);
  assert.deepEqual(t.value, parseBridgeFdb(readFixture('bridge-fdb.json')).value);
});

test('route text: multipath, via inet6, mtu lock, unknown keywords, bad destinations', () => {
  const text = [
    'default proto static metric 10',
    '\tnexthop via 10.0.0.1 dev a weight 1',
    '\tnexthop via 10.0.0.2 dev b weight 1',
    '10.8.0.0/16 via inet6 fe80::2 dev eth0 mtu lock 1400',
    '10.7.0.0/16 dev eth0 frobnicate',
    'Error: any valid prefix is expected',
    'unreachable 10.6.0.0/16 metric x',
    '10.5.0.0/16 dev',
  ].join('\n');
  const r = parseIpRouteText(text);
  assert.deepEqual(
    r.value.map((x) => [x.type, x.dst, x.gateway, x.dev, x.line]),
    [
      ['unicast', 'default', '10.0.0.1', 'a', 1],
      ['unicast', '10.8.0.0/16', 'fe80::2', 'eth0', 4],
      ['unicast', '10.7.0.0/16', undefined, 'eth0', 5],
      ['unreachable', '10.6.0.0/16', undefined, undefined, 7],
      ['unicast', '10.5.0.0/16', undefined, undefined, 8],
    ],
  );
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.line, d.column]),
    [
      ['UNSUPPORTED', 3, 2],
      ['UNSUPPORTED', 5, 22],
      ['SYNTAX', 6, 1],
      ['BAD_VALUE', 7, 32],
      ['SYNTAX', 8, 13],
    ],
  );
});

test('addr, neigh, fdb text: bad lines are positioned', () => {
  const a = parseIpAddrText(
    '    inet 10.0.0.1/24 scope global x\n2: x: <UP> mtu 1\n    inet 10.0.0.300/24\nhello\n',
  );
  assert.deepEqual(
    a.diagnostics.map((d) => [d.code, d.line, d.column]),
    [
      ['SYNTAX', 1, 5],
      ['BAD_VALUE', 3, 10],
      ['SYNTAX', 4, 1],
    ],
  );
  const n = parseIpNeighText(
    '10.0.0.1 dev eth0 lladdr\nzz dev eth0\n10.0.0.2 lladdr aa:bb:cc:dd:ee:ff STALE',
  );
  assert.deepEqual(
    n.diagnostics.map((d) => [d.code, d.line, d.column]),
    [
      ['SYNTAX', 1, 19],
      ['SYNTAX', 2, 1],
      ['SYNTAX', 3, 1],
    ],
  );
  assert.deepEqual(
    parseIpNeighText('10.0.0.2 lladdr aa:bb:cc:dd:ee:ff STALE', { dev: 'eth0' }).diagnostics,
    [],
  );
  const f = parseBridgeFdbText(
    'aa:bb:cc:dd:ee:ff dev x vlan q\nnot-a-mac dev x\naa:bb:cc:dd:ee:f0 dev x wobble',
  );
  assert.deepEqual(
    f.diagnostics.map((d) => [d.code, d.line, d.column]),
    [
      ['BAD_VALUE', 1, 30],
      ['SYNTAX', 2, 1],
      ['UNSUPPORTED', 3, 25],
    ],
  );
});

test('auto: JSON or text by the first character', () => {
  assert.equal(looksLikeJson('  [ ]'), true);
  assert.equal(looksLikeJson('default via 1.2.3.4'), false);
  assert.deepEqual(parseIpRouteAuto('default via 10.0.0.1 dev eth0').value[0]?.gateway, '10.0.0.1');
  assert.deepEqual(
    parseIpRouteAuto('[{"dst":"default","gateway":"10.0.0.1"}]').value[0]?.gateway,
    '10.0.0.1',
  );
});
