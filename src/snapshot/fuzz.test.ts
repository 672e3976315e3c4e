import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { parseSnapshotJson } from './load.js';
import { readTar } from './read-tar.js';
import { SnapshotError } from './snapshot-error.js';
import { anyText, mutated } from '../parse/testing/fuzz.js';
import { fixturePath } from './read-fixture.js';

/** only SnapshotError may escape, and its position must be inside the text */
function onlySnapshotErrors(run: () => unknown, text?: string): void {
  try {
    run();
  } catch (e) {
    assert.ok(e instanceof SnapshotError, `escaped: ${String(e)}`);
    if (text !== undefined && e.line !== undefined) {
      const lines = text.split('\n');
      assert.ok(e.line >= 1 && e.line <= lines.length, `line ${e.line}`);
      assert.ok(
        e.column === undefined || (e.column >= 1 && e.column <= (lines[e.line - 1] ?? '').length + 1),
        `column ${e.column}`,
      );
    }
  }
}

test('fuzz parseSnapshotJson: SnapshotError with an in-document position, or a snapshot', () => {
  const base = readFileSync(fixturePath('node1.json'), 'utf8');
  fc.assert(
    fc.property(fc.oneof(anyText, mutated(base), fc.json()), (text) =>
      onlySnapshotErrors(() => parseSnapshotJson(text, 'f.json'), text),
    ),
    { numRuns: 300 },
  );
});

test('fuzz readTar: damaged archives only ever give SnapshotError', () => {
  const h = Buffer.alloc(512);
  h.write('node/sysctl.txt', 0);
  h.write('0000644\0', 100);
  h.write('00000000005\0', 124);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0' + '00', 257, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  const tar = Buffer.concat([h, Buffer.from('a = 1'.padEnd(512, '\0')), Buffer.alloc(1024)]);
  const bytes = fc.array(
    fc.record({ at: fc.nat({ max: tar.length - 1 }), v: fc.integer({ min: 0, max: 255 }) }),
    { maxLength: 8 },
  );
  fc.assert(
    fc.property(bytes, fc.boolean(), fc.nat({ max: tar.length }), (edits, gz, cut) => {
      const t = Buffer.from(tar.subarray(0, Math.max(cut, 512)));
      for (const e of edits) if (e.at < t.length) t[e.at] = e.v;
      onlySnapshotErrors(() => readTar(gz ? gzipSync(t) : t, 'x.tar'));
    }),
    { numRuns: 300 },
  );
});
