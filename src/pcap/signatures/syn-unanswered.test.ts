import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scenario } from '../testing/scenario.js';
import { analyzeScenario, ids } from '../testing/analyze-scenario.js';

test('syn-unanswered: SYN retransmitted at +1 s, +3 s, +7 s with nothing back', () => {
  const s = new Scenario();
  for (const t of [0, 1, 3, 7]) s.at(t).tcp('10.244.1.5', 40000, '10.244.2.9', 5432, 'S', { seq: 77 });
  const r = analyzeScenario(s);
  assert.deepEqual(ids(r), ['syn-unanswered']);
  const f = r.findings[0]!;
  assert.equal(f.severity, 'warning');
  assert.equal(f.count, 1);
  assert.equal(f.packets.length, 4);
  assert.match(f.title, /10\.244\.2\.9:5432/);
  assert.ok(f.evidence.some((e) => /\+1\.0 s, \+3\.0 s, \+7\.0 s/.test(e.text)));
});

test('syn-unanswered inside VXLAN: the inner flow is reported, outer addresses kept', () => {
  const s = new Scenario();
  for (const t of [0, 1, 3])
    s.at(t).vxlanTcp('192.168.0.1', '192.168.0.2', 4789, 42, '10.244.1.5', 40000, '10.244.2.9', 80, 'S', {
      seq: 5,
    });
  const r = analyzeScenario(s);
  assert.deepEqual(ids(r), ['syn-unanswered']);
  assert.deepEqual(r.findings[0]!.packets[0]!.outer, {
    src: '192.168.0.1',
    dst: '192.168.0.2',
    sport: 49152,
    dport: 4789,
    vni: 42,
  });
});

test('syn-unanswered negatives: answered after one retransmission; only one retransmission; copies of one SYN', () => {
  const late = new Scenario();
  late.at(0).tcp('10.0.0.1', 1, '10.0.0.2', 80, 'S', { seq: 1 });
  late.at(1).tcp('10.0.0.1', 1, '10.0.0.2', 80, 'S', { seq: 1 });
  late.at(3).tcp('10.0.0.1', 1, '10.0.0.2', 80, 'S', { seq: 1 });
  late.at(3.001).tcp('10.0.0.2', 80, '10.0.0.1', 1, 'S.', { seq: 9, ack: 2 });
  assert.deepEqual(ids(analyzeScenario(late)), []);
  const short = new Scenario();
  short.at(0).tcp('10.0.0.1', 2, '10.0.0.2', 80, 'S', { seq: 1 });
  short.at(1).tcp('10.0.0.1', 2, '10.0.0.2', 80, 'S', { seq: 1 });
  assert.deepEqual(ids(analyzeScenario(short)), []);
  const copies = new Scenario();
  for (const t of [0, 0.00001, 0.00002, 1]) copies.at(t).tcp('10.0.0.1', 3, '10.0.0.2', 80, 'S', { seq: 1 });
  assert.deepEqual(ids(analyzeScenario(copies)), []);
});

test('rst-refused: a SYN answered by RST,ACK (closed port or REJECT with tcp-reset)', () => {
  const s = new Scenario();
  s.at(0).tcp('10.244.1.5', 40000, '10.244.2.9', 8081, 'S', { seq: 100 });
  s.at(0.0002).tcp('10.244.2.9', 8081, '10.244.1.5', 40000, 'R.', { seq: 0, ack: 101 });
  const r = analyzeScenario(s);
  assert.deepEqual(ids(r), ['rst-refused']);
  assert.match(r.findings[0]!.title, /refused with TCP RST/);
  assert.equal(r.findings[0]!.packets.length, 2);
});

test('rst-refused negative: a RST that ends an established connection', () => {
  const s = new Scenario();
  s.at(0).tcp('10.0.0.1', 1, '10.0.0.2', 80, 'S', { seq: 1 });
  s.at(0.001).tcp('10.0.0.2', 80, '10.0.0.1', 1, 'S.', { seq: 9, ack: 2 });
  s.at(0.002).tcp('10.0.0.1', 1, '10.0.0.2', 80, '.', { seq: 2, ack: 10 });
  s.at(0.5).tcp('10.0.0.2', 80, '10.0.0.1', 1, 'R.', { seq: 10, ack: 2 });
  assert.deepEqual(ids(analyzeScenario(s)), []);
});
