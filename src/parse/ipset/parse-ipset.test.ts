import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sourceDirOf } from '../../snapshot/repo-root.js';
import { parseIpset } from './parse-ipset.js';
import { fuzzParser } from '../testing/fuzz.js';

const fixture = (n: string) => readFileSync(join(sourceDirOf(import.meta.url), 'fixtures', n), 'utf8');

test('ipset save: every set type kube-proxy and Calico use, with options and member options', () => {
  const r = parseIpset(fixture('ipset-save.txt'));
  assert.deepEqual(r.diagnostics, []);
  const sets = r.value.sets;
  assert.deepEqual(
    [...sets.values()].map((s) => `${s.name} ${s.type} ${s.family ?? '-'} ${s.members.length}`),
    [
      'KUBE-CLUSTER-IP hash:ip,port inet 4',
      'KUBE-LOOP-BACK hash:ip,port,ip inet 2',
      'KUBE-NODE-PORT-TCP bitmap:port - 1',
      'KUBE-LOAD-BALANCER-SOURCE-CIDR hash:ip,port,net inet 1',
      'cali40all-ipam-pools hash:net inet 2',
      'cali40masq-ipam-pools hash:net inet 1',
      'blocked hash:ip inet 1',
      'KUBE-6-CLUSTER-IP hash:ip,port inet6 1',
      'all-pools list:set - 2',
    ],
  );
  const ci = sets.get('KUBE-CLUSTER-IP')!;
  assert.deepEqual(ci.members[2]!.parts, [
    { k: 'ip', from: 0x0a60000a, to: 0x0a60000a },
    { k: 'port', proto: 'udp', from: 53, to: 53 },
  ]);
  assert.deepEqual(ci.options, { family: 'inet', hashsize: '1024', maxelem: '65536' });
  const pools = sets.get('cali40all-ipam-pools')!;
  assert.equal(pools.members[0]!.comment, 'ippool default');
  assert.equal(pools.members[1]!.nomatch, true);
  assert.equal(pools.options['comment'], true);
  assert.equal(sets.get('cali40masq-ipam-pools')!.members[0]!.timeout, 300);
  assert.deepEqual(sets.get('KUBE-LOAD-BALANCER-SOURCE-CIDR')!.members[0]!.parts[2], {
    k: 'net',
    addr: 0xc6336400,
    len: 24,
  });
  assert.deepEqual(
    sets.get('all-pools')!.members.map((m) => m.parts[0]),
    [
      { k: 'set', name: 'cali40all-ipam-pools' },
      { k: 'set', name: 'blocked' },
    ],
  );
});

test('ipset list form gives the same sets', () => {
  const text = [
    'Name: KUBE-CLUSTER-IP',
    'Type: hash:ip,port',
    'Revision: 5',
    'Header: family inet hashsize 1024 maxelem 65536',
    'Size in memory: 640',
    'References: 2',
    'Number of entries: 2',
    'Members:',
    '10.96.0.1,tcp:443',
    '10.96.0.10,udp:53',
    '',
    'Name: KUBE-NODE-PORT-TCP',
    'Type: bitmap:port',
    'Header: range 0-65535',
    'Members:',
    '',
  ].join('\n');
  const r = parseIpset(text);
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual([...r.value.sets.keys()], ['KUBE-CLUSTER-IP', 'KUBE-NODE-PORT-TCP']);
  assert.equal(r.value.sets.get('KUBE-CLUSTER-IP')!.members.length, 2);
  assert.equal(r.value.sets.get('KUBE-NODE-PORT-TCP')!.options['range'], '0-65535');
});

test('ipset: positioned diagnostics', () => {
  const text = [
    'create A hash:ip,port family inet',
    'add A 10.0.0.1',
    'add A 10.0.0.300,tcp:80',
    'add B 10.0.0.1,tcp:80',
    'create A hash:ip',
    'create C hash:bogus',
    'add A 10.0.0.1,tcp:99999',
    'add A 10.0.0.1,tcp:80 sparkle',
    'destroy A',
  ].join('\n');
  const r = parseIpset(text);
  assert.deepEqual(
    r.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`),
    [
      '2:7 BAD_VALUE',
      '3:7 BAD_VALUE',
      '4:5 UNKNOWN_CHAIN',
      '5:8 DUPLICATE',
      '6:10 BAD_VALUE',
      '7:7 BAD_VALUE',
      '8:23 UNSUPPORTED',
      '9:1 SYNTAX',
    ],
  );
  assert.equal(r.value.sets.get('A')!.members.length, 1);
});

test('fuzz parseIpset', () => fuzzParser(parseIpset, [fixture('ipset-save.txt')], 300));
