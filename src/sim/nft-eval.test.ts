import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNftJson } from '../parse/nft/index.js';
import { readNftFixture } from '../parse/nft/read-fixture.js';
import { evalNftChain, type NftEvalResult } from './nft-eval.js';
import { explore, type Choose } from './explore.js';
import type { MatchEnv } from './iptables-eval.js';
import type { Packet } from './types.js';
import type { NftTable } from '../model/nft.js';

const rs = parseNftJson(readNftFixture('kube-proxy-golden.json')).value;
const kp = rs.tables[0]!;

function pkt(dst: string, dport: number, src = '10.0.1.5', proto: Packet['proto'] = 'tcp'): Packet {
  return { proto, src, dst, sport: 40000, dport, flags: proto === 'tcp' ? 'S' : '', mark: 0, ttl: 64 };
}

function env(choose: Choose, over: Partial<MatchEnv> = {}): MatchEnv {
  return {
    hook: 'PREROUTING',
    bridged: false,
    ctState: 'NEW',
    ctDnat: false,
    ctSnat: false,
    ctDir: 'ORIGINAL',
    ctMark: 0,
    addrType: (ip) => (ip === '192.168.0.2' ? 'LOCAL' : 'UNICAST'),
    choose,
    notes: [],
    ...over,
  };
}

function run(t: NftTable, chain: string, p: () => Packet, over: Partial<MatchEnv> = {}) {
  return explore((choose) => {
    const pk = p();
    return { r: evalNftChain(t, t.chains.get(chain)!, pk, env(choose, over)), p: pk };
  });
}

const dnatTo = (r: NftEvalResult) =>
  r.verdict.v === 'DNAT' && r.verdict.target.t === 'DNAT' ? r.verdict.target.to.addrFrom : r.verdict.v;

test('service-ips vmap + numgen random mod 2: two endpoints, 1/2 each, through choose', () => {
  const paths = run(kp, 'nat-prerouting', () => pkt('172.30.0.44', 80));
  assert.deepEqual(
    paths.map((x) => [dnatTo(x.result.r), x.probability, x.labels]),
    [
      ['10.180.0.4', 0.5, ['numgen random mod 2: 0']],
      ['10.180.0.5', 0.5, ['numgen random mod 2: 1']],
    ],
  );
  const r = paths[0]!.result.r;
  assert.deepEqual(r.verdict.v === 'DNAT' && r.verdict.target, {
    t: 'DNAT',
    to: { addrFrom: '10.180.0.4', addrTo: '10.180.0.4', portFrom: 80, portTo: 80 },
    random: false,
    persistent: false,
  });
  assert.deepEqual(
    r.trail.filter((t) => t.what === 'goto').map((t) => t.chain),
    ['services', 'service-LAUZTJTB-ns4/svc4/tcp/p80'],
  );
  // pod source (10/8): no masquerade mark
  assert.equal(paths[0]!.result.p.mark, 0);
});

test('a source outside the cluster CIDR gets mark 0x4000 (mark set mark or 0x4000)', () => {
  const [x] = run(kp, 'nat-prerouting', () => pkt('172.30.0.41', 80, '192.168.0.9'));
  assert.equal(dnatTo(x!.result.r), '10.180.0.1');
  assert.equal(x!.result.p.mark, 0x4000);
  assert.ok(x!.result.r.trail.some((t) => t.what === 'mark'));
});

test('misses: other port, other protocol, other address fall through to the policy', () => {
  for (const p of [pkt('172.30.0.44', 81), pkt('172.30.0.44', 80, '10.0.1.5', 'udp'), pkt('8.8.8.8', 80)]) {
    const [x] = run(kp, 'nat-prerouting', () => p);
    assert.deepEqual(x!.result.r.verdict, { v: 'ACCEPT', chain: 'nat-prerouting', policy: true });
  }
});

test('NodePort: ip daddr @nodeport-ips + service-nodeports vmap', () => {
  const paths = run(kp, 'nat-prerouting', () => pkt('192.168.0.2', 3003, '203.0.113.7'));
  assert.equal(dnatTo(paths[0]!.result.r), '10.180.0.3');
  assert.equal(paths[0]!.result.p.mark, 0x4000, 'external chain: jump mark-for-masquerade');
  // svc2 (externalTrafficPolicy: Local, no local endpoint in the golden): an outside client falls through
  const [local] = run(kp, 'nat-prerouting', () => pkt('192.168.0.2', 3001, '203.0.113.7'));
  assert.equal(local!.result.r.verdict.v, 'ACCEPT');
  const [own] = run(kp, 'nat-prerouting', () => pkt('192.168.0.2', 3001, '192.168.0.2'));
  assert.equal(dnatTo(own!.result.r), '10.180.0.2', 'fib saddr type local: short-circuit local traffic');
});

