import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSsListeners } from './parse-ss.js';

test('ss listeners: wildcard, bound address, IPv6, UDP', () => {
  const r = parseSsListeners(
    'tcp   LISTEN 0      511          0.0.0.0:8080       0.0.0.0:*\nudp   UNCONN 0      0      10.224.1.56%eth0:53         0.0.0.0:*\ntcp LISTEN 0 4096 [::]:9090 [::]:*\n',
  );
  assert.deepEqual(
    r.value.map((x) => `${x.proto}/${x.addr}/${x.port}`),
    ['tcp/*/8080', 'udp/10.224.1.56/53', 'tcp/*/9090'],
  );
  assert.equal(r.diagnostics.length, 0);
});

test('ss listeners: garbage gives a positioned diagnostic and keeps the rest', () => {
  const r = parseSsListeners(
    'tcp LISTEN 0 1 0.0.0.0:80 0.0.0.0:*\nhello world\ntcp LISTEN 0 1 0.0.0.0:99999 x\n',
  );
  assert.equal(r.value.length, 1);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.line]),
    [
      ['SYNTAX', 2],
      ['BAD_VALUE', 3],
    ],
  );
});
