import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIPv6, parseCidr, parseIPv4, parseIPv6 } from './parse-address.js';
import { parseNatRange } from './parse-nat-range.js';
import { parsePortList, parsePortRange } from './parse-port.js';
import { parseUintBase0, parseValueMask } from './parse-number.js';

test('IPv4 host -> /32, prefix kept, host bits cleared, dotted mask -> length', () => {
  assert.deepEqual(parseCidr('10.42.0.7', 'ipv4'), { ok: true, cidr: { addr: '10.42.0.7', len: 32 } });
  assert.deepEqual(parseCidr('10.42.0.7/32', 'ipv4'), { ok: true, cidr: { addr: '10.42.0.7', len: 32 } });
  assert.deepEqual(parseCidr('10.1.2.3/8', 'ipv4'), { ok: true, cidr: { addr: '10.0.0.0', len: 8 } });
  assert.deepEqual(parseCidr('0.0.0.0/0', 'ipv4'), { ok: true, cidr: { addr: '0.0.0.0', len: 0 } });
  assert.deepEqual(parseCidr('192.168.1.0/255.255.255.0', 'ipv4'), {
    ok: true,
    cidr: { addr: '192.168.1.0', len: 24 },
  });
  assert.deepEqual(parseCidr('010.1.1.1', 'ipv4'), { ok: true, cidr: { addr: '10.1.1.1', len: 32 } });
});

test('IPv4 errors: bad text, bad length, non-contiguous mask (unsupported), IPv6 in v4', () => {
  const bad = (s: string) => parseCidr(s, 'ipv4');
  assert.equal(bad('10.0.0.256').ok, false);
  assert.equal(bad('10.0.0').ok, false);
  assert.equal(bad('10.0.0.0/33').ok, false);
  assert.equal(bad('10.0.0.0/').ok, false);
  assert.equal(bad('host.example').ok, false);
  const nc = bad('1.2.3.4/255.0.255.0');
  assert.equal(nc.ok, false);
  assert.equal(!nc.ok && nc.unsupported, true);
  const v6 = bad('::1');
  assert.equal(!v6.ok && /IPv6/.test(v6.reason), true);
});

test('IPv6: RFC 5952 text, /128 default, embedded IPv4, host bits cleared', () => {
  assert.deepEqual(parseCidr('::1', 'ipv6'), { ok: true, cidr: { addr: '::1', len: 128 } });
  assert.deepEqual(parseCidr('2001:db8::8d3:0:0:1/128', 'ipv6'), {
    ok: true,
    cidr: { addr: '2001:db8::8d3:0:0:1', len: 128 },
  });
  assert.deepEqual(parseCidr('2001:db8:0:0:8d3::/128', 'ipv6'), {
    ok: true,
    cidr: { addr: '2001:db8:0:0:8d3::', len: 128 },
  });
  assert.deepEqual(parseCidr('::ffff:127.0.0.1/128', 'ipv6'), {
    ok: true,
    cidr: { addr: '::ffff:127.0.0.1', len: 128 },
  });
  assert.deepEqual(parseCidr('FE80::1/10', 'ipv6'), { ok: true, cidr: { addr: 'fe80::', len: 10 } });
  assert.deepEqual(parseCidr('::/0', 'ipv6'), { ok: true, cidr: { addr: '::', len: 0 } });
  assert.equal(parseCidr('1::2::3', 'ipv6').ok, false);
  assert.equal(parseCidr('12345::', 'ipv6').ok, false);
  assert.equal(parseCidr('1:2:3:4:5:6:7:8:9', 'ipv6').ok, false);
  assert.equal(parseCidr('::/129', 'ipv6').ok, false);
  assert.equal(parseCidr('10.0.0.1', 'ipv6').ok, false);
});

test('IPv6 words and formatting', () => {
  assert.deepEqual(parseIPv6('1:0:0:2::'), [1, 0, 0, 2, 0, 0, 0, 0]);
  assert.equal(formatIPv6([1, 0, 0, 2, 0, 0, 0, 0]), '1:0:0:2::');
  assert.equal(formatIPv6([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]), '2001:db8::1:0:0:1');
  assert.equal(formatIPv6([1, 2, 3, 4, 5, 6, 7, 8]), '1:2:3:4:5:6:7:8');
  assert.equal(parseIPv4('255.255.255.255'), 0xffffffff);
});

