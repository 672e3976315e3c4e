import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scenario, tcpPacket } from '../testing/scenario.js';
import { analyzeScenario, ids } from '../testing/analyze-scenario.js';
import { ipv6, tcp } from '../testing/build-packet.js';

const C = '10.244.1.5';
const S = '10.244.2.7';

/** Handshake (MSS 1460 both ways), a small request the server acknowledges. */
function start(s: Scenario) {
  s.at(0).tcp(C, 40000, S, 443, 'S', { seq: 100, mss: 1460, wscale: 7 });
  s.at(0.001).tcp(S, 443, C, 40000, 'S.', { seq: 900, ack: 101, mss: 1460, wscale: 7 });
  s.at(0.002).tcp(C, 40000, S, 443, '.', { seq: 101, ack: 901, win: 502 });
  s.at(0.003).tcp(C, 40000, S, 443, 'P.', { seq: 101, ack: 901, win: 502, payload: 200 });
  s.at(0.004).tcp(S, 443, C, 40000, '.', { seq: 901, ack: 301, win: 502 });
}

test('pmtu-blackhole: a full-size segment retransmitted on the back-off, never acknowledged, small ones passed', () => {
  const s = new Scenario();
  start(s);
  s.at(0.005).tcp(S, 443, C, 40000, 'P.', { seq: 901, ack: 301, win: 502, payload: 300 });
  s.at(0.006).tcp(C, 40000, S, 443, '.', { seq: 301, ack: 1201, win: 502 });
  s.at(0.01).tcp(S, 443, C, 40000, '.', { seq: 1201, ack: 301, win: 502, payload: 1448 });
  for (const t of [0.3, 0.9, 2.1, 4.5])
    s.at(t).tcp(S, 443, C, 40000, '.', { seq: 1201, ack: 301, win: 502, payload: 1448 });
  const r = analyzeScenario(s);
  assert.deepEqual(ids(r), ['pmtu-blackhole']);
  const f = r.findings[0]!;
  assert.match(f.title, /Full-size segments from 10\.244\.2\.7 to 10\.244\.1\.5 are lost \(1448 bytes/);
  assert.ok(f.evidence.some((e) => /MSS 1460/.test(e.text)));
  assert.equal(f.packets[0]!.flags, 'S');
  assert.equal(f.packets.length, 5); // the SYN with the MSS and four retransmissions
});

test('pmtu-blackhole: ICMP fragmentation needed is reported with the MTU', () => {
  const s = new Scenario();
  s.at(0).icmp('192.168.0.254', C, 3, 4, tcpPacket(C, 40000, S, 443, '.', 5), 1450);
  const r = analyzeScenario(s);
  assert.deepEqual(ids(r), ['pmtu-blackhole']);
  assert.match(
    r.findings[0]!.title,
    /path MTU 1450 from 192\.168\.0\.254 for packets from 10\.244\.1\.5 to 10\.244\.2\.7/,
  );
});

test('pmtu-blackhole negatives: one retransmission then acknowledged; small segments retransmitted', () => {
  const s = new Scenario();
  start(s);
  s.at(0.01).tcp(S, 443, C, 40000, '.', { seq: 901, ack: 301, win: 502, payload: 1448 });
  s.at(0.3).tcp(S, 443, C, 40000, '.', { seq: 901, ack: 301, win: 502, payload: 1448 });
  s.at(0.301).tcp(C, 40000, S, 443, '.', { seq: 301, ack: 2349, win: 502 });
  s.at(0.31).tcp(C, 40000, S, 443, 'P.', { seq: 301, ack: 2349, win: 502, payload: 50 });
  for (const t of [0.6, 1.2, 2.4])
    s.at(t).tcp(C, 40000, S, 443, 'P.', { seq: 301, ack: 2349, win: 502, payload: 50 });
  assert.deepEqual(ids(analyzeScenario(s)), []);
});

test('pmtu-blackhole as captured at a Linux sender: GSO super-segments, then MSS-12 retransmits (timestamps)', () => {
  // what tcpdump in the mtu-blackhole lab's server pod shows: the veth hands tcpdump 6990-byte
  // GSO segments, the fabric drops the 1450-byte frames, and the RTO resends 1398 bytes
  // (MSS 1410 minus the 12-byte timestamp option) at 0.2 s, 0.6 s, 1.4 s
  const s = new Scenario();
  s.at(0).tcp(C, 40000, S, 8080, 'S', { seq: 100, mss: 1410, wscale: 10 });
  s.at(0.001).tcp(S, 8080, C, 40000, 'S.', { seq: 900, ack: 101, mss: 1410, wscale: 10 });
  s.at(0.002).tcp(C, 40000, S, 8080, '.', { seq: 101, ack: 901 });
  s.at(0.003).tcp(S, 8080, C, 40000, 'P.', { seq: 901, ack: 101, payload: 39 });
  s.at(0.004).tcp(C, 40000, S, 8080, '.', { seq: 101, ack: 940 });
  s.at(0.005).tcp(S, 8080, C, 40000, 'P.', { seq: 940, ack: 101, payload: 6990 });
  s.at(0.005).tcp(S, 8080, C, 40000, 'P.', { seq: 7930, ack: 101, payload: 6990 });
  for (const t of [0.22, 0.64, 1.48])
    s.at(t).tcp(S, 8080, C, 40000, '.', { seq: 940, ack: 101, payload: 1398 });
  const r = analyzeScenario(s);
  assert.deepEqual(ids(r), ['pmtu-blackhole']);
  assert.match(r.findings[0]!.title, /are lost \(1398 bytes/);
  // the same exchange whose retransmit is acknowledged is no black hole
  const ok = new Scenario();
  for (const f of s.ordered()) ok.frames.push(f);
  ok.at(1.481).tcp(C, 40000, S, 8080, '.', { seq: 101, ack: 2338 });
  assert.deepEqual(ids(analyzeScenario(ok)), []);
});

test('pmtu-blackhole: ICMPv6 packet too big is reported with the MTU', () => {
  const s = new Scenario();
  const quoted = ipv6(tcp({ sport: 443, dport: 40000, flags: '.', seq: 1, ack: 1, payload: 1400 }), {
    src: '2001:db8:2::7',
    dst: '2001:db8:1::5',
    next: 6,
  });
  s.at(0).icmp('2001:db8::fe', '2001:db8:2::7', 2, 0, quoted, 1280);
  const r = analyzeScenario(s);
  assert.deepEqual(ids(r), ['pmtu-blackhole']);
  assert.match(
    r.findings[0]!.title,
    /ICMPv6 packet too big: path MTU 1280 from 2001:db8::fe for packets from 2001:db8:2::7 to 2001:db8:1::5/,
  );
});
