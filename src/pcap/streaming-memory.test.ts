/**
 * Streaming: what the analyser keeps follows the live flows, not the capture's size. A
 * capture of 150 s of short connections and DNS lookups is pushed chunk by chunk
 * (never held whole); the tracked connections and flows stay near what one sweep window
 * holds, and the heap after a forced GC does not grow with the packets read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CaptureAnalyzer } from './analyze.js';
import { createCaptureParser } from './read/capture-parser.js';
import { Scenario } from './testing/scenario.js';
import { writePcap } from './testing/write-pcap.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const CONNS_PER_SECOND = 200;
const SECONDS = 150;

/** One second of traffic: short healthy connections from many pods, and A/AAAA lookups. */
function second(sec: number): Scenario {
  const s = new Scenario();
  for (let i = 0; i < CONNS_PER_SECOND; i++) {
    const n = sec * CONNS_PER_SECOND + i;
    const c = `10.244.${(n >> 8) & 0xff}.${n & 0xff}`;
    const cp = 30000 + (n % 30000);
    const t = sec + i / CONNS_PER_SECOND;
    const srv = '10.96.0.1';
    s.at(t).tcp(c, cp, srv, 443, 'S', { seq: 1000, mss: 1460 });
    s.at(t + 0.0001).tcp(srv, 443, c, cp, 'S.', { seq: 5000, ack: 1001, mss: 1460 });
    s.at(t + 0.0002).tcp(c, cp, srv, 443, '.', { seq: 1001, ack: 5001 });
    s.at(t + 0.0003).tcp(c, cp, srv, 443, 'P.', { seq: 1001, ack: 5001, payload: 100 });
    s.at(t + 0.0004).tcp(srv, 443, c, cp, 'P.', { seq: 5001, ack: 1101, payload: 300 });
    s.at(t + 0.0005).tcp(c, cp, srv, 443, 'F.', { seq: 1101, ack: 5301 });
    s.at(t + 0.0006).tcp(srv, 443, c, cp, 'F.', { seq: 5301, ack: 1102 });
    s.at(t + 0.0007).tcp(c, cp, srv, 443, '.', { seq: 1102, ack: 5302 });
    if (i % 10 === 0) {
      const qname = `svc-${n}.prod.svc.cluster.local`;
      s.at(t).dns(c, cp + 1, '10.96.0.10', 53, { id: n & 0xffff, qname, qtype: 1 });
      s.at(t + 0.00001).dns(c, cp + 1, '10.96.0.10', 53, { id: (n + 1) & 0xffff, qname, qtype: 28 });
      s.at(t + 0.001).dns('10.96.0.10', 53, c, cp + 1, {
        id: n & 0xffff,
        qname,
        qtype: 1,
        response: true,
        answers: 1,
      });
      s.at(t + 0.0011).dns('10.96.0.10', 53, c, cp + 1, {
        id: (n + 1) & 0xffff,
        qname,
        qtype: 28,
        response: true,
      });
    }
  }
  return s;
}

test('streaming: state and heap follow the live flows, not the capture size', (t) => {
  const a = new CaptureAnalyzer();
  const parser = createCaptureParser(a.visit);
  parser.push(writePcap([]));
  let maxConns = 0;
  let maxFlows = 0;
  let heapAtTenth = 0;
  for (let sec = 0; sec < SECONDS; sec++) {
    parser.push(writePcap(second(sec).ordered()).subarray(24));
    maxConns = Math.max(maxConns, a.live.connections);
    maxFlows = Math.max(maxFlows, a.live.flows);
    if (sec === SECONDS / 10) {
      gc();
      heapAtTenth = process.memoryUsage().heapUsed;
    }
  }
  gc();
  const heapGrowth = process.memoryUsage().heapUsed - heapAtTenth;
  const report = a.report(parser.end());
  const conns = CONNS_PER_SECOND * SECONDS;
  assert.equal(report.packets, conns * 8 + (conns / 10) * 4);
  assert.equal(report.flows, conns + conns / 10);
  assert.deepEqual(report.findings, []);
  t.diagnostic(
    `${report.packets} packets, ${report.flows} flows; held at once: ${maxConns} connections, ${maxFlows} UDP flows; heap growth ${(heapGrowth / 1048576).toFixed(1)} MiB`,
  );
  // closed connections linger a little; idle UDP flows stay 30 s (conntrack's timeout)
  assert.ok(maxConns < 10 * CONNS_PER_SECOND, `connections held at once: ${maxConns} of ${conns}`);
  assert.ok(maxFlows < 40 * (CONNS_PER_SECOND / 10), `UDP flows held at once: ${maxFlows}`);
  // 9/10 of the 270k packets are read after the first sample; keeping their 30k connections
  // (two halves, keys, the first packet each) would take far more
  assert.ok(heapGrowth < 8 * 1024 * 1024, `heap grew by ${(heapGrowth / 1048576).toFixed(1)} MiB`);
});