test('ports: single, range, open ends, udp keeps min > max, multiport lists', () => {
  assert.deepEqual(parsePortRange('53'), { from: 53, to: 53 });
  assert.deepEqual(parsePortRange('67:68'), { from: 67, to: 68 });
  assert.deepEqual(parsePortRange(':80'), { from: 0, to: 80 });
  assert.deepEqual(parsePortRange('1024:'), { from: 1024, to: 65535 });
  assert.deepEqual(parsePortRange('ssh'), { from: 22, to: 22 });
  assert.equal(parsePortRange('90:80'), null);
  assert.deepEqual(parsePortRange('60000:29', ':', true), { from: 60000, to: 29 });
  assert.equal(parsePortRange('65536'), null);
  assert.deepEqual(parsePortRange('1024-65535', '-'), { from: 1024, to: 65535 });
  assert.deepEqual(parsePortList('80,443,9025:9040'), {
    ports: [
      { from: 80, to: 80 },
      { from: 443, to: 443 },
      { from: 9025, to: 9040 },
    ],
  });
  assert.ok('error' in parsePortList('1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16'));
  assert.ok('error' in parsePortList('80,,81'));
});

test('NAT ranges: ip, ip:port, ip-ip:port-port, :port, IPv6 brackets', () => {
  assert.deepEqual(parseNatRange('10.42.0.7:53', 'ipv4'), {
    ok: true,
    range: { addrFrom: '10.42.0.7', addrTo: '10.42.0.7', portFrom: 53, portTo: 53 },
  });
  assert.deepEqual(parseNatRange('1.2.3.4-1.2.3.9:80-90', 'ipv4'), {
    ok: true,
    range: { addrFrom: '1.2.3.4', addrTo: '1.2.3.9', portFrom: 80, portTo: 90 },
  });
  assert.deepEqual(parseNatRange('172.31.0.225', 'ipv4'), {
    ok: true,
    range: { addrFrom: '172.31.0.225', addrTo: '172.31.0.225' },
  });
  assert.deepEqual(parseNatRange(':8080', 'ipv4'), { ok: true, range: { portFrom: 8080, portTo: 8080 } });
  assert.deepEqual(parseNatRange('[2001:db8::1]:80', 'ipv6'), {
    ok: true,
    range: { addrFrom: '2001:db8::1', addrTo: '2001:db8::1', portFrom: 80, portTo: 80 },
  });
  assert.deepEqual(parseNatRange('fd00::1', 'ipv6'), {
    ok: true,
    range: { addrFrom: 'fd00::1', addrTo: 'fd00::1' },
  });
  assert.equal(parseNatRange('1.2.3.9-1.2.3.4', 'ipv4').ok, false);
  assert.equal(parseNatRange('1.2.3.4:90-80', 'ipv4').ok, false);
  assert.equal(parseNatRange('10.0.0.300:80', 'ipv4').ok, false);
  assert.equal(parseNatRange('', 'ipv4').ok, false);
});

test('numbers as strtoul(.., 0): hex, octal, decimal; value/mask default mask', () => {
  assert.equal(parseUintBase0('0x4000'), 0x4000);
  assert.equal(parseUintBase0('16384'), 16384);
  assert.equal(parseUintBase0('010'), 8);
  assert.equal(parseUintBase0('0xffffffff'), 0xffffffff);
  assert.equal(parseUintBase0('0x100000000'), -1);
  assert.equal(parseUintBase0('0x'), -1);
  assert.equal(parseUintBase0('09'), -1);
  assert.deepEqual(parseValueMask('0x4000/0x4000'), { value: 0x4000, mask: 0x4000 });
  assert.deepEqual(parseValueMask('0x80'), { value: 0x80, mask: 0xffffffff });
  assert.equal(parseValueMask('0x80/zz'), null);
});
