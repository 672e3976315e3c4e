import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenizeRule } from './index.js';

const values = (s: string) => tokenizeRule(s).tokens.map((t) => t.value);

test('splits on blanks and keeps columns (1-based)', () => {
  const r = tokenizeRule('-A  KUBE-SERVICES\t-j ACCEPT');
  assert.deepEqual(
    r.tokens.map((t) => [t.value, t.column, t.quoted]),
    [
      ['-A', 1, false],
      ['KUBE-SERVICES', 5, false],
      ['-j', 19, false],
      ['ACCEPT', 22, false],
    ],
  );
  assert.equal(r.unterminatedQuoteColumn, undefined);
});

test('quoted comment is one argument, quotes removed', () => {
  assert.deepEqual(values('-m comment --comment "kubernetes service portals" -j KUBE-SERVICES'), [
    '-m',
    'comment',
    '--comment',
    'kubernetes service portals',
    '-j',
    'KUBE-SERVICES',
  ]);
});

test('escapes inside quotes: \\" \\\\ \\\' (xtables_save_string)', () => {
  // portmap: --comment "dnat name: \"cbr0\" id: \"abc\""
  assert.deepEqual(values('--comment "dnat name: \\"cbr0\\" id: \\"abc\\""'), [
    '--comment',
    'dnat name: "cbr0" id: "abc"',
  ]);
  // iptables-save output seen on a real node: "... pod\'s local node"
  assert.deepEqual(values('--comment "the pod\\\'s node"'), ['--comment', "the pod's node"]);
  assert.deepEqual(values('--comment "a\\\\b"'), ['--comment', 'a\\b']);
});

test('a quote does not end the argument; backslash outside quotes is literal', () => {
  assert.deepEqual(values('a"b c"d e'), ['ab cd', 'e']);
  assert.deepEqual(values('a\\b'), ['a\\b']);
});

test('empty quoted argument is kept', () => {
  const r = tokenizeRule('--comment "" -j X');
  assert.deepEqual(
    r.tokens.map((t) => [t.value, t.quoted]),
    [
      ['--comment', false],
      ['', true],
      ['-j', false],
      ['X', false],
    ],
  );
});

test('quoted "!" is a value, unquoted ! is a token of its own', () => {
  const r = tokenizeRule('! -s 10.0.0.0/8 --comment "!"');
  assert.deepEqual(
    r.tokens.map((t) => [t.value, t.quoted]),
    [
      ['!', false],
      ['-s', false],
      ['10.0.0.0/8', false],
      ['--comment', false],
      ['!', true],
    ],
  );
});

test('unterminated quote: rest of the line is the argument, column reported', () => {
  const r = tokenizeRule('--comment "abc def');
  assert.deepEqual(
    r.tokens.map((t) => t.value),
    ['--comment', 'abc def'],
  );
  assert.equal(r.unterminatedQuoteColumn, 11);
});

test('trailing backslash inside quotes and CR are harmless', () => {
  assert.deepEqual(values('"x\\'), ['x']);
  assert.deepEqual(values('-j ACCEPT\r'), ['-j', 'ACCEPT']);
  assert.deepEqual(values(''), []);
  assert.deepEqual(values('   '), []);
});
