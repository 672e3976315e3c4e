import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sourceDirOf } from '../../snapshot/repo-root.js';
import { parseIpvsadm } from './parse-ipvsadm.js';
import { ipvsServiceName } from '../../model/ipvs.js';
import { fuzzParser } from '../testing/fuzz.js';

const fixture = (n: string) => readFileSync(join(sourceDirOf(import.meta.url), 'fixtures', n), 'utf8');

test('ipvsadm-save -n: services, schedulers, persistence, real servers with method and weight', () => {
  const r = parseIpvsadm(fixture('ipvsadm-save-n.txt'));
  assert.deepEqual(r.diagnostics, []);
  const s = r.value.services;
  assert.deepEqual(
    s.map(
      (x) =>
        `${ipvsServiceName(x)} ${x.scheduler}${x.persistent ? ` p${x.persistent}` : ''} ${x.dests.length}`,
    ),
    [
      'tcp 10.96.0.1:443 rr 1',
      'tcp 10.96.0.10:53 rr 2',
      'udp 10.96.0.10:53 rr 2',
      'tcp 10.233.53.172:8080 rr p10800 2',
      'tcp 192.168.0.11:30080 wrr 1',
      'tcp [fd00:10:96::1]:443 rr 1',
      'fwmark 100 sh 1',
    ],
  );
  assert.deepEqual(s[2]!.dests[1], { addr: '10.224.2.4', port: 53, forward: 'masq', weight: 0, line: 8 });
  assert.deepEqual(s[6]!.flags, ['sh-port']);
  assert.equal(s[6]!.dests[0]!.forward, 'route');
  assert.equal(s[5]!.dests[0]!.addr, 'fd00::11');
});

test('ipvsadm -Ln and --stats text forms', () => {
  const text = [
    'IP Virtual Server version 1.2.1 (size=4096)',
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
    'TCP  10.96.0.10:53 rr persistent 60',
    '  -> 10.224.1.3:53                Masq    1      3          7',
    'FWM  7 wlc',
    '  -> 10.0.0.9:80                  Tunnel  2      0          0',
    'Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes',
    'UDP  10.96.0.10:53                      6       30       30     2034     2064',
    '  -> 10.224.1.3:53                      2       10       10      678      688',
  ].join('\n');
  const r = parseIpvsadm(text);
  assert.deepEqual(r.diagnostics, []);
  const [a, b, c] = r.value.services;
  assert.equal(a!.persistent, 60);
  assert.deepEqual(a!.dests[0], {
    addr: '10.224.1.3',
    port: 53,
    forward: 'masq',
    weight: 1,
    activeConns: 3,
    inactConns: 7,
    line: 5,
  });
  assert.equal(b!.fwmark, 7);
  assert.equal(b!.dests[0]!.forward, 'tunnel');
  assert.equal(c!.scheduler, undefined);
  assert.equal(c!.dests[0]!.forward, undefined);
});

test('ipvsadm: positioned diagnostics for names instead of numbers, orphans, duplicates, junk', () => {
  const text = [
    '-A -t kubernetes.default:https -s rr',
    '-a -t 10.0.0.1:80 -r 10.1.1.1:80 -m -w 1',
    '-A -t 10.0.0.2:80 -s rr',
    '-A -t 10.0.0.2:80 -s wrr',
    '-a -t 10.0.0.2:80 -r 10.1.1.1:80 -m -w x',
    'hello world',
    '  -> 10.1.1.1:80 Carrier 1 0 0',
  ].join('\n');
  const r = parseIpvsadm(text);
  assert.deepEqual(
    r.diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`),
    ['1:7 BAD_VALUE', '2:1 UNKNOWN_CHAIN', '4:1 DUPLICATE', '5:37 BAD_VALUE', '6:1 SYNTAX', '7:18 SYNTAX'],
  );
  assert.equal(r.value.services.length, 1);
});

test('fuzz parseIpvsadm', () => fuzzParser(parseIpvsadm, [fixture('ipvsadm-save-n.txt')], 300));
