import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scenario } from '../testing/scenario.js';
import { analyzeScenario, ids } from '../testing/analyze-scenario.js';
import { analyzeBuffer } from '../analyze.js';

const A = '10.244.1.5';
const VIP = '10.96.100.1';
const B = '10.244.2.7';

/** An established connection A -> VIP with some data. */
function established(s: Scenario) {
  s.at(0).tcp(A, 40000, VIP, 80, 'S', { seq: 1000, mss: 1460, wscale: 7, win: 64240 });
  s.at(0.001).tcp(VIP, 80, A, 40000, 'S.', { seq: 5000, ack: 1001, mss: 1460, wscale: 7, win: 65160 });
  s.at(0.002).tcp(A, 40000, VIP, 80, '.', { seq: 1001, ack: 5001, win: 502 });
  s.at(0.003).tcp(A, 40000, VIP, 80, 'P.', { seq: 1001, ack: 5001, win: 502, payload: 100 });
  s.at(0.004).tcp(VIP, 80, A, 40000, '.', { seq: 5001, ack: 1101, win: 502, payload: 1448 });
  s.at(0.005).tcp(A, 40000, VIP, 80, '.', { seq: 1101, ack: 6449, win: 502 });
}

test('ct-invalid-reset: a segment escapes reverse NAT (from the pod, not the VIP) and the client resets it', () => {
  const s = new Scenario();
  established(s);
  s.at(1).tcp(B, 80, A, 40000, '.', { seq: 2000, ack: 1101, win: 502, payload: 1448 });
  s.at(1.0001).tcp(A, 40000, B, 80, 'R', { seq: 1101 });
  const r = analyzeScenario(s);
  assert.deepEqual(ids(r), ['ct-invalid-reset']);
  const f = r.findings[0]!;
  assert.match(f.title, /10\.244\.1\.5:40000 <> 10\.96\.100\.1:80/);
  assert.match(f.symptom ?? '', /from 10\.244\.2\.7:80/);
  assert.deepEqual(
    f.packets.map((p) => p.n),
    [1, 7, 8],
  );
});

test('ct-invalid-reset: an out-of-window segment (tcp_in_window) followed by a mid-stream RST', () => {
  const s = new Scenario();
  established(s);
  s.at(1).tcp(VIP, 80, A, 40000, '.', { seq: 5001 + 2_000_000_000, ack: 1101, win: 502, payload: 1448 });
  s.at(1.0002).tcp(A, 40000, VIP, 80, 'R', { seq: 1101 });
  const r = analyzeScenario(s);
  assert.deepEqual(ids(r), ['ct-invalid-reset']);
  assert.match(r.findings[0]!.symptom ?? '', /outside the window/);
});

test('ct-invalid-reset negatives: an in-window duplicate then RST; a stray segment without RST; a plain abort', () => {
  const dup = new Scenario();
  established(dup);
  dup.at(1).tcp(VIP, 80, A, 40000, '.', { seq: 5001, ack: 1101, win: 502, payload: 1448 });
  dup.at(1.0002).tcp(A, 40000, VIP, 80, 'R', { seq: 1101 });
  assert.deepEqual(ids(analyzeScenario(dup)), []);
  const stray = new Scenario();
  established(stray);
  stray.at(1).tcp(B, 80, A, 40000, '.', { seq: 2000, ack: 1101, win: 502, payload: 10 });
  assert.deepEqual(ids(analyzeScenario(stray)), []);
  const abort = new Scenario();
  established(abort);
  abort.at(2).tcp(A, 40000, VIP, 80, 'R.', { seq: 1101, ack: 6449 });
  assert.deepEqual(ids(analyzeScenario(abort)), []);
});

test('window checks are off for tcpdump text (sequence numbers may be relative)', () => {
  // the same conversation as tcpdump prints it: relative numbers after the handshake
  const lines = `10:00:00.000000 IP 10.244.1.5.40000 > 10.96.100.1.80: Flags [S], seq 1000, win 64240, options [mss 1460,wscale 7], length 0
10:00:00.001000 IP 10.96.100.1.80 > 10.244.1.5.40000: Flags [S.], seq 5000, ack 1001, win 65160, options [mss 1460,wscale 7], length 0
10:00:00.002000 IP 10.244.1.5.40000 > 10.96.100.1.80: Flags [.], ack 1, win 502, length 0
10:00:00.003000 IP 10.244.1.5.40000 > 10.96.100.1.80: Flags [P.], seq 1:101, ack 1, win 502, length 100
10:00:00.004000 IP 10.96.100.1.80 > 10.244.1.5.40000: Flags [.], seq 1:1449, ack 101, win 502, length 1448
10:00:01.000000 IP 10.244.1.5.40000 > 10.96.100.1.80: Flags [R], seq 101, win 0, length 0
`;
  const r = analyzeBuffer(Buffer.from(lines), { text: true });
  assert.equal(r.packets, 6);
  assert.deepEqual(ids(r), []);
});