test('no endpoints: filter-forward -> service-endpoints-check vmap -> goto reject-chain; ct state gates it', () => {
  const [x] = run(kp, 'filter-forward', () => pkt('172.30.0.46', 80), { hook: 'FORWARD' });
  assert.equal(x!.result.r.verdict.v, 'REJECT');
  assert.equal(x!.result.r.verdict.v === 'REJECT' && x!.result.r.verdict.with, 'icmp-port-unreachable');
  const [est] = run(kp, 'filter-forward', () => pkt('172.30.0.46', 80), {
    hook: 'FORWARD',
    ctState: 'ESTABLISHED',
  });
  assert.equal(est!.result.r.verdict.v, 'ACCEPT');
  // a ClusterIP without that port: cluster-ips-check rejects; an unallocated one is dropped
  const [port] = run(kp, 'filter-forward', () => pkt('172.30.0.41', 81), { hook: 'FORWARD' });
  assert.equal(port!.result.r.verdict.v, 'REJECT');
  const [unalloc] = run(kp, 'filter-forward', () => pkt('172.30.9.9', 80), { hook: 'FORWARD' });
  assert.equal(unalloc!.result.r.verdict.v, 'DROP');
  assert.match(
    unalloc!.result.r.verdict.v === 'DROP' ? unalloc!.result.r.verdict.rule!.text : '',
    /172\.30\.0\.0\/16 drop/,
  );
});

test('masquerading: only marked packets, mark cleared, fully-random', () => {
  const [plain] = run(kp, 'nat-postrouting', () => pkt('10.180.0.1', 80));
  assert.equal(plain!.result.r.verdict.v, 'ACCEPT');
  const [m] = run(kp, 'nat-postrouting', () => ({ ...pkt('10.180.0.1', 80), mark: 0x4000 }));
  const v = m!.result.r.verdict;
  assert.equal(v.v, 'MASQUERADE');
  assert.equal(v.v === 'MASQUERADE' && v.target.t === 'MASQUERADE' && v.target.randomFully, true);
  assert.equal(m!.result.p.mark, 0);
});

test('unknown expressions give UNKNOWN with why; jumps to missing chains too', () => {
  const doc = (expr: unknown[]) =>
    parseNftJson(
      JSON.stringify({
        nftables: [
          { table: { family: 'inet', name: 't' } },
          {
            chain: {
              family: 'inet',
              table: 't',
              name: 'c',
              type: 'filter',
              hook: 'input',
              prio: 0,
              policy: 'drop',
            },
          },
          { rule: { family: 'inet', table: 't', chain: 'c', expr } },
        ],
      }),
    ).value.tables[0]!;
  const one = (expr: unknown[], p = pkt('10.0.0.1', 22)) =>
    run(doc(expr), 'c', () => p, { hook: 'INPUT' })[0]!.result.r.verdict;
  const u = one([{ match: { op: '==', left: { meta: { key: 'skuid' } }, right: 0 } }, { accept: null }]);
  assert.equal(u.v, 'UNKNOWN');
  assert.match(u.v === 'UNKNOWN' ? u.why : '', /meta skuid/);
  assert.equal(one([{ jump: { target: 'nowhere' } }]).v, 'UNKNOWN');
  // policy drop, ct state set, iifname glob, l4proto, tcp dport range, concatenated anonymous set
  assert.equal(one([]).v, 'DROP');
  const acc = [
    { match: { op: 'in', left: { ct: { key: 'state' } }, right: ['new', 'established'] } },
    { match: { op: '==', left: { meta: { key: 'iifname' } }, right: 'eth*' } },
    {
      match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: { range: [20, 25] } },
    },
    {
      match: {
        op: '==',
        left: { concat: [{ payload: { protocol: 'ip', field: 'daddr' } }, { meta: { key: 'l4proto' } }] },
        right: { set: [{ concat: [{ prefix: { addr: '10.0.0.0', len: 8 } }, 'tcp'] }] },
      },
    },
    { counter: { packets: 0, bytes: 0 } },
    { accept: null },
  ];
  const t = doc(acc);
  const x = (p: Packet, inDev: string) =>
    run(t, 'c', () => p, { hook: 'INPUT', inDev })[0]!.result.r.verdict.v;
  assert.equal(x(pkt('10.0.0.1', 22), 'eth0'), 'ACCEPT');
  assert.equal(x(pkt('10.0.0.1', 22), 'cni0'), 'DROP');
  assert.equal(x(pkt('10.0.0.1', 26), 'eth0'), 'DROP');
  assert.equal(x(pkt('11.0.0.1', 22), 'eth0'), 'DROP');
  assert.equal(x(pkt('10.0.0.1', 22, '1.1.1.1', 'udp'), 'eth0'), 'DROP');
});

test('a real k3s node (nftables mode): numgen random mod 9, NodePort via nodeport-ips, no-endpoint reject at -110', () => {
  const k3s = parseNftJson(readNftFixture('k3s-kube-proxy.json'));
  assert.deepEqual(k3s.diagnostics, []);
  const t = k3s.value.tables[0]!;
  assert.equal(t.chains.get('filter-forward')!.base!.priority, -110);
  assert.equal(t.chains.get('filter-output-post-dnat')!.base!.priority, -90);
  const paths = run(t, 'nat-prerouting', () => pkt('10.43.195.72', 8000, '10.42.1.5'));
  assert.equal(paths.length, 9);
  for (const x of paths) assert.ok(Math.abs(x.probability - 1 / 9) < 1e-12);
  assert.equal(new Set(paths.map((x) => dnatTo(x.result.r))).size, 9);
  const np = run(t, 'nat-prerouting', () => pkt('10.34.4.246', 30000, '192.0.2.7'));
  assert.equal(np.length, 9);
  assert.ok(np.every((x) => x.result.p.mark === 0x4000));
  const [rej] = run(t, 'filter-forward', () => pkt('10.43.21.102', 4317), { hook: 'FORWARD' });
  assert.equal(rej!.result.r.verdict.v, 'REJECT');
});
