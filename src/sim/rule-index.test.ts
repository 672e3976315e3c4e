/**
 * The rule index never changes an answer: on random rule sets and packets, indexed and
 * linear evaluation return the same verdict, trail, mark, notes and choice points.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Chain, Match, Rule, Ruleset, Target } from '../model/iptables.js';
import type { Packet } from './types.js';
import { evalTable, type MatchEnv } from './iptables-eval.js';
import { buildChainIndex, chainIndex, nextPosition, packetKey, ruleKey } from './rule-index.js';
import { parseIptablesSave } from '../parse/iptables-save/index.js';
import { kubeProxyRuleset } from '../parse/iptables-save/kube-proxy-fixture.js';

const IPS = ['10.96.0.1', '10.96.0.2', '10.96.0.3', '192.168.0.10'];
const PORTS = [53, 80, 443, 30080];
const CHAINS = ['PREROUTING', 'U1', 'U2', 'U3'];

const portRange = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...PORTS).map((p) => ({ from: p, to: p })) },
  { weight: 1, arbitrary: fc.constant({ from: 50, to: 100 }) },
);

const match: fc.Arbitrary<Match> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<Match>({ m: 'comment', comment: 'c' }) },
  {
    weight: 6,
    arbitrary: fc
      .record({
        m: fc.constantFrom('tcp' as const, 'udp' as const),
        neg: fc.constantFrom(false, false, false, true),
        r: portRange,
      })
      .map(({ m, neg, r }): Match => ({ m, dport: { neg, value: r } })),
  },
  {
    weight: 1,
    arbitrary: fc.constant<Match>({ m: 'statistic', mode: 'random', probability: 0.5, neg: false }),
  },
  {
    weight: 1,
    arbitrary: fc.constant<Match>({ m: 'mark', mark: { neg: false, value: { value: 1, mask: 1 } } }),
  },
  {
    weight: 1,
    arbitrary: fc.constant<Match>({
      m: 'recent',
      name: 'r',
      action: 'rcheck',
      neg: false,
      reap: false,
      side: 'rsource',
    }),
  },
  {
    weight: 1,
    arbitrary: fc.constant<Match>({ m: 'set', setName: { neg: false, value: 's' }, flags: ['dst'] }),
  },
);

function target(chainIdx: number): fc.Arbitrary<Target | undefined> {
  const later = CHAINS.slice(chainIdx + 1);
  const opts: fc.Arbitrary<Target | undefined>[] = [
    fc.constantFrom<Target | undefined>(
      { t: 'ACCEPT' },
      { t: 'DROP' },
      { t: 'RETURN' },
      undefined,
      { t: 'MARK', op: { value: 1, mask: 1 } },
      { t: 'DNAT', to: { addrFrom: '10.244.0.5', addrTo: '10.244.0.5' }, random: false, persistent: false },
    ),
  ];
  if (later.length)
    opts.push(
      fc
        .record({ c: fc.constantFrom(...later), g: fc.boolean() })
        .map(({ c, g }): Target => ({ t: g ? 'goto' : 'jump', chain: c })),
    );
  return fc.oneof(...opts);
}

/** `[-d IP/32] -p P -m comment -m P --dport N [more] -j X`: what kube-proxy writes, indexable */
function shapedRule(chainIdx: number): fc.Arbitrary<Omit<Rule, 'line' | 'text'>> {
  return fc
    .record({
      proto: fc.constantFrom('tcp' as const, 'udp' as const),
      dst: fc.option(fc.constantFrom(...IPS)),
      port: fc.constantFrom(...PORTS),
      more: fc.array(match, { maxLength: 1 }),
      target: target(chainIdx),
    })
    .map(({ proto, dst, port, more, target }) => ({
      proto: { neg: false, value: proto },
      ...(dst ? { dst: { neg: false, value: { addr: dst, len: 32 } } } : {}),
      matches: [
        { m: 'comment', comment: 'svc' } as Match,
        { m: proto, dport: { neg: false, value: { from: port, to: port } } } as Match,
        ...more,
      ],
      target,
    }));
}

function rule(chainIdx: number): fc.Arbitrary<Omit<Rule, 'line' | 'text'>> {
  return fc.oneof(
    { weight: 3, arbitrary: shapedRule(chainIdx) },
    { weight: 1, arbitrary: anyRule(chainIdx) },
  );
}

function anyRule(chainIdx: number): fc.Arbitrary<Omit<Rule, 'line' | 'text'>> {
  return fc.record(
    {
      proto: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom('tcp', 'udp', '6').map((v) => ({ neg: false, value: v })) },
        { weight: 1, arbitrary: fc.constant({ neg: true, value: 'udp' }) },
      ),
      dst: fc.option(
        fc.record({
          neg: fc.constantFrom(false, false, false, false, true),
          value: fc.record({ addr: fc.constantFrom(...IPS), len: fc.constantFrom(32, 32, 32, 24) }),
        }),
      ),
      matches: fc.array(match, { maxLength: 3 }),
      target: target(chainIdx),
    },
    { requiredKeys: ['matches'] },
  ) as fc.Arbitrary<Omit<Rule, 'line' | 'text'>>;
}

