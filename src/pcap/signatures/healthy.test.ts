import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scenario, type Link } from '../testing/scenario.js';
import { healthyTcp } from '../testing/conversations.js';
import { analyzeScenario, ids } from '../testing/analyze-scenario.js';

for (const link of ['eth', 'sll2', 'raw'] as Link[]) {
  for (const pcapng of [false, true]) {
    test(`healthy TCP (handshake, data, FIN) over ${link} ${pcapng ? 'pcapng' : 'pcap'}: no finding`, () => {
      const s = new Scenario(link);
      healthyTcp(s, '10.244.1.5', 40000, '10.96.0.1', 443);
      healthyTcp(s, '10.244.1.6', 40001, '10.244.2.7', 8080, 0.5);
      healthyTcp(s, 'fd00::5', 40002, 'fd00::7', 80, 1);
      const r = analyzeScenario(s, { pcapng });
      assert.deepEqual(ids(r), []);
      assert.equal(r.packets, s.frames.length);
      assert.equal(r.flows, 3);
      assert.deepEqual(r.diagnostics, []);
    });
  }
}

test('healthy DNS (A and AAAA from one socket, both answered) and healthy VXLAN traffic: no finding', () => {
  const s = new Scenario();
  s.at(0).dns('10.244.1.5', 45000, '10.96.0.10', 53, {
    id: 1,
    qname: 'api.prod.svc.cluster.local',
    qtype: 1,
  });
  s.at(0.000001).dns('10.244.1.5', 45000, '10.96.0.10', 53, {
    id: 2,
    qname: 'api.prod.svc.cluster.local',
    qtype: 28,
  });
  s.at(0.0004).dns('10.96.0.10', 53, '10.244.1.5', 45000, {
    id: 1,
    qname: 'api.prod.svc.cluster.local',
    qtype: 1,
    response: true,
    answers: 1,
  });
  s.at(0.0005).dns('10.96.0.10', 53, '10.244.1.5', 45000, {
    id: 2,
    qname: 'api.prod.svc.cluster.local',
    qtype: 28,
    response: true,
  });
  let seq = 1;
  s.at(1).vxlanTcp('192.168.0.1', '192.168.0.2', 8472, 1, '10.244.1.5', 33000, '10.244.2.7', 80, 'S', {
    seq: seq++,
  });
  s.at(1.001).vxlanTcp('192.168.0.2', '192.168.0.1', 8472, 1, '10.244.2.7', 80, '10.244.1.5', 33000, 'S.', {
    seq: 900,
    ack: seq,
  });
  s.at(1.002).vxlanTcp('192.168.0.1', '192.168.0.2', 8472, 1, '10.244.1.5', 33000, '10.244.2.7', 80, '.', {
    seq,
    ack: 901,
  });
  const r = analyzeScenario(s);
  assert.deepEqual(ids(r), []);
  assert.equal(r.flows, 2);
});
