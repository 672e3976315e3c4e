import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scenario } from '../testing/scenario.js';
import { analyzeScenario, ids } from '../testing/analyze-scenario.js';

const C = '10.244.1.5';
const DNS = '10.96.0.10';
const NAME = 'api.prod.svc.cluster.local';

/** A and AAAA at once from one socket; the A answer returns; the AAAA is lost and resent `retry` s later. */
function racedLookup(s: Scenario, t: number, port: number, id: number, retry: number | undefined) {
  s.at(t).dns(C, port, DNS, 53, { id, qname: NAME, qtype: 1 });
  s.at(t + 0.000003).dns(C, port, DNS, 53, { id: id + 1, qname: NAME, qtype: 28 });
  s.at(t + 0.0004).dns(DNS, 53, C, port, { id, qname: NAME, qtype: 1, response: true, answers: 1 });
  if (retry === undefined)
    s.at(t + 0.0005).dns(DNS, 53, C, port, { id: id + 1, qname: NAME, qtype: 28, response: true });
  else {
    s.at(t + retry).dns(C, port, DNS, 53, { id: id + 2, qname: NAME, qtype: 28 });
    s.at(t + retry + 0.0004).dns(DNS, 53, C, port, { id: id + 2, qname: NAME, qtype: 28, response: true });
  }
}

test('dns-retry-5s: one of A/AAAA lost, resent 5 s later; affected lookups counted against all pairs', () => {
  const s = new Scenario();
  racedLookup(s, 0, 45000, 10, 5.0);
  racedLookup(s, 0.2, 45001, 20, undefined);
  racedLookup(s, 0.4, 45002, 30, 5.01);
  racedLookup(s, 0.6, 45003, 40, undefined);
  const r = analyzeScenario(s);
  assert.deepEqual(ids(r), ['dns-retry-5s']);
  const f = r.findings[0]!;
  assert.equal(f.count, 2);
  assert.match(f.title, /2 of 4 A\/AAAA pair/);
  assert.match(f.symptom ?? '', /AAAA api\.prod\.svc\.cluster\.local/);
  // evidence of both lookups, in capture order: A, AAAA, the A answer, ..., the resent AAAAs
  assert.deepEqual(
    f.packets.map((p) => p.n),
    [1, 2, 3, 8, 9, 10, 15, 17],
  );
});

test('dns-retry-5s negatives: both answered; resent after 2 s; A and AAAA from different sockets', () => {
  const ok = new Scenario();
  racedLookup(ok, 0, 45000, 10, undefined);
  assert.deepEqual(ids(analyzeScenario(ok)), []);
  const early = new Scenario();
  racedLookup(early, 0, 45000, 10, 2);
  assert.deepEqual(ids(analyzeScenario(early)), []);
  const reopen = new Scenario(); // single-request-reopen: the AAAA goes out on another socket
  reopen.at(0).dns(C, 45000, DNS, 53, { id: 1, qname: NAME, qtype: 1 });
  reopen.at(0.000003).dns(C, 45001, DNS, 53, { id: 2, qname: NAME, qtype: 28 });
  reopen.at(0.0004).dns(DNS, 53, C, 45000, { id: 1, qname: NAME, qtype: 1, response: true });
  reopen.at(5).dns(C, 45001, DNS, 53, { id: 3, qname: NAME, qtype: 28 });
  assert.deepEqual(ids(analyzeScenario(reopen)), []);
});