const ruleset: fc.Arbitrary<Ruleset> = fc
  .tuple(...CHAINS.map((_, ci) => fc.array(rule(ci), { maxLength: ci === 0 ? 40 : 20, size: 'max' })))
  .map((per) => {
    let line = 1;
    const chains: Record<string, Chain> = {};
    per.forEach((rules, ci) => {
      const name = CHAINS[ci]!;
      chains[name] = {
        name,
        builtin: ci === 0,
        policy: ci === 0 ? 'ACCEPT' : undefined,
        line: 0,
        rules: rules.map((r) => ({ ...r, line: line++, text: '' })),
      };
    });
    return { family: 'ipv4', backend: 'legacy', tables: { nat: { name: 'nat', chains, line: 0 } } };
  });

const packet: fc.Arbitrary<Packet> = fc.record({
  proto: fc.constantFrom('tcp' as const, 'udp' as const, 'icmp' as const),
  src: fc.constant('10.244.0.9'),
  dst: fc.constantFrom(...IPS, '10.96.0.200'),
  sport: fc.constant(40000),
  dport: fc.constantFrom(...PORTS, 60),
  flags: fc.constant('S' as const),
  mark: fc.constantFrom(0, 1),
  ttl: fc.constant(64),
});

function run(rs: Ruleset, p0: Packet, bits: boolean[], index: boolean) {
  const p = { ...p0 };
  const log: string[] = [];
  let k = 0;
  const env: MatchEnv = {
    hook: 'PREROUTING',
    bridged: false,
    ctState: 'NEW',
    ctDnat: false,
    ctSnat: false,
    ctDir: 'ORIGINAL',
    ctMark: 0,
    addrType: () => 'UNICAST',
    choose: (o) => {
      const i = bits[k++ % Math.max(bits.length, 1)] ? 1 : 0;
      log.push(`${o[0]!.label}:${i}`);
      return i;
    },
    notes: [],
  };
  const r = evalTable(rs, 'nat', 'PREROUTING', p, env, { index })!;
  const v = r.verdict;
  return {
    v: v.v,
    line: 'rule' in v ? v.rule?.line : undefined,
    chain: v.chain,
    trail: r.trail.map((t) => t.rule.line),
    mark: p.mark,
    log,
    notes: env.notes,
  };
}

test('property: indexed evaluation == linear evaluation', () => {
  fc.assert(
    fc.property(ruleset, packet, fc.array(fc.boolean(), { maxLength: 8 }), (rs, p, bits) => {
      assert.deepEqual(run(rs, p, bits, true), run(rs, p, bits, false));
    }),
    { numRuns: 3000 },
  );
});

test('property: the generator produces indexed segments (the property above is not vacuous)', () => {
  let indexed = 0;
  fc.assert(
    fc.property(ruleset, (rs) => {
      if (chainIndex(rs.tables.nat!.chains['PREROUTING']!)) indexed++;
    }),
    { numRuns: 500 },
  );
  assert.ok(indexed > 100, `only ${indexed} of 500 rule sets had an indexed chain`);
});

test('kube-proxy KUBE-SERVICES: one indexed segment, the NodePort rule stays linear, lookups land on the service', () => {
  const rs = parseIptablesSave(kubeProxyRuleset(200, 2).text).value;
  const svc = rs.tables.nat!.chains['KUBE-SERVICES']!;
  const ix = buildChainIndex(svc.rules)!;
  assert.equal(ix.segments.length, 1);
  assert.deepEqual([ix.segments[0]!.from, ix.segments[0]!.to], [0, 200]);
  assert.equal(ruleKey(svc.rules[200]!), undefined, 'the addrtype LOCAL NodePort jump is not indexable');
  const p: Packet = {
    proto: 'tcp',
    src: '10.244.0.9',
    dst: '10.96.0.150',
    sport: 1,
    dport: 80,
    flags: 'S',
    mark: 0,
    ttl: 64,
  };
  assert.equal(nextPosition(ix, packetKey(p), 0), 150);
  assert.equal(nextPosition(ix, packetKey(p), 151), 200, 'past the only candidate: the segment end');
  assert.equal(nextPosition(ix, packetKey({ ...p, dport: 81 }), 0), 200);
  assert.equal(nextPosition(ix, packetKey({ ...p, proto: 'icmp' }), 0), 200);
});

test('a statistic draw before the port match keeps the rule linear', () => {
  const rs = parseIptablesSave(
    '*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -d 10.0.0.1/32 -p tcp -m statistic --mode random --probability 0.5 -m tcp --dport 80 -j ACCEPT\n-A PREROUTING -d 10.0.0.1/32 -p tcp -m tcp --dport 80 -m statistic --mode random --probability 0.5 -j ACCEPT\nCOMMIT\n',
  ).value;
  const [a, b] = rs.tables.nat!.chains['PREROUTING']!.rules;
  assert.equal(ruleKey(a!), undefined);
  assert.equal(ruleKey(b!), `tcp/80/${(10 << 24) + 1}`);
});
