import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpAddr } from './parse-ip-addr.js';
import { readFixture } from './read-fixture.js';

test('ip -j -d addr: one Addr per addr_info entry, line = interface index in the array', () => {
  const { value, diagnostics } = parseIpAddr(readFixture('ip-addr.json'));
  assert.deepEqual(diagnostics, []);
  assert.equal(value.length, 10);
  assert.deepEqual(
    value.filter((a) => a.scope !== 'link'),
    [
      { ifname: 'lo', family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host', line: 1 },
      { ifname: 'lo', family: 'inet6', local: '::1', prefixlen: 128, scope: 'host', line: 1 },
      { ifname: 'eth0', family: 'inet', local: '172.80.0.4', prefixlen: 24, scope: 'global', line: 2 },
      { ifname: 'cni0', family: 'inet', local: '10.244.2.1', prefixlen: 24, scope: 'global', line: 3 },
      { ifname: 'cni0', family: 'inet6', local: 'fd00:10:244:2::1', prefixlen: 64, scope: 'global', line: 3 },
      { ifname: 'flannel.1', family: 'inet', local: '10.244.2.0', prefixlen: 32, scope: 'global', line: 7 },
    ],
  );
});

test('ip -j addr: bad entries are diagnosed, good ones kept', () => {
  const text = JSON.stringify([
    { ifname: 'a', addr_info: [{ family: 'inet', local: '10.0.0.1', prefixlen: 24 }, { family: 'inet' }] },
    { ifname: 'b', addr_info: 'x' },
    { addr_info: [] },
    { ifname: 'c', addr_info: [{ family: 'packet', local: 'x', prefixlen: 0 }] },
  ]);
  const r = parseIpAddr(text);
  assert.deepEqual(r.value, [{ ifname: 'a', family: 'inet', local: '10.0.0.1', prefixlen: 24, line: 1 }]);
  assert.deepEqual(
    r.diagnostics.map((d) => d.code),
    ['SYNTAX', 'BAD_VALUE', 'SYNTAX', 'UNSUPPORTED'],
  );
  assert.ok(r.diagnostics.every((d) => d.line === 1 && d.column > 1));
});
