/**
 * @module parse/testing/fuzz
 * Test support shared by the parser fuzz tests: arbitrary inputs (random text, and valid
 * captures with random edits) and the property every parser must keep: it returns, and
 * every diagnostic points inside the document.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Diagnostic, DiagnosticCode } from '../diagnostic.js';

const CODES: DiagnosticCode[] = [
  'SYNTAX',
  'UNSUPPORTED',
  'UNEXPECTED_EOF',
  'BAD_VALUE',
  'UNKNOWN_CHAIN',
  'DUPLICATE',
  'WRONG_FORMAT',
  'EMPTY',
];

/** one random edit (delete, insert, replace) at a random place */
const edit = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  del: fc.nat({ max: 12 }),
  ins: fc.string({ maxLength: 12 }),
});

/** `base` with 1..4 random edits: mostly valid input with local damage */
export function mutated(base: string): fc.Arbitrary<string> {
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
    let s = base;
    for (const e of edits) {
      const p = Math.floor(e.at * s.length);
      s = s.slice(0, p) + e.ins + s.slice(p + e.del);
    }
    return s;
  });
}

/** random text with the characters these formats are made of */
export function noise(alphabet = ' \t\n[]{}":,=./-0123456789abcdefxyzSRCDT#;<>@'): fc.Arbitrary<string> {
  return fc.array(fc.constantFrom(...alphabet.split('')), { maxLength: 300 }).map((cs) => cs.join(''));
}

export const anyText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  noise(),
);

export function assertPositioned(diagnostics: Diagnostic[], text: string): void {
  const lines = text.split('\n');
  for (const d of diagnostics) {
    assert.ok(CODES.includes(d.code), `code ${d.code}`);
    assert.ok(['error', 'warning', 'unsupported'].includes(d.severity), `severity ${d.severity}`);
    assert.equal(typeof d.message, 'string');
    assert.ok(
      Number.isInteger(d.line) && d.line >= 0 && d.line <= lines.length,
      `line ${d.line} of ${lines.length}: ${d.message}`,
    );
    assert.ok(Number.isInteger(d.column) && d.column >= 0, `column ${d.column}`);
    if (d.line > 0) {
      const len = (lines[d.line - 1] ?? '').length;
      assert.ok(d.column <= len + 1, `column ${d.column} past line ${d.line} (length ${len}): ${d.message}`);
    }
  }
}

/** runs `parse` on random and mutated inputs: no throw, diagnostics positioned */
export function fuzzParser(
  parse: (text: string) => { value: unknown; diagnostics: Diagnostic[] },
  samples: string[],
  numRuns = 150,
): void {
  const inputs = fc.oneof(anyText, ...samples.map((s) => mutated(s)));
  fc.assert(
    fc.property(inputs, (text) => {
      const r = parse(text);
      assert.ok(Array.isArray(r.diagnostics));
      assertPositioned(r.diagnostics, text);
    }),
    { numRuns },
  );
}
