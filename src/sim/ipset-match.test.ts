import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRepoRoot } from '../snapshot/repo-root.js';
import { parseIpset } from '../parse/ipset/index.js';
import { parseIptablesSave } from '../parse/iptables-save/index.js';
import { ipsetTest } from './ipset-match.js';
import { evalTable, type MatchEnv } from './iptables-eval.js';
import type { Packet } from './types.js';

const sets = parseIpset(
  readFileSync(
    join(findRepoRoot(import.meta.url), 'src', 'parse', 'ipset', 'fixtures', 'ipset-save.txt'),
    'utf8',
  ),
).value;
const pkt = (proto: Packet['proto'], src: string, sport: number, dst: string, dport: number): Packet => ({
  proto,
  src,
  dst,
  sport,
  dport,
  flags: proto === 'tcp' ? 'S' : '',
  mark: 0,
  ttl: 64,
});
const t = (name: string, flags: ('src' | 'dst')[], p: Packet) => ipsetTest(sets, name, flags, p, 'node1');

test('hash:ip,port with dst,dst: the destination address and port, protocol included', () => {
  assert.equal(
    t('KUBE-CLUSTER-IP', ['dst', 'dst'], pkt('tcp', '10.224.1.34', 40000, '10.96.0.10', 53)),
    true,
  );
  assert.equal(
    t('KUBE-CLUSTER-IP', ['dst', 'dst'], pkt('udp', '10.224.1.34', 40000, '10.96.0.10', 53)),
    true,
  );
  assert.equal(
    t('KUBE-CLUSTER-IP', ['dst', 'dst'], pkt('udp', '10.224.1.34', 40000, '10.96.0.1', 443)),
    false,
  );
  assert.equal(
    t('KUBE-CLUSTER-IP', ['dst', 'dst'], pkt('tcp', '10.224.1.34', 40000, '10.96.0.10', 54)),
    false,
  );
  // src,dst looks at the source address
  assert.equal(t('KUBE-CLUSTER-IP', ['src', 'dst'], pkt('tcp', '10.96.0.10', 1, '10.0.0.1', 53)), true);
  // fewer direction flags than dimensions never match (ip_set_test: opt->dim < set dimension)
  assert.equal(t('KUBE-CLUSTER-IP', ['dst'], pkt('tcp', '10.224.1.34', 40000, '10.96.0.10', 53)), false);
});

test('hash:ip,port,ip (KUBE-LOOP-BACK dst,dst,src): only a pod reaching itself', () => {
  assert.equal(
    t('KUBE-LOOP-BACK', ['dst', 'dst', 'src'], pkt('tcp', '10.224.1.56', 5, '10.224.1.56', 8080)),
    true,
  );
  assert.equal(
    t('KUBE-LOOP-BACK', ['dst', 'dst', 'src'], pkt('tcp', '10.224.1.34', 5, '10.224.1.56', 8080)),
    false,
  );
});

test('bitmap:port ignores the protocol; hash:ip,port,net contains the source', () => {
  assert.equal(t('KUBE-NODE-PORT-TCP', ['dst'], pkt('tcp', '1.1.1.1', 5, '192.168.0.11', 30080)), true);
  assert.equal(t('KUBE-NODE-PORT-TCP', ['dst'], pkt('udp', '1.1.1.1', 5, '192.168.0.11', 30080)), true);
  assert.equal(t('KUBE-NODE-PORT-TCP', ['dst'], pkt('tcp', '1.1.1.1', 5, '192.168.0.11', 30081)), false);
  const lb = ['dst', 'dst', 'src'] as ('src' | 'dst')[];
  assert.equal(
    t('KUBE-LOAD-BALANCER-SOURCE-CIDR', lb, pkt('tcp', '198.51.100.9', 5, '203.0.113.10', 443)),
    true,
  );
  assert.equal(
    t('KUBE-LOAD-BALANCER-SOURCE-CIDR', lb, pkt('tcp', '198.51.101.9', 5, '203.0.113.10', 443)),
    false,
  );
});

test('hash:net: most specific member wins and nomatch excludes; list:set; inet6; unknowns', () => {
  assert.equal(t('cali40all-ipam-pools', ['dst'], pkt('tcp', '1.1.1.1', 5, '10.224.8.5', 80)), true);
  assert.equal(t('cali40all-ipam-pools', ['dst'], pkt('tcp', '1.1.1.1', 5, '10.224.9.5', 80)), false);
  assert.equal(t('all-pools', ['src'], pkt('tcp', '198.51.100.7', 5, '1.1.1.1', 80)), true);
  assert.equal(t('all-pools', ['src'], pkt('tcp', '10.224.9.1', 5, '1.1.1.1', 80)), false);
  assert.equal(t('KUBE-6-CLUSTER-IP', ['dst', 'dst'], pkt('tcp', '1.1.1.1', 5, '10.96.0.1', 443)), false);
  assert.match(
    String(t('NOPE', ['dst'], pkt('tcp', '1.1.1.1', 5, '1.1.1.1', 1))),
    /NOPE is not in the `ipset save` of node1/,
  );
  assert.match(
    String(ipsetTest(undefined, 'X', ['dst'], pkt('tcp', '1.1.1.1', 5, '1.1.1.1', 1), 'node1')),
    /no `ipset save`/,
  );
});

test('iptables evaluation uses the sets: the real Calico nat-outgoing rule (two set matches, one negated)', () => {
  const rs = parseIptablesSave(
    [
      '*nat',
      ':POSTROUTING ACCEPT [0:0]',
      '-A POSTROUTING -m comment --comment "cali:flqWnvo8yq4ULQLa" -m set --match-set cali40masq-ipam-pools src -m set ! --match-set cali40all-ipam-pools dst -j MASQUERADE --random-fully',
      'COMMIT',
      '',
    ].join('\n'),
  ).value;
  const env = (withSets: boolean): MatchEnv => ({
    hook: 'POSTROUTING',
    bridged: false,
    ctState: 'NEW',
    ctDnat: false,
    ctSnat: false,
    ctDir: 'ORIGINAL',
    ctMark: 0,
    addrType: () => 'UNICAST',
    choose: () => 0,
    notes: [],
    ipset: withSets ? (n, f, p) => ipsetTest(sets, n, f, p) : undefined,
  });
  const out = evalTable(rs, 'nat', 'POSTROUTING', pkt('tcp', '10.224.1.34', 5, '8.8.8.8', 53), env(true));
  assert.equal(out?.verdict.v, 'MASQUERADE');
  const inPool = evalTable(
    rs,
    'nat',
    'POSTROUTING',
    pkt('tcp', '10.224.1.34', 5, '10.224.2.3', 53),
    env(true),
  );
  assert.equal(inPool?.verdict.v, 'ACCEPT');
  const none = evalTable(rs, 'nat', 'POSTROUTING', pkt('tcp', '10.224.1.34', 5, '8.8.8.8', 53), env(false));
  assert.equal(none?.verdict.v, 'UNKNOWN');
});
