import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpNeigh } from './parse-ip-neigh.js';
import { readFixture } from './read-fixture.js';

test('ip -j neigh: permanent flannel entries and a reachable underlay neighbour', () => {
  const { value, diagnostics } = parseIpNeigh(readFixture('ip-neigh.json'));
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(value, [
    { dst: '10.244.1.0', dev: 'flannel.1', lladdr: '3a:bb:55:60:be:4e', state: ['PERMANENT'], line: 1 },
    { dst: '172.80.0.2', dev: 'eth0', lladdr: '02:42:ac:50:00:02', state: ['REACHABLE'], line: 2 },
    { dst: '10.244.0.0', dev: 'flannel.1', lladdr: 'e6:7d:c5:e2:80:1a', state: ['PERMANENT'], line: 3 },
  ]);
});

test('ip -j neigh: an entry without dev is reported by index', () => {
  const r = parseIpNeigh(
    '[{"dst":"10.0.0.1","state":["FAILED"]},{"dst":"10.0.0.2","dev":"x","state":["FAILED"]}]',
  );
  assert.deepEqual(
    r.value.map((n) => n.dst),
    ['10.0.0.2'],
  );
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.line, d.column, d.message.includes('[1]')]),
    [['SYNTAX', 1, 2, true]],
  );
});
