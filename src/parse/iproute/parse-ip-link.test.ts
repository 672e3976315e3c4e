import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpLink } from './parse-ip-link.js';
import { readFixture } from './read-fixture.js';

const { value: links, diagnostics } = parseIpLink(readFixture('ip-link.json'));
const byName = (n: string) => {
  const l = links.find((x) => x.name === n);
  assert.ok(l, `no link ${n}`);
  return l;
};

test('ip -j -d link: every interface of the scratch namespace, no diagnostics', () => {
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(
    links.map((l) => [l.index, l.name, l.line]),
    [
      [1, 'lo', 1],
      [2, 'eth0', 2],
      [3, 'cni0', 3],
      [4, 'veth1p', 4],
      [5, 'veth1', 5],
      [6, 'veth2', 6],
      [7, 'flannel.1', 7],
    ],
  );
});

test('bridge: options from linkinfo.info_data', () => {
  const br = byName('cni0');
  assert.equal(br.kind, 'bridge');
  assert.deepEqual(br.bridge, {
    stp: false,
    vlanFiltering: false,
    nfCallIptables: true,
    nfCallIp6tables: false,
  });
  assert.equal(br.operstate, 'UP');
  assert.deepEqual(br.flags, ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP']);
  assert.equal(br.mtu, 1500);
  assert.equal(br.mac, 'fa:19:9e:78:a9:f1');
});

test('bridge port: hairpin and friends from linkinfo.info_slave_data', () => {
  const p = byName('veth1');
  assert.equal(p.master, 'cni0');
  assert.deepEqual(p.bridgePort, {
    state: 'forwarding',
    hairpin: true,
    learning: true,
    flood: true,
    isolated: false,
  });
  assert.deepEqual(byName('veth2').bridgePort, {
    state: 'disabled',
    hairpin: false,
    learning: true,
    flood: true,
    isolated: false,
  });
  assert.equal(byName('veth1p').bridgePort, undefined);
});

test('veth peers: same namespace by name (index resolved), other namespace by link_index + link_netnsid', () => {
  const v1 = byName('veth1');
  assert.equal(v1.peerName, 'veth1p');
  assert.equal(v1.peerIndex, 4);
  assert.equal(v1.peerNetnsId, undefined);
  const v2 = byName('veth2');
  assert.equal(v2.peerName, undefined);
  assert.equal(v2.peerIndex, 2);
  assert.equal(v2.peerNetnsId, 1);
  assert.equal(v2.operstate, 'LOWERLAYERDOWN');
});

test('vxlan flannel.1: id, local, underlay dev, dstport, nolearning', () => {
  const f = byName('flannel.1');
  assert.equal(f.kind, 'vxlan');
  assert.deepEqual(f.vxlan, { id: 1, local: '172.80.0.4', dev: 'eth0', port: 8472, learning: false });
  assert.equal(f.mtu, 1450);
  assert.equal(byName('lo').linkType, 'loopback');
  assert.equal(byName('lo').kind, undefined);
});

test('wrong shapes are diagnosed with the element index and position, the rest is kept', () => {
  const text =
    '[{"ifname":"a","ifindex":1},\n 3, {"mtu":1}, {"ifname":"b","ifindex":"2"}, {"ifname":"c","ifindex":3,"flags":"UP"}]';
  const r = parseIpLink(text);
  assert.deepEqual(
    r.value.map((l) => l.name),
    ['a', 'c'],
  );
  assert.deepEqual(r.value[1]?.flags, []);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.line, d.column, /\[(\d+)\]/.exec(d.message)?.[1]]),
    [
      ['SYNTAX', 2, 2, '2'],
      ['SYNTAX', 2, 5, '3'],
      ['SYNTAX', 2, 16, '4'],
      ['BAD_VALUE', 2, 46, '5'],
    ],
  );
});

test('not an array, empty output', () => {
  assert.deepEqual(
    parseIpLink('{"ifname":"a"}').diagnostics.map((d) => [d.code, d.line, d.column]),
    [['WRONG_FORMAT', 1, 1]],
  );
  const e = parseIpLink('  \n');
  assert.deepEqual(e.value, []);
  assert.deepEqual(
    e.diagnostics.map((d) => [d.code, d.severity]),
    [['EMPTY', 'warning']],
  );
  assert.deepEqual(parseIpLink('[]').diagnostics, []);
});
