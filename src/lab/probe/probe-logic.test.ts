import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chosenEndpoint, parseConntrackLines } from './conntrack-entries.js';
import { counterDelta, parseDnatCounters } from './dnat-counters.js';
import { attributeByCounters } from './run-probes.js';
import { summarise } from './summarise.js';
import type { ProbeAttempt, ResolvedFlow } from './types.js';
import { compare } from '../verify/compare.js';

const CT = `tcp      6 118 TIME_WAIT src=10.224.1.34 dst=10.233.53.172 sport=60474 dport=8080 src=10.224.2.23 dst=10.224.1.34 sport=8080 dport=60474 [ASSURED] mark=0 use=1
tcp      6 118 SYN_SENT src=10.224.1.34 dst=10.233.53.172 sport=60460 dport=8080 [UNREPLIED] src=10.224.1.56 dst=10.224.1.34 sport=8080 dport=60460 mark=0 use=1
udp      17 29 src=10.224.1.10 dst=10.233.0.10 sport=40000 dport=53 [UNREPLIED] src=10.233.0.10 dst=10.224.1.10 sport=53 dport=40000 mark=0 use=1
conntrack v1.4.7 (conntrack-tools): 3 flow entries have been shown.
`;

const FLOW: ResolvedFlow = {
  scenario: 's',
  name: 'f',
  proto: 'tcp',
  from: 'ns/client',
  to: 'svc:ns/svc:80',
  netns: 'ppC-node1-client',
  node: 'node1',
  src: '10.224.1.34',
  dst: '10.233.53.172',
  dport: 8080,
  attempts: 4,
  replyBytes: 0,
  endpoints: { '10.224.1.56:8080': 'ns/a', '10.224.2.23:8080': 'ns/b' },
  sepChains: { 'KUBE-SEP-AAAA': '10.224.1.56:8080', 'KUBE-SEP-BBBB': '10.224.2.23:8080' },
  backend: 'legacy',
  expect: { a: 'timeout', b: 'connected' },
  differential: true,
};

test('conntrack lines: the reply tuple names the endpoint the DNAT chose', () => {
  const e = parseConntrackLines(CT);
  assert.equal(e.length, 3);
  assert.equal(e[1]!.state, 'SYN_SENT');
  assert.equal(chosenEndpoint(e, 60460, '10.233.53.172', 8080), '10.224.1.56:8080');
  assert.equal(chosenEndpoint(e, 60474, '10.233.53.172', 8080), '10.224.2.23:8080');
  assert.equal(chosenEndpoint(e, 1, '10.233.53.172', 8080), undefined);
  assert.equal(chosenEndpoint(e, 40000, '10.233.0.10', 53), undefined, 'not DNATed');
});

test('DNAT counters per KUBE-SEP chain', () => {
  const before = parseDnatCounters(
    '[3:180] -A KUBE-SEP-AAAA -p tcp -m tcp -j DNAT --to-destination 10.224.1.56:8080\n[0:0] -A KUBE-SEP-AAAA -s 10.224.1.56/32 -j KUBE-MARK-MASQ\n',
  );
  const after = parseDnatCounters(
    '[9:540] -A KUBE-SEP-AAAA -p tcp -m tcp -j DNAT --to-destination 10.224.1.56:8080\n[2:120] -A KUBE-SEP-BBBB -p tcp -m tcp -j DNAT --to-destination 10.224.2.23:8080\n',
  );
  assert.deepEqual(
    [...counterDelta(before, after, FLOW.sepChains)],
    [
      ['10.224.1.56:8080', 6],
      ['10.224.2.23:8080', 2],
    ],
  );
});

test('unconfirmed drops are attributed from counters when their outcome is unique', () => {
  const attempts: ProbeAttempt[] = [
    { outcome: 'connected', endpoint: '10.224.2.23:8080', via: 'reply', ms: 3 },
    { outcome: 'timeout', ms: 1500 },
    { outcome: 'timeout', ms: 1500 },
  ];
  attributeByCounters(
    attempts,
    new Map([
      ['10.224.2.23:8080', 1],
      ['10.224.1.56:8080', 4],
    ]),
  );
  assert.deepEqual(attempts[1]!.candidates, ['10.224.1.56:8080']);
  const r = summarise(FLOW, attempts);
  assert.equal(r.outcome, 'mixed');
  assert.deepEqual(
    r.endpoints.map((e) => [e.pod, e.outcomes]),
    [
      ['ns/a', ['timeout']],
      ['ns/b', ['connected']],
    ],
  );
  assert.equal(r.expectMet, true);
  const ambiguous: ProbeAttempt[] = [
    { outcome: 'timeout', ms: 1 },
    { outcome: 'refused', ms: 1 },
  ];
  attributeByCounters(ambiguous, new Map([['10.224.1.56:8080', 2]]));
  assert.equal(ambiguous[0]!.candidates, undefined);
});

test('expectations: single outcome, per endpoint, endpoint never chosen', () => {
  const one = summarise({ ...FLOW, expect: 'connected' }, [
    { outcome: 'connected', endpoint: '10.224.2.23:8080', ms: 1 },
  ]);
  assert.equal(one.expectMet, true);
  const miss = summarise(FLOW, [{ outcome: 'connected', endpoint: '10.224.2.23:8080', ms: 1 }]);
  assert.equal(miss.expectMet, false);
  assert.match(miss.expectDetail!, /a: never chosen/);
  const wrong = summarise({ ...FLOW, expect: 'refused' }, [{ outcome: 'timeout', ms: 1 }]);
  assert.deepEqual([wrong.outcome, wrong.expectMet, wrong.unattributed], ['timeout', false, ['timeout']]);
});

test('compare: per endpoint, unattributed outcomes, unknown', () => {
  const k = summarise(FLOW, [
    { outcome: 'timeout', endpoint: '10.224.1.56:8080', ms: 1 },
    { outcome: 'connected', endpoint: '10.224.2.23:8080', ms: 1 },
  ]);
  const good = {
    outcome: 'mixed' as const,
    causes: [],
    endpoints: [
      { endpoint: '10.224.1.56:8080', outcomes: ['timeout' as const], probability: 0.5 },
      { endpoint: '10.224.2.23:8080', outcomes: ['connected' as const], probability: 0.5 },
    ],
  };
  assert.deepEqual(compare(k, good), { agree: true });
  const bad = {
    ...good,
    endpoints: [good.endpoints[0]!, { ...good.endpoints[1]!, outcomes: ['unknown' as const] }],
  };
  assert.equal(compare(k, bad).agree, false);
  assert.match(compare(k, bad).detail!, /ns\/b: kernel connected, podpath unknown/);
  const rejected = summarise({ ...FLOW, endpoints: {}, sepChains: {}, expect: 'refused' }, [
    { outcome: 'refused', ms: 1 },
  ]);
  assert.deepEqual(
    compare(rejected, {
      outcome: 'refused',
      causes: [],
      endpoints: [{ endpoint: '10.233.53.172:8080', outcomes: ['refused'], probability: 1 }],
    }),
    { agree: true },
  );
  assert.equal(
    compare(rejected, {
      outcome: 'timeout',
      causes: [],
      endpoints: [{ endpoint: '10.233.53.172:8080', outcomes: ['timeout'], probability: 1 }],
    }).agree,
    false,
  );
  assert.equal(compare(rejected, { outcome: 'error', causes: [], endpoints: [], error: 'x' }).agree, false);
});
