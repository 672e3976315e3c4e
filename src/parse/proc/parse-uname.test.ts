import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelAtLeast, parseUname } from './parse-uname.js';
import { readFixture } from './read-fixture.js';

test('uname -a of this VM', () => {
  const r = parseUname(readFixture('uname-a.txt'));
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.value, {
    release: '6.18.44-fc-v1147',
    sysname: 'Linux',
    nodename: 'vm',
    version: '#1 SMP PREEMPT_DYNAMIC @0',
    machine: 'x86_64',
  });
});

test('uname -r, and uname -a with processor and platform', () => {
  assert.deepEqual(parseUname(readFixture('uname-r.txt')).value, { release: '6.18.44-fc-v1147' });
  const r = parseUname(
    'Linux node1 5.15.0-91-generic #101-Ubuntu SMP Tue Nov 14 13:30:08 UTC 2023 x86_64 x86_64 x86_64 GNU/Linux\n',
  );
  assert.deepEqual(r.value, {
    release: '5.15.0-91-generic',
    sysname: 'Linux',
    nodename: 'node1',
    version: '#101-Ubuntu SMP Tue Nov 14 13:30:08 UTC 2023',
    machine: 'x86_64',
  });
  assert.equal(
    parseUname(
      'Linux pi 6.6.31+rpt-rpi-v8 #1 SMP PREEMPT Debian 1:6.6.31-1+rpt1 (2024-05-29) aarch64 GNU/Linux',
    ).value.machine,
    'aarch64',
  );
});

test('uname: bad input is diagnosed', () => {
  assert.deepEqual(
    parseUname('').diagnostics.map((d) => d.code),
    ['EMPTY'],
  );
  assert.deepEqual(
    parseUname('\nhello').diagnostics.map((d) => [d.code, d.line, d.column]),
    [['BAD_VALUE', 2, 1]],
  );
  assert.deepEqual(
    parseUname('Linux host notaversion x').diagnostics.map((d) => [d.code, d.line, d.column]),
    [['SYNTAX', 1, 12]],
  );
});

test('kernelAtLeast', () => {
  assert.equal(kernelAtLeast('6.18.44-fc-v1147', '5.3'), true);
  assert.equal(kernelAtLeast('5.3.0', '5.3'), true);
  assert.equal(kernelAtLeast('5.2.21', '5.3'), false);
  assert.equal(kernelAtLeast('4.19.0-26-amd64', '4.19.1'), false);
  assert.equal(kernelAtLeast('5.10', '5.4.7'), true);
  assert.equal(kernelAtLeast('weird', '5.3'), undefined);
});
