import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBridgeLink } from './parse-bridge-link.js';
import { parseBridgeFdb } from './parse-bridge-fdb.js';
import { readFixture } from './read-fixture.js';

test('bridge -j -d link: ports with hairpin, learning, flood, isolated', () => {
  const { value, diagnostics } = parseBridgeLink(readFixture('bridge-link.json'));
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(value, [
    {
      ifname: 'veth1',
      index: 5,
      master: 'cni0',
      state: 'forwarding',
      hairpin: true,
      learning: true,
      flood: true,
      isolated: false,
      line: 1,
    },
    {
      ifname: 'veth2',
      index: 6,
      master: 'cni0',
      state: 'disabled',
      hairpin: false,
      learning: true,
      flood: true,
      isolated: false,
      line: 2,
    },
  ]);
});

test('bridge -j fdb: vxlan entries with dst, bridge entries with master and state', () => {
  const { value, diagnostics } = parseBridgeFdb(readFixture('bridge-fdb.json'));
  assert.deepEqual(diagnostics, []);
  assert.equal(value.length, 23);
  assert.deepEqual(
    value.filter((e) => e.dst !== undefined),
    [
      {
        mac: 'e6:7d:c5:e2:80:1a',
        ifname: 'flannel.1',
        dst: '172.80.0.2',
        flags: ['self'],
        state: 'permanent',
        line: 21,
      },
      {
        mac: '3a:bb:55:60:be:4e',
        ifname: 'flannel.1',
        dst: '172.80.0.3',
        flags: ['self'],
        state: 'permanent',
        line: 22,
      },
      {
        mac: '00:00:00:00:00:00',
        ifname: 'flannel.1',
        dst: '172.80.0.3',
        flags: ['self'],
        state: 'permanent',
        line: 23,
      },
    ],
  );
  assert.deepEqual(
    value.find((e) => e.mac === '02:00:00:00:00:05'),
    {
      mac: '02:00:00:00:00:05',
      ifname: 'veth2',
      master: 'cni0',
      flags: [],
      state: 'static',
      line: 17,
    },
  );
  assert.equal(
    value.find((e) => e.ifname === 'veth1' && e.master === 'cni0' && e.state === '')?.mac,
    '02:ca:d8:3e:5f:c6',
  );
});

test('bridge -j fdb / link: missing mac or ifindex is diagnosed by index', () => {
  const f = parseBridgeFdb(
    '[{"ifname":"x","flags":[]},{"mac":"aa:bb:cc:dd:ee:ff","ifname":"x","vlan":"1","flags":[]}]',
  );
  assert.deepEqual(
    f.value.map((e) => [e.mac, e.vlan]),
    [['aa:bb:cc:dd:ee:ff', undefined]],
  );
  assert.deepEqual(
    f.diagnostics.map((d) => d.code),
    ['SYNTAX', 'BAD_VALUE'],
  );
  const l = parseBridgeLink('[{"ifname":"x"}]');
  assert.deepEqual(l.value, []);
  assert.deepEqual(
    l.diagnostics.map((d) => [d.code, d.column]),
    [['SYNTAX', 2]],
  );
});
