import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scenario } from '../testing/scenario.js';
import { analyzeScenario, ids } from '../testing/analyze-scenario.js';
import { analyzeBuffer } from '../analyze.js';

const A = '10.224.1.34';
const VIP = '10.233.53.172';
const B = '10.224.1.56';

/** The incident on the client's veth: SYN to the VIP, SYN-ACK from the pod, RST. */
function incident(s: Scenario, t = 0, port = 45954, isn = 1108986852, ifindex = 2) {
  s.at(t).tcp(A, port, VIP, 8080, 'S', { seq: isn, mss: 1410, wscale: 7, ifindex });
  s.at(t + 0.0001).tcp(B, 8080, A, port, 'S.', { seq: 3860576650, ack: isn + 1, ifindex });
  s.at(t + 0.00011).tcp(A, port, B, 8080, 'R', { seq: isn + 1, ifindex });
  return s;
}

test('nat-reply-bypass: SYN to the VIP, SYN-ACK from the pod, client RST; named, with packet evidence', () => {
  const s = incident(new Scenario());
  incident(s, 1.0); // the retransmitted SYN meets the same fate
  const names = new Map([
    [A, 'spring-prod/podA'],
    [VIP, 'svc spring-prod/panorama-v2-frontend-service'],
    [B, 'spring-prod/podB'],
  ]);
  const r = analyzeScenario(s, { names });
  assert.deepEqual(ids(r), ['nat-reply-bypass']);
  const f = r.findings[0]!;
  assert.equal(f.severity, 'critical');
  assert.equal(f.count, 2);
  assert.match(
    f.title,
    /spring-prod\/podB \(10\.224\.1\.56\):8080 bypass the reverse NAT of svc spring-prod\/panorama-v2-frontend-service \(10\.233\.53\.172\):8080/,
  );
  assert.deepEqual(
    f.packets.slice(0, 3).map((p) => [p.source, p.flags, p.src, p.dst]),
    [
      ['test.pcap#1', 'S', A, VIP],
      ['test.pcap#2', 'S.', B, A],
      ['test.pcap#3', 'R', A, B],
    ],
  );
  assert.equal(f.evidence[0]!.source, 'test.pcap#1');
  assert.ok(f.fix.some((x) => x.commands.includes('sysctl -w net.bridge.bridge-nf-call-iptables=1')));
  assert.ok(f.references.includes('FM-01'));
});

test('nat-reply-bypass negatives: reply from the VIP; pod reply that the client accepts; SYN-ACK for another SYN', () => {
  const ok = new Scenario();
  ok.at(0).tcp(A, 1, VIP, 8080, 'S', { seq: 10 });
  ok.at(0.001).tcp(VIP, 8080, A, 1, 'S.', { seq: 50, ack: 11 });
  ok.at(0.002).tcp(A, 1, VIP, 8080, '.', { seq: 11, ack: 51 });
  assert.deepEqual(ids(analyzeScenario(ok)), []);
  const noRst = new Scenario();
  noRst.at(0).tcp(A, 2, VIP, 8080, 'S', { seq: 10 });
  noRst.at(0.001).tcp(B, 8080, A, 2, 'S.', { seq: 50, ack: 11 });
  assert.deepEqual(ids(analyzeScenario(noRst)), []);
  const wrongAck = new Scenario();
  wrongAck.at(0).tcp(A, 3, VIP, 8080, 'S', { seq: 10 });
  wrongAck.at(0.001).tcp(B, 8080, A, 3, 'S.', { seq: 50, ack: 999 });
  wrongAck.at(0.002).tcp(A, 3, B, 8080, 'R', { seq: 999 });
  assert.deepEqual(
    ids(analyzeScenario(wrongAck)).filter((x) => x === 'nat-reply-bypass'),
    [],
  );
});

test('node-wide capture (-i any, SLL2): the broken client view is found, the healthy one is not', () => {
  // broken: on vethA (ifindex 5) SYN to VIP, SYN-ACK from B, RST; on vethB (6) the DNATed view
  const broken = new Scenario('sll2');
  broken.at(0).tcp(A, 40000, VIP, 8080, 'S', { seq: 1, ifindex: 5 });
  broken.at(0.0001).tcp(A, 40000, B, 8080, 'S', { seq: 1, ifindex: 6 });
  broken.at(0.0002).tcp(B, 8080, A, 40000, 'S.', { seq: 9, ack: 2, ifindex: 6 });
  broken.at(0.0003).tcp(B, 8080, A, 40000, 'S.', { seq: 9, ack: 2, ifindex: 5 });
  broken.at(0.0004).tcp(A, 40000, B, 8080, 'R', { seq: 2, ifindex: 5 });
  broken.at(0.0005).tcp(A, 40000, B, 8080, 'R', { seq: 2, ifindex: 6 });
  const r = analyzeScenario(broken);
  assert.deepEqual(ids(r), ['nat-reply-bypass']);
  assert.equal(r.findings[0]!.count, 1);
  const healthy = new Scenario('sll2');
  healthy.at(0).tcp(A, 40000, VIP, 8080, 'S', { seq: 1, ifindex: 5 });
  healthy.at(0.0001).tcp(A, 40000, B, 8080, 'S', { seq: 1, ifindex: 6 });
  healthy.at(0.0002).tcp(B, 8080, A, 40000, 'S.', { seq: 9, ack: 2, ifindex: 6 });
  healthy.at(0.0003).tcp(VIP, 8080, A, 40000, 'S.', { seq: 9, ack: 2, ifindex: 5 });
  healthy.at(0.0004).tcp(A, 40000, VIP, 8080, '.', { seq: 2, ack: 10, ifindex: 5 });
  healthy.at(0.0005).tcp(A, 40000, B, 8080, '.', { seq: 2, ack: 10, ifindex: 6 });
  assert.deepEqual(ids(analyzeScenario(healthy)), []);
});

test('DNS variant: the answer comes from the CoreDNS pod instead of the kube-dns VIP', () => {
  const s = new Scenario();
  s.at(0).dns(A, 41000, '10.96.0.10', 53, { id: 7, qname: 'db.prod.svc.cluster.local', qtype: 1 });
  s.at(0.0003).dns('10.224.1.9', 53, A, 41000, {
    id: 7,
    qname: 'db.prod.svc.cluster.local',
    qtype: 1,
    response: true,
    answers: 1,
  });
  const r = analyzeScenario(s);
  assert.deepEqual(ids(r), ['nat-reply-bypass']);
  assert.match(r.findings[0]!.title, /DNS answer/);
  assert.match(r.findings[0]!.title, /10\.224\.1\.9:53 bypass the reverse NAT of 10\.96\.0\.10:53/);
});

test('the incident pasted as tcpdump text gives nat-reply-bypass', () => {
  const text = `    podA.45954 > 10.233.53.172.8080: Flags [S]
    10.224.1.56.8080 > podA.45954:   Flags [S.]    <- reply comes from the POD IP
    podA.45954 > 10.224.1.56.8080:   Flags [R]     <- podA does not know it: reset
`;
  const r = analyzeBuffer(Buffer.from(text), { text: true, file: 'incident.txt' });
  assert.deepEqual(ids(r), ['nat-reply-bypass']);
  assert.deepEqual(
    r.findings[0]!.evidence.slice(0, 3).map((e) => [e.source, e.line]),
    [
      ['incident.txt#1', 1],
      ['incident.txt#2', 2],
      ['incident.txt#3', 3],
    ],
  );
});
