import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConntrackCount, parseConntrackStats } from './parse-conntrack-stats.js';
import { readFixture } from './read-fixture.js';

test('conntrack -S: one row per CPU', () => {
  const { value, diagnostics } = parseConntrackStats(readFixture('conntrack-S.txt'));
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(
    value.map((s) => [s.cpu, s.line]),
    [
      [0, 1],
      [1, 2],
    ],
  );
  assert.deepEqual(value[0]?.values, {
    found: 0,
    invalid: 0,
    insert: 0,
    insert_failed: 0,
    drop: 0,
    early_drop: 0,
    error: 0,
    search_restart: 0,
    clash_resolve: 0,
    chaintoolong: 0,
  });
});

test('conntrack -S, the brief example with nonzero counters', () => {
  const r = parseConntrackStats(
    'cpu=0   \tfound=0 invalid=12 insert=0 insert_failed=0 drop=0 early_drop=0 error=0 search_restart=0\ncpu=1 found=3 drop=2',
  );
  assert.deepEqual(
    r.value.map((s) => [s.cpu, s.values.invalid, s.values.drop]),
    [
      [0, 12, 0],
      [1, undefined, 2],
    ],
  );
});

test('/proc/net/stat/nf_conntrack: hex table, header names the columns, row i is CPU i', () => {
  const { value, diagnostics } = parseConntrackStats(readFixture('proc-stat-nf_conntrack.txt'));
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(
    value.map((s) => [s.cpu, s.line, s.values.entries, s.values.search_restart]),
    [
      [0, 2, 7, 0],
      [1, 3, 7, 0],
    ],
  );
  assert.equal(Object.keys(value[0]!.values).length, 17);
  const hex = parseConntrackStats('entries drop icmp_error\n0000000a 000000ff 00000001\n');
  assert.deepEqual(hex.value[0]?.values, { entries: 10, drop: 255, icmp_error: 1 });
});

test('stats: bad rows are positioned', () => {
  const r = parseConntrackStats(
    '0000 0001\nentries drop\n00000001\n0000000z 00000000\nfound=1\ncpu=0 drop=x',
  );
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.line, d.column]),
    [
      ['SYNTAX', 1, 1],
      ['SYNTAX', 3, 1],
      ['BAD_VALUE', 4, 1],
      ['SYNTAX', 5, 1],
      ['BAD_VALUE', 6, 7],
    ],
  );
});

test('conntrack -C', () => {
  assert.deepEqual(parseConntrackCount('\n1234\n'), { value: 1234, diagnostics: [] });
  assert.deepEqual(
    parseConntrackCount('  x').diagnostics.map((d) => [d.code, d.line, d.column]),
    [['SYNTAX', 1, 3]],
  );
  assert.deepEqual(
    parseConntrackCount('').diagnostics.map((d) => d.code),
    ['EMPTY'],
  );
});
