import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSysctl } from './parse-sysctl.js';
import { normaliseSysctlName } from './sysctl-name.js';
import { readFixture } from './read-fixture.js';

test('sysctl -a of a fresh namespace: every line a value, tabs normalised', () => {
  const text = readFixture('sysctl-a.txt');
  const { value, diagnostics } = parseSysctl(text);
  assert.deepEqual(diagnostics, []);
  assert.equal(value.size, text.trim().split('\n').length);
  assert.deepEqual(value.get('net.ipv4.ip_local_port_range'), {
    value: '32768 60999',
    line: text.split('\n').findIndex((l) => l.startsWith('net.ipv4.ip_local_port_range')) + 1,
  });
  assert.equal(value.get('net.bridge.bridge-nf-call-iptables')?.value, '1');
  assert.equal(value.get('net.ipv4.ip_forward')?.value, '0');
  assert.equal(value.get('net.ipv4.tcp_rmem')?.value, '4096 131072 33554432');
  assert.equal(value.get('net.netfilter.nf_conntrack_max')?.value, '262144');
});

test('interface names with dots, empty values, sysctl messages, duplicates, junk', () => {
  const text = [
    'net.ipv4.conf.flannel/1.rp_filter = 0',
    'kernel.domainname = ',
    "sysctl: permission denied on key 'net.ipv6.conf.all.stable_secret'",
    'net.ipv4.ip_forward = 1',
    '',
    '   net.ipv4.ip_forward=0',
    'garbage',
  ].join('\n');
  const r = parseSysctl(text);
  assert.deepEqual(r.value.get('net.ipv4.conf.flannel.1.rp_filter'), { value: '0', line: 1 });
  assert.deepEqual(r.value.get('kernel.domainname'), { value: '', line: 2 });
  assert.deepEqual(r.value.get('net.ipv4.ip_forward'), { value: '0', line: 6 });
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.severity, d.line, d.column]),
    [
      ['UNSUPPORTED', 'warning', 3, 1],
      ['DUPLICATE', 'warning', 6, 4],
      ['SYNTAX', 'error', 7, 1],
    ],
  );
  assert.deepEqual(
    parseSysctl('').diagnostics.map((d) => d.code),
    ['EMPTY'],
  );
});

test('normaliseSysctlName: procps spelling and path spelling agree', () => {
  assert.equal(normaliseSysctlName('net.ipv4.conf.flannel/1.rp_filter'), 'net.ipv4.conf.flannel.1.rp_filter');
  assert.equal(normaliseSysctlName('net/ipv4/conf/flannel.1/rp_filter'), 'net.ipv4.conf.flannel.1.rp_filter');
  assert.equal(normaliseSysctlName('/proc/sys/net/ipv4/ip_forward'), 'net.ipv4.ip_forward');
});
