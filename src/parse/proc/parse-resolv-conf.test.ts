import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResolvConf } from './parse-resolv-conf.js';
import { readFixture } from './read-fixture.js';

test('a kubelet-written pod resolv.conf', () => {
  const { value, diagnostics } = parseResolvConf(readFixture('resolv-conf.txt'));
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(value, {
    nameservers: [{ address: '10.96.0.10', line: 3 }],
    search: { domains: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], line: 2 },
    options: [
      { name: 'ndots', value: 5, line: 4 },
      { name: 'single-request-reopen', line: 4 },
      { name: 'timeout', value: 2, line: 4 },
    ],
    ndots: 5,
    timeout: 2,
    attempts: 2,
  });
});

test('defaults, last search wins, MAXNS, caps, bad values', () => {
  const text = [
    'domain example.org',
    'search a.b # comment',
    'nameserver 1.1.1.1',
    'nameserver fe80::1%eth0',
    'nameserver 8.8.8.8',
    'nameserver 9.9.9.9',
    'nameserver banana',
    'options ndots:99 attempts:x rotate frob',
    'lookup file bind',
  ].join('\n');
  const { value, diagnostics } = parseResolvConf(text);
  assert.deepEqual(value.search, { domains: ['a.b'], line: 2 });
  assert.equal(value.nameservers.length, 4);
  assert.deepEqual([value.ndots, value.timeout, value.attempts], [15, 5, 2]);
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.line, d.column]),
    [
      ['BAD_VALUE', 6, 12],
      ['BAD_VALUE', 7, 12],
      ['BAD_VALUE', 8, 18],
      ['UNSUPPORTED', 8, 36],
      ['UNSUPPORTED', 9, 1],
    ],
  );
  assert.deepEqual(parseResolvConf('').value, {
    nameservers: [],
    options: [],
    ndots: 1,
    timeout: 5,
    attempts: 2,
  });
});
