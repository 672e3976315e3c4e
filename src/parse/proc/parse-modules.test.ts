import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModules } from './parse-modules.js';
import { readFixture } from './read-fixture.js';

test('/proc/modules: size, refcount, users, state, taint flags ignored', () => {
  const { value, diagnostics } = parseModules(readFixture('modules.txt'));
  assert.deepEqual(diagnostics, []);
  assert.equal(value.length, 9);
  assert.deepEqual(value[1], {
    name: 'br_netfilter',
    size: 32768,
    refcount: 0,
    deps: [],
    state: 'Live',
    line: 2,
  });
  assert.deepEqual(value.find((m) => m.name === 'llc')?.deps, ['bridge', 'stp']);
  assert.deepEqual(value.find((m) => m.name === 'nf_conntrack')?.deps, [
    'xt_conntrack',
    'nf_nat',
    'xt_MASQUERADE',
    'nf_conntrack_netlink',
    'xt_nat',
  ]);
  assert.deepEqual(
    value.find((m) => m.name === 'vxlan'),
    { name: 'vxlan', size: 135168, refcount: 0, deps: [], state: 'Live', line: 7 },
  );
});

test('lsmod output', () => {
  const { value, diagnostics } = parseModules(readFixture('lsmod.txt'));
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(
    value.map((m) => [m.name, m.refcount, m.deps, m.state, m.line]),
    [
      ['br_netfilter', 0, [], 'unknown', 2],
      ['bridge', 1, ['br_netfilter'], 'unknown', 3],
      ['overlay', 12, [], 'unknown', 4],
    ],
  );
});

test('bad lines: positioned', () => {
  const r = parseModules(
    'bridge x 1 - Live 0x0\n!bad 1 2\nfoo 12 - [permanent], Live 0x0\nbar 1 q - Live 0\n',
  );
  assert.deepEqual(
    r.value.map((m) => [m.name, m.refcount, m.deps]),
    [
      ['foo', undefined, []],
      ['bar', undefined, []],
    ],
  );
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.line, d.column]),
    [
      ['SYNTAX', 1, 8],
      ['SYNTAX', 2, 1],
      ['BAD_VALUE', 4, 7],
    ],
  );
});
