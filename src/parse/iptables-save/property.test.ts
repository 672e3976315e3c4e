/**
 * fast-check properties: whatever the text, the parsers return (never throw), stay within
 * bounds (diagnostics capped, no more rules than lines) and position every diagnostic
 * inside the document; the tokenizer inverts iptables-save's quoting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Ruleset } from '../../model/iptables.js';
import type { ParseResult } from '../diagnostic.js';
import { corpusDir } from './corpus-fixtures.js';
import { MAX_DIAGNOSTICS, parseIptablesS, parseIptablesSave, tokenizeRule } from './index.js';

const SEEDS = [
  readFileSync(
    join(
      corpusDir(),
      'kubernetes__pkg-proxy-iptables-proxier_test.go__TestOverallIPTablesRules.expected.txt',
    ),
    'utf8',
  ),
  readFileSync(join(corpusDir(), 'ddanielgal-ytdl__research.md@7521438__k3s-pi__ip6tables-save.txt'), 'utf8'),
  readFileSync(join(corpusDir(), 'firewalls/sargon__iptables-save.txt'), 'utf8'),
  readFileSync(join(corpusDir(), 'firewalls/Parser_Test__data__ip6tables-save'), 'utf8'),
];

function checkInvariants(text: string, r: ParseResult<Ruleset>): void {
  const lines = text.split('\n');
  assert.ok(r.diagnostics.length <= MAX_DIAGNOSTICS + 1);
  let rules = 0;
  for (const t of Object.values(r.value.tables))
    for (const c of Object.values(t?.chains ?? {})) rules += c.rules.length;
  assert.ok(rules <= lines.length, 'no more rules than lines');
  assert.ok(r.value.family === 'ipv4' || r.value.family === 'ipv6');
  for (const d of r.diagnostics) {
    assert.ok(
      Number.isInteger(d.line) && d.line >= 0 && d.line <= lines.length,
      `line ${d.line} of ${lines.length}`,
    );
    assert.ok(Number.isInteger(d.column) && d.column >= 0, `column ${d.column}`);
    if (d.line > 0 && d.column > 0)
      assert.ok(d.column <= (lines[d.line - 1]?.length ?? 0) + 1, `column ${d.column} within line ${d.line}`);
    assert.ok(['error', 'warning', 'unsupported'].includes(d.severity));
    assert.equal(typeof d.message, 'string');
  }
}

function both(text: string): void {
  checkInvariants(text, parseIptablesSave(text));
  checkInvariants(text, parseIptablesS(text, 'nat'));
}

test('arbitrary strings never throw and stay in bounds', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => both(s)),
    { numRuns: 400 },
  );
});

const FRAGMENTS = [
  '*filter',
  '*nat',
  'COMMIT',
  ':INPUT ACCEPT [0:0]',
  ':X - [0:0]',
  '-A',
  '-I',
  '-N',
  '-P',
  '-X',
  '-F',
  '-A X',
  '-A INPUT',
  '-j',
  '-g',
  '-m',
  '!',
  '-s',
  '-d',
  '-p',
  'tcp',
  '--dport',
  '80',
  '-m comment --comment',
  '"a b"',
  '"',
  '\\',
  '-j ACCEPT',
  '-j DNAT --to-destination',
  '10.0.0.1:80',
  '-m mark --mark',
  '0x4000/0x4000',
  '-j MARK --set-xmark',
  '-m statistic --mode random --probability',
  '0.5',
  '-m set --match-set',
  'S',
  'src,dst',
  '-m recent --set',
  '[1:2]',
  '::1',
  '-m multiport --dports',
  '1,2:3',
  '#',
  'table ip f {',
  '\u0000',
  '\uFFFD',
  '\n',
  ' ',
];

test('random token soup of iptables words never throws', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 6 })), { maxLength: 80 }),
      fc.array(fc.constantFrom(' ', '\n', '\t'), { minLength: 80, maxLength: 80 }),
      (parts, seps) => {
        both(parts.map((p, i) => p + (seps[i] ?? ' ')).join(''));
      },
    ),
    { numRuns: 600 },
  );
});

type Mutation =
  | { op: 'delChar' | 'dupChar'; at: number }
  | { op: 'insChar'; at: number; ch: string }
  | { op: 'delLine' | 'dupLine'; at: number }
  | { op: 'swapLines'; at: number; with: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constantFrom('delChar' as const, 'dupChar' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('insChar' as const),
    at: fc.nat(),
    ch: fc.oneof(
      fc.constantFrom('"', '\\', '!', '-', ' ', '\n', '\u0000', ':', '/', '[', ']', '*', ',', '\r', '\uFFFD'),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    ),
  }),
  fc.record({ op: fc.constantFrom('delLine' as const, 'dupLine' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('swapLines' as const), at: fc.nat(), with: fc.nat() }),
);

function mutate(text: string, ms: Mutation[]): string {
  let t = text;
  for (const m of ms) {
    const i = t.length === 0 ? 0 : m.at % t.length;
    const lines = t.split('\n');
    const li = m.at % lines.length;
    switch (m.op) {
      case 'delChar':
        t = t.slice(0, i) + t.slice(i + 1);
        break;
      case 'dupChar':
        t = t.slice(0, i) + t.charAt(i) + t.slice(i);
        break;
      case 'insChar':
        t = t.slice(0, i) + m.ch + t.slice(i);
        break;
      case 'delLine':
        lines.splice(li, 1);
        t = lines.join('\n');
        break;
      case 'dupLine':
        lines.splice(li, 0, lines[li] ?? '');
        t = lines.join('\n');
        break;
      case 'swapLines': {
        const j = m.with % lines.length;
        [lines[li], lines[j]] = [lines[j] ?? '', lines[li] ?? ''];
        t = lines.join('\n');
        break;
      }
    }
  }
  return t;
}

test('mutations of real rule sets never throw and stay in bounds', () => {
  fc.assert(
    fc.property(fc.constantFrom(...SEEDS), fc.array(mutation, { minLength: 1, maxLength: 12 }), (seed, ms) =>
      both(mutate(seed, ms)),
    ),
    { numRuns: 300 },
  );
});

test('unmutated seeds are clean (the mutation test starts from valid input)', () => {
  for (const s of SEEDS) {
    const r = parseIptablesSave(s);
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity === 'error'),
      [],
      s.slice(0, 40),
    );
  }
});

/** iptables-save's quoting (`xtables_save_string()` in libxtables). */
function saveString(v: string): string {
  if (v.length > 0 && /^[A-Za-z0-9_-]+$/.test(v)) return v;
  return `"${v.replace(/["\\']/g, (c) => '\\' + c)}"`;
}

