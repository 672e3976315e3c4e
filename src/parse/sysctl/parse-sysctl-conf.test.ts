import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSysctlConf } from './parse-sysctl-conf.js';
import { effectiveSysctlConf, parseSysctlPersistent } from './parse-sysctl-persistent.js';
import { joinFramedFiles, splitFramedFiles } from './framed-files.js';
import { readFixture } from './read-fixture.js';

test('sysctl.conf: both spellings, comments, "-" prefix, missing "="', () => {
  const r = parseSysctlConf(
    '# c\n; c\nnet.ipv4.ip_forward=1\n  -net.bridge.bridge-nf-call-iptables = 1 \nnope\n=1\n',
  );
  assert.deepEqual(r.value, [
    { key: 'net.ipv4.ip_forward', value: '1', line: 3, ignoreErrors: false },
    { key: 'net.bridge.bridge-nf-call-iptables', value: '1', line: 4, ignoreErrors: true },
  ]);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.line, d.column]),
    [
      ['SYNTAX', 5, 1],
      ['SYNTAX', 6, 1],
    ],
  );
});

test('sysctl-persistent: file names and lines within each file', () => {
  const { value, diagnostics } = parseSysctlPersistent(readFixture('sysctl-persistent.txt'));
  assert.deepEqual(
    value.map((e) => [e.file, e.line, e.key, e.value, e.ignoreErrors, e.docLine]),
    [
      ['/etc/sysctl.d/10-network-security.conf', 3, 'net.ipv4.conf.default.rp_filter', '2', false, 4],
      ['/etc/sysctl.d/10-network-security.conf', 4, 'net.ipv4.conf.all.rp_filter', '2', false, 5],
      ['/etc/sysctl.d/99-kubernetes-cri.conf', 2, 'net.bridge.bridge-nf-call-iptables', '1', false, 9],
      ['/etc/sysctl.d/99-kubernetes-cri.conf', 3, 'net.ipv4.ip_forward', '1', false, 10],
      ['/etc/sysctl.d/99-kubernetes-cri.conf', 4, 'net.bridge.bridge-nf-call-ip6tables', '1', true, 11],
      ['/etc/sysctl.d/99-kubernetes-cri.conf', 5, 'net.ipv4.conf.flannel.1.rp_filter', '0', false, 12],
      ['/etc/sysctl.conf', 4, 'net.ipv4.ip_local_port_range', '32768 60999', false, 18],
      ['/etc/sysctl.conf', 5, 'net.ipv4.ip_forward', '0', false, 19],
    ],
  );
  // positioned in the document, message names the file's own line
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.line, d.column, d.message.includes('/etc/sysctl.conf: line 6')]),
    [['SYNTAX', 20, 1, true]],
  );
});

test('effectiveSysctlConf: sysctl --system order, /etc/sysctl.conf last, /etc masks /usr/lib', () => {
  const { value } = parseSysctlPersistent(readFixture('sysctl-persistent.txt'));
  const eff = effectiveSysctlConf(value);
  assert.equal(eff.get('net.ipv4.ip_forward')?.value, '0');
  assert.equal(eff.get('net.ipv4.ip_forward')?.file, '/etc/sysctl.conf');
  assert.equal(eff.get('net.bridge.bridge-nf-call-iptables')?.line, 2);
  const masked = parseSysctlPersistent(
    joinFramedFiles([
      {
        file: '/usr/lib/sysctl.d/50-default.conf',
        text: 'net.ipv4.conf.all.rp_filter = 2\nnet.core.somaxconn = 4096',
      },
      { file: '/etc/sysctl.d/50-default.conf', text: 'net.core.somaxconn = 1024' },
      { file: '/usr/lib/sysctl.d/40-x.conf', text: 'net.core.somaxconn = 7' },
    ]),
  ).value;
  const e = effectiveSysctlConf(masked);
  assert.equal(e.get('net.core.somaxconn')?.value, '1024');
  assert.equal(e.get('net.ipv4.conf.all.rp_filter'), undefined);
});

test('framing: unframed text is one nameless file; text before the first header is kept', () => {
  assert.deepEqual(splitFramedFiles('a=1\n'), [
    { file: '', headerLine: 0, lines: ['a=1', ''], firstLine: 1 },
  ]);
  const f = splitFramedFiles('x\n==> /a <==\n1\n\n==> /b <==\n');
  assert.deepEqual(
    f.map((x) => [x.file, x.headerLine, x.firstLine, x.lines.length]),
    [
      ['', 0, 1, 1],
      ['/a', 2, 3, 2],
      ['/b', 5, 6, 1],
    ],
  );
  assert.equal(parseSysctlPersistent('net.ipv4.ip_forward = 1').value[0]?.file, '');
});
