import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { clip, esc, slug, INVISIBLE_CHARS } from './escape.js';

function unescape(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#96;/g, '`')
    .replace(/&amp;/g, '&');
}

test('esc: markup, quotes and bidi controls cannot survive', () => {
  assert.equal(esc('<script>alert("x")</script>'), '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  assert.equal(esc(`a'b\`c&d`), 'a&#39;b&#96;c&amp;d');
  assert.equal(esc('abc\u202Edef'), 'abc&lt;U+202E&gt;def');
  assert.equal(esc('\u200F\u2066x\u0000'), '&lt;U+200F&gt;&lt;U+2066&gt;x&lt;U+0000&gt;');
  assert.equal(esc(undefined), '');
  assert.equal(esc(42), '42');
});

/** strings of markup, quote, bidi and control characters mixed with anything else */
const hostileString = fc.oneof(
  fc.string({
    unit: fc.constantFrom(
      '<',
      '>',
      '"',
      "'",
      '`',
      '&',
      ';',
      '#',
      'a',
      ' ',
      '\u202E',
      '\u200F',
      '\u2066',
      '\u0000',
      '\n',
      'é',
      '😀',
    ),
    maxLength: 60,
  }),
  fc.string({ unit: 'binary', maxLength: 200 }),
);

test('esc (fast-check): output never holds < > " \' or a bidi control, and reads back as the input with placeholders', () => {
  const bidi = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/;
  fc.assert(
    fc.property(hostileString, (s) => {
      const e = esc(s);
      assert.ok(!/[<>"'`]/.test(e), e);
      assert.ok(!bidi.test(e));
      const back = unescape(e);
      if (!new RegExp(INVISIBLE_CHARS.source).test(s)) assert.equal(back, s);
    }),
    { numRuns: 2000 },
  );
});

test('clip and slug: bounded, code-point safe, ids only of [a-z0-9-]', () => {
  assert.equal(clip('abcdef', 4), 'abc…');
  assert.equal(clip('abc', 4), 'abc');
  assert.equal([...clip('😀'.repeat(10), 5)].length, 5);
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (s) => {
      const id = slug(s);
      assert.match(id, /^[a-z0-9-]+$/);
      assert.ok(id.length <= 70);
    }),
  );
  assert.notEqual(slug('a<b'), slug('a>b'));
});
