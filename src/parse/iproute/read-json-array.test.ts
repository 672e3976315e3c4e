import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readJsonArray } from './read-json-array.js';

test('elements are numbered across arrays and positioned (pretty-printed input)', () => {
  const text = '[\n  {"a": 1},\n  {"a": 2}\n]\n[ {"a": 3} ]';
  const r = readJsonArray(text, 't');
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(
    r.elements.map((e) => [e.index, e.line, e.column, e.value.a]),
    [
      [1, 2, 3, 1],
      [2, 3, 3, 2],
      [3, 5, 3, 3],
    ],
  );
});

test('a syntax error in the second array keeps the first', () => {
  const r = readJsonArray('[{"a":1}]\n[{"a":2},]', 't');
  assert.deepEqual(
    r.elements.map((e) => e.value.a),
    [1],
  );
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.line, d.column]),
    [['SYNTAX', 2, 10]],
  );
});

test('garbage after the arrays is reported where it starts', () => {
  const r = readJsonArray('[]\nError: Device does not exist.', 't');
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.line, d.column]),
    [['SYNTAX', 2, 1]],
  );
});
