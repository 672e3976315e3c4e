import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scenario } from '../testing/scenario.js';
import { analyzeScenario, ids } from '../testing/analyze-scenario.js';

const NODE = '192.168.1.10';
const DST = '52.1.2.3';

test('snat-port-reuse: two connections (different ISNs) leave from one node port to one destination at once', () => {
  const s = new Scenario('sll2');
  // pod side (before MASQUERADE), then node egress (after), on their interfaces
  s.at(0).tcp('10.244.1.5', 5555, DST, 443, 'S', { seq: 111, ifindex: 7 });
  s.at(0.00005).tcp('10.244.1.6', 6666, DST, 443, 'S', { seq: 222, ifindex: 8 });
  s.at(0.0001).tcp(NODE, 40000, DST, 443, 'S', { seq: 111, ifindex: 2 });
  s.at(0.00015).tcp(NODE, 40000, DST, 443, 'S', { seq: 222, ifindex: 2 });
  const r = analyzeScenario(s);
  assert.deepEqual(ids(r), ['snat-port-reuse']);
  const f = r.findings[0]!;
  assert.match(f.title, /192\.168\.1\.10:40000 towards 52\.1\.2\.3:443/);
  assert.match(f.symptom ?? '', /10\.244\.1\.5:5555 and 10\.244\.1\.6:6666 before NAT/);
  assert.deepEqual(
    f.packets.map((p) => p.n),
    [1, 2, 3, 4],
  );
});

test('snat-port-reuse after VXLAN decap: same inner tuple from two VTEPs with different ISNs', () => {
  const s = new Scenario();
  s.at(0).vxlanTcp('192.168.0.1', '192.168.0.9', 8472, 1, '10.244.9.1', 40000, '10.244.7.7', 80, 'S', {
    seq: 1,
  });
  s.at(0.0001).vxlanTcp('192.168.0.2', '192.168.0.9', 8472, 1, '10.244.9.1', 40000, '10.244.7.7', 80, 'S', {
    seq: 2,
  });
  assert.deepEqual(ids(analyzeScenario(s)), ['snat-port-reuse']);
});

test('snat-port-reuse negatives: retransmission (same ISN); port reused after a RST; 3 s apart', () => {
  const rtx = new Scenario();
  rtx.at(0).tcp(NODE, 40000, DST, 443, 'S', { seq: 5 });
  rtx.at(0.5).tcp(NODE, 40000, DST, 443, 'S', { seq: 5 });
  assert.deepEqual(ids(analyzeScenario(rtx)), []);
  const reuse = new Scenario();
  reuse.at(0).tcp(NODE, 40001, DST, 443, 'S', { seq: 5 });
  reuse.at(0.001).tcp(DST, 443, NODE, 40001, 'R.', { seq: 0, ack: 6 });
  reuse.at(0.002).tcp(NODE, 40001, DST, 443, 'S', { seq: 99 });
  assert.deepEqual(
    ids(analyzeScenario(reuse)).filter((x) => x === 'snat-port-reuse'),
    [],
  );
  const later = new Scenario();
  later.at(0).tcp(NODE, 40002, DST, 443, 'S', { seq: 5 });
  later.at(3).tcp(NODE, 40002, DST, 443, 'S', { seq: 77 });
  assert.deepEqual(ids(analyzeScenario(later)), []);
});
