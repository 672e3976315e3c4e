import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseJson, parseJsonValue } from './parse-json.js';
import { locatePointer } from './locate-pointer.js';
import { offsetToPosition } from './position.js';
import { mutated } from '../testing/fuzz.js';

function native(text: string): { ok: boolean; value?: unknown } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

test('accepts exactly what JSON.parse accepts, with the same value', () => {
  const inputs = fc.oneof(
    fc.json(),
    fc.json().chain((j) => mutated(j)),
    fc.string({ maxLength: 40 }),
  );
  fc.assert(
    fc.property(inputs, (text) => {
      const mine = parseJson(text);
      const theirs = native(text);
      assert.equal(mine.ok, theirs.ok, `disagree on ${JSON.stringify(text)}`);
      if (mine.ok) assert.deepEqual(mine.value, theirs.value);
      else assert.ok(mine.error.offset >= 0 && mine.error.offset <= text.length);
    }),
    { numRuns: 400 },
  );
});

test('error offsets point at the offending character; eof is flagged', () => {
  const cases: [string, number, boolean][] = [
    ['[1,2]x', 5, false],
    ['{"a" 1}', 5, false],
    ['[tru]', 4, false],
    ['[1,', 3, true],
    ['"a\nb"', 2, false],
    ['', 0, true],
  ];
  for (const [text, offset, eof] of cases) {
    const r = parseJson(text);
    assert.equal(r.ok, false, text);
    if (!r.ok) assert.deepEqual([r.error.offset, r.error.eof], [offset, eof], text);
  }
});

test('deep nesting is an error, not a stack overflow; __proto__ stays an own property', () => {
  const deep = '['.repeat(100000) + ']'.repeat(100000);
  const r = parseJson(deep);
  assert.equal(r.ok, false);
  const p = parseJson('{"__proto__": {"x": 1}}');
  assert.ok(p.ok);
  if (p.ok) {
    assert.equal(Object.getPrototypeOf(p.value), Object.prototype);
    assert.deepEqual(Object.keys(p.value as object), ['__proto__']);
  }
});

test('parseJsonValue reads one value of a sequence and says where it ends', () => {
  const r = parseJsonValue('  [1] [2]', 0);
  assert.ok(r.ok);
  if (r.ok) assert.deepEqual([r.start, r.end, r.value], [2, 5, [1]]);
});

test('locatePointer: line/column of a value, or of the nearest ancestor', () => {
  const text = '{\n  "sources": {\n    "sysctl": { "exitCode": "x" }\n  }\n}';
  assert.deepEqual(locatePointer(text, '/sources/sysctl/exitCode'), { line: 3, column: 29 });
  assert.deepEqual(locatePointer(text, '/sources/sysctl/stdout'), { line: 3, column: 15 });
  assert.deepEqual(locatePointer(text, ''), { line: 1, column: 1 });
  assert.equal(locatePointer('{', '/a'), undefined);
  assert.deepEqual(locatePointer('{"a/b":{"~":1}}', '/a~1b/~0'), { line: 1, column: 13 });
});

test('offsetToPosition', () => {
  assert.deepEqual(offsetToPosition('ab\ncd', 4), { line: 2, column: 2 });
  assert.deepEqual(offsetToPosition('ab\ncd', 99), { line: 2, column: 3 });
  assert.deepEqual(offsetToPosition('', 0), { line: 1, column: 1 });
});
