import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModulesLoad } from './parse-modules-load.js';
import { parseCniConf } from './parse-cni-conf.js';
import { readFixture } from './read-fixture.js';

test('modules-load: one module per line, names canonicalised, bad names positioned', () => {
  const { value, diagnostics } = parseModulesLoad(readFixture('modules-load.txt'));
  assert.deepEqual(value, [
    { file: '/etc/modules-load.d/k8s.conf', line: 1, module: 'overlay' },
    { file: '/etc/modules-load.d/k8s.conf', line: 2, module: 'br_netfilter' },
    { file: '/etc/modules-load.d/modules.conf', line: 3, module: 'nf_conntrack' },
    { file: '/etc/modules-load.d/modules.conf', line: 4, module: 'ip_vs' },
  ]);
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.line, d.column]),
    [['BAD_VALUE', 10, 1]],
  );
});

test('cni-conf: flannel conflist plugins; a broken .conf is positioned in the document', () => {
  const { value, diagnostics } = parseCniConf(readFixture('cni-conf.txt'));
  assert.equal(value.length, 1);
  assert.deepEqual(
    [value[0]?.file, value[0]?.line, value[0]?.name, value[0]?.cniVersion],
    ['/etc/cni/net.d/10-flannel.conflist', 1, 'cbr0', '0.3.1'],
  );
  assert.deepEqual(
    value[0]?.plugins.map((p) => p.type),
    ['flannel', 'portmap'],
  );
  assert.deepEqual(value[0]?.plugins[0]?.delegate, { hairpinMode: true, isDefaultGateway: true });
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.line, d.column]),
    [['SYNTAX', 27, 1]],
  );
});

test('cni-conf: a single unframed .conf, a plugin without type, not an object', () => {
  const one = parseCniConf('{"cniVersion":"1.0.0","name":"k","type":"bridge","hairpinMode":false}');
  assert.deepEqual(one.value[0]?.plugins, [
    { cniVersion: '1.0.0', name: 'k', type: 'bridge', hairpinMode: false },
  ]);
  const bad = parseCniConf(
    '==> /a.conflist <==\n{"plugins":[{"x":1}]}\n==> /b.conf <==\n[1]\n==> /c.conf <==\n{"type":\n',
  );
  assert.deepEqual(
    bad.diagnostics.map((d) => [d.code, d.line]),
    [
      ['SYNTAX', 1],
      ['WRONG_FORMAT', 3],
      ['UNEXPECTED_EOF', 7],
    ],
  );
});