test('tokenizeRule inverts iptables-save quoting for any argument text', () => {
  const arg = fc.string({ unit: 'grapheme', maxLength: 30 }).filter((s) => !/[\r\n]/.test(s));
  fc.assert(
    fc.property(fc.array(arg, { minLength: 1, maxLength: 8 }), (args) => {
      const line = args.map(saveString).join(' ');
      assert.deepEqual(
        tokenizeRule(line).tokens.map((t) => t.value),
        args,
      );
      assert.equal(tokenizeRule(line).unterminatedQuoteColumn, undefined);
    }),
    { numRuns: 500 },
  );
});

test('the indexOf fast path and the character loop of the tokenizer agree', () => {
  const piece = fc.oneof(
    fc.constantFrom(' ', '  ', '"', '\\', '!', '-A', 'x', '"a b"', '\\"', "'"),
    fc.string({ maxLength: 4 }),
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 20 }), (parts) => {
      const line = parts.join('').replace(/[\t\r\n]/g, ' ');
      const fast = tokenizeRule(line);
      const slow = tokenizeRule('\t' + line); // a tab sends the whole line through the loop
      assert.deepEqual(
        slow.tokens.map((t) => ({ ...t, column: t.column - 1 })),
        fast.tokens,
      );
      assert.equal(
        slow.unterminatedQuoteColumn === undefined ? undefined : slow.unterminatedQuoteColumn - 1,
        fast.unterminatedQuoteColumn,
      );
    }),
    { numRuns: 1000 },
  );
});
