import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpRule, parseU32 } from './parse-ip-rule.js';
import { readFixture } from './read-fixture.js';

test('ip -j rule show: selectors, fwmark/fwmask, not, actions', () => {
  const { value, diagnostics } = parseIpRule(readFixture('ip-rule.json'));
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(value, [
    { priority: 0, family: 'inet', not: false, src: 'all', table: 'local', action: 'lookup', line: 1 },
    {
      priority: 100,
      family: 'inet',
      not: false,
      src: 'all',
      fwmark: { value: 0x80, mask: 0x80 },
      table: '101',
      action: 'lookup',
      line: 2,
    },
    {
      priority: 200,
      family: 'inet',
      not: true,
      src: '10.244.0.0/16',
      table: 'main',
      action: 'lookup',
      line: 3,
    },
    {
      priority: 300,
      family: 'inet',
      not: false,
      src: '10.244.2.5/32',
      iif: 'cni0',
      table: '101',
      action: 'lookup',
      line: 4,
    },
    { priority: 400, family: 'inet', not: false, src: '10.98.0.0/16', action: 'blackhole', line: 5 },
    {
      priority: 500,
      family: 'inet',
      not: false,
      src: 'all',
      dst: '10.1.0.0/16',
      oif: 'eth0',
      table: '101',
      action: 'lookup',
      line: 6,
    },
    { priority: 600, family: 'inet', not: false, src: 'all', action: 'goto', line: 7 },
    { priority: 32766, family: 'inet', not: false, src: 'all', table: 'main', action: 'lookup', line: 8 },
    { priority: 32767, family: 'inet', not: false, src: 'all', table: 'default', action: 'lookup', line: 9 },
  ]);
});

test('ip -j -6 rule: family from the option, fwmark without mask compares 32 bits', () => {
  const { value } = parseIpRule(readFixture('ip6-rule.json'), { family: 'inet6' });
  assert.deepEqual(value[1], {
    priority: 100,
    family: 'inet6',
    not: false,
    src: 'all',
    fwmark: { value: 0x4000, mask: 0xffffffff },
    table: '101',
    action: 'lookup',
    line: 2,
  });
});

test('older "0x80/0x80" fwmark form, unmodelled selectors and bad marks', () => {
  const r = parseIpRule(
    JSON.stringify([
      { priority: 10, src: 'all', fwmark: '0x4000/0xc000', table: 'main' },
      { priority: 105, src: 'all', table: 'main', suppress_prefixlength: 0 },
      { priority: 20, src: 'all', fwmark: 'zz', table: 'main' },
      { src: 'all' },
    ]),
  );
  assert.deepEqual(r.value[0]?.fwmark, { value: 0x4000, mask: 0xc000 });
  assert.equal(r.value.length, 3);
  assert.equal(r.value[2]?.fwmark, undefined);
  assert.deepEqual(
    r.diagnostics.map((d) => d.code),
    ['UNSUPPORTED', 'BAD_VALUE', 'SYNTAX'],
  );
  assert.equal(parseU32('0x1ffffffff'), undefined);
  assert.equal(parseU32('4294967295'), 0xffffffff);
});
