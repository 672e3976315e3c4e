import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scenario, tcpPacket, udpPacket } from '../testing/scenario.js';
import { analyzeScenario, ids } from '../testing/analyze-scenario.js';
import { ipv6, udp } from '../testing/build-packet.js';

test('icmp-unreachable: port unreachable for a UDP query, with the code named and the quoted flow', () => {
  const s = new Scenario();
  s.at(0).udp('10.244.1.5', 40000, '10.96.0.20', 53, new Uint8Array(30));
  s.at(0.0001).icmp('10.96.0.20', '10.244.1.5', 3, 3, udpPacket('10.244.1.5', 40000, '10.96.0.20', 53));
  s.at(0.5).icmp('10.96.0.20', '10.244.1.5', 3, 3, udpPacket('10.244.1.5', 40001, '10.96.0.20', 53));
  const r = analyzeScenario(s);
  assert.deepEqual(ids(r), ['icmp-unreachable']);
  const f = r.findings[0]!;
  assert.equal(f.count, 2);
  assert.match(f.title, /ICMP port unreachable from 10\.96\.0\.20 for udp to 10\.96\.0\.20:53/);
  assert.match(f.symptom ?? '', /ECONNREFUSED/);
  assert.ok(f.references.includes('FM-17'));
});

test('icmp-unreachable: REJECT --reject-with icmp-host-prohibited (code 10), admin filter (13), ICMPv6 port unreachable', () => {
  const s = new Scenario();
  s.at(0).icmp('10.0.0.254', '10.0.0.1', 3, 10, tcpPacket('10.0.0.1', 5000, '10.0.0.9', 22, 'S'));
  s.at(0.1).icmp('10.0.0.254', '10.0.0.1', 3, 13, tcpPacket('10.0.0.1', 5001, '10.0.0.9', 23, 'S'));
  s.at(0.2).icmp(
    '2001:db8::9',
    '2001:db8::1',
    1,
    4,
    ipv6(udp(5353, 53, new Uint8Array(8)), { src: '2001:db8::1', dst: '2001:db8::9', next: 17 }),
  );
  const r = analyzeScenario(s);
  assert.deepEqual(ids(r), ['icmp-unreachable', 'icmp-unreachable', 'icmp-unreachable']);
  const titles = r.findings.map((f) => f.title).join('\n');
  assert.match(titles, /host administratively prohibited/);
  assert.match(titles, /communication administratively prohibited/);
  assert.match(titles, /ICMPv6 port unreachable from 2001:db8::9 for udp to \[2001:db8::9\]:53/);
});

test('icmp-unreachable negatives: echo request/reply; frag-needed is pmtu-blackhole, not this', () => {
  const s = new Scenario();
  s.at(0).icmp('10.0.0.1', '10.0.0.2', 8, 0, new Uint8Array(8));
  s.at(0.001).icmp('10.0.0.2', '10.0.0.1', 0, 0, new Uint8Array(8));
  s.at(0.002).icmp('10.0.0.254', '10.0.0.1', 3, 4, tcpPacket('10.0.0.1', 5000, '10.0.0.9', 443, '.'), 1450);
  assert.deepEqual(ids(analyzeScenario(s)), ['pmtu-blackhole']);
});
