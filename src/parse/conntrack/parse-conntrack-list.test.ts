import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConntrackList } from './parse-conntrack-list.js';
import { readFixture } from './read-fixture.js';

// fixtures: a router namespace with a DNAT 10.96.0.10:80 -> 10.0.2.2:8080 (see fixtures/capture.sh)
for (const [name, l3prefix] of [
  ['conntrack-L.txt', false],
  ['proc-nf_conntrack.txt', true],
] as const) {
  test(`${name}: every flow, NAT visible in the reply tuple`, () => {
    const { value, diagnostics } = parseConntrackList(readFixture(name));
    assert.deepEqual(diagnostics, []);
    assert.equal(value.length, 7);
    assert.ok(value.every((e) => e.l3 === 'ipv4'));
    const svc = value.find((e) => e.orig.dport === 80);
    assert.ok(svc);
    assert.deepEqual(
      { ...svc, line: 0, orig: { ...svc.orig, sport: 0 }, reply: { ...svc.reply, dport: 0 } },
      {
        l3: 'ipv4',
        proto: 'tcp',
        protoNum: 6,
        timeout: 117,
        state: 'TIME_WAIT',
        orig: { src: '10.0.1.2', dst: '10.96.0.10', sport: 0, dport: 80 },
        reply: { src: '10.0.2.2', dst: '10.0.1.2', sport: 8080, dport: 0 },
        flags: ['ASSURED'],
        mark: 0,
        use: l3prefix ? 2 : 1,
        line: 0,
        ...(l3prefix ? { zone: 0 } : {}),
      },
    );
    assert.equal(svc.orig.sport, svc.reply.dport);
    const syn = value.find((e) => e.state === 'SYN_SENT');
    assert.deepEqual([syn?.orig.dport, syn?.flags], [9999, ['UNREPLIED']]);
    const icmp = value.find((e) => e.proto === 'icmp');
    assert.deepEqual(
      [icmp?.protoNum, icmp?.state, icmp?.orig, icmp?.reply],
      [
        1,
        undefined,
        { src: '10.0.1.2', dst: '10.0.2.2', type: 8, code: 0, id: 4660 },
        { src: '10.0.2.2', dst: '10.0.1.2', type: 0, code: 0, id: 4660 },
      ],
    );
    const dns = value.find((e) => e.orig.dport === 53);
    assert.deepEqual(
      [dns?.proto, dns?.protoNum, dns?.timeout, dns?.state, dns?.mark, dns?.flags],
      ['udp', 17, 27, undefined, 16384, ['UNREPLIED']],
    );
    assert.equal(value.find((e) => e.orig.dport === 5353)?.zone, 7);
    assert.equal(value.find((e) => e.orig.dport === 8081)?.state, 'ESTABLISHED');
    assert.deepEqual(
      value.map((e) => e.line),
      [1, 2, 3, 4, 5, 6, 7],
    );
  });
}

test('the brief example line, the pasted summary, ipv6, events, secctx', () => {
  const text = [
    'tcp      6 119 SYN_SENT src=10.224.1.34 dst=10.233.53.172 sport=56916 dport=8080 [UNREPLIED] src=10.224.1.56 dst=10.224.1.34 sport=8080 dport=56916 mark=0 use=1',
    'conntrack v1.4.7 (conntrack-tools): 5 flow entries have been shown.',
    'ipv6     10 udp      17 28 src=fd00::1 dst=fd00::2 sport=1 dport=53 src=fd00::2 dst=fd00::1 sport=53 dport=1 mark=0 secctx=system_u:object_r:unlabeled_t:s0 zone=0 use=2',
    ' [DESTROY] tcp      6 src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2 src=10.0.0.2 dst=10.0.0.1 sport=2 dport=1 [ASSURED] id=3382157056',
    'conntrack v1.4.6 (conntrack-tools): Operation failed: No such file or directory',
  ].join('\n');
  const r = parseConntrackList(text);
  assert.deepEqual(r.value[0], {
    l3: 'ipv4',
    proto: 'tcp',
    protoNum: 6,
    timeout: 119,
    state: 'SYN_SENT',
    orig: { src: '10.224.1.34', dst: '10.233.53.172', sport: 56916, dport: 8080 },
    reply: { src: '10.224.1.56', dst: '10.224.1.34', sport: 8080, dport: 56916 },
    flags: ['UNREPLIED'],
    mark: 0,
    use: 1,
    line: 1,
  });
  assert.deepEqual([r.value[1]?.l3, r.value[1]?.orig.src, r.value[1]?.line], ['ipv6', 'fd00::1', 3]);
  assert.deepEqual([r.value[2]?.timeout, r.value[2]?.flags, r.value[2]?.reply.dport], [0, ['ASSURED'], 1]);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.line]),
    [['UNSUPPORTED', 5]],
  );
});

test('bad lines are positioned and skipped', () => {
  const text = [
    'tcp 6 10 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1 dport=99999 src=10.0.0.2 dst=10.0.0.1 sport=2 dport=1',
    'tcp 6 10 ESTABLISHED src=10.0.0.1 dst=10.0.0.x sport=1 dport=2',
    'tcp 6 10 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2',
    'hello world',
    'tcp 6 10 CLOSE src=10.0.0.1 dst=10.0.0.2 junk',
  ].join('\n');
  const r = parseConntrackList(text);
  assert.deepEqual(r.value, []);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.line, d.column]),
    [
      ['BAD_VALUE', 1, 62],
      ['BAD_VALUE', 2, 39],
      ['SYNTAX', 3, 1],
      ['SYNTAX', 4, 7],
      ['SYNTAX', 5, 42],
    ],
  );
});
