/**
 * The checks `loadCluster` makes before any parser runs (inputProblems): positions of binary
 * data and overlong lines, never-empty sources, and a fast-check fuzz (never throws, every
 * problem names the file).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { inputProblems, MAX_LINE } from './load-cluster.js';
import type { LoadedSnapshot, SourceOutput } from '../snapshot/types.js';

function snap(sources: Record<string, string>): LoadedSnapshot {
  const s: Record<string, SourceOutput> = {};
  const files: Record<string, string> = {};
  for (const [id, stdout] of Object.entries(sources)) {
    s[id] = { command: id, exitCode: 0, stdout };
    files[id] = `d/${id}.txt`;
  }
  return {
    snapshot: { apiVersion: 'podpath/v1', kind: 'NodeSnapshot', metadata: { node: 'n' }, sources: s },
    origin: 'd',
    sourceFiles: files,
  };
}

test('inputProblems: binary data and overlong lines with their line, empty never-empty sources', () => {
  assert.deepEqual(inputProblems(snap({ sysctl: 'net.a = 1\n', conntrack: '' })), []);
  assert.match(inputProblems(snap({ resolv: 'a\nb\x00c\n' }))[0]!, /^d\/resolv\.txt:2:2: binary data/);
  assert.match(
    inputProblems(snap({ ipset: 'x\ny\n' + 'z'.repeat(MAX_LINE + 1) }))[0]!,
    /^d\/ipset\.txt:3: a line of 65537 characters/,
  );
  assert.deepEqual(inputProblems(snap({ ipset: 'z'.repeat(MAX_LINE) })), [], 'at the limit');
  assert.deepEqual(
    inputProblems(snap({ 'ip-link': `[${'{"a":1},'.repeat(20000)}{}]` })),
    [],
    'ip -j prints one long line',
  );
  assert.match(
    inputProblems(snap({ 'ip-addr': ' \n\t' }))[0]!,
    /^d\/ip-addr\.txt:1: empty, but `ip addr show`/,
  );
  assert.match(inputProblems(snap({}))[0]!, /^d: no snapshot sources/);
});

test('inputProblems fuzz: never throws, every problem starts with the file', () => {
  fc.assert(
    fc.property(
      fc.dictionary(
        fc.constantFrom('sysctl', 'ip-link', 'conntrack', 'resolv-conf', 'iptables-save'),
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.string({ unit: 'grapheme', maxLength: 200 }),
          fc.constant(''),
        ),
      ),
      (sources) => {
        const l = snap(sources);
        for (const p of inputProblems(l)) assert.match(p, /^d(\/[\w-]+\.txt)?[:]/);
      },
    ),
    { numRuns: 300 },
  );
});
