import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scenario, tcpPacket } from '../testing/scenario.js';
import { analyzeScenario, ids } from '../testing/analyze-scenario.js';

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
