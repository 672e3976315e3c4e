/**
 * IPVS checks (FM-06, FM-07, FM-24, FM-25) and the small ipvsadm reader they share.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addr, DEFAULT_ADDRS, DEFAULT_LINKS, evidenceText, link, makeNode, run } from './fixtures.js';
import { parseIpvs } from './ipvs-raw.js';
import { check as ct } from './ipvs-conntrack-disabled.js';
import { check as reuse } from './ipvs-conn-reuse-delay.js';
import { check as arp } from './ipvs-strict-arp.js';
import { check as idle } from './ipvs-idle-timeout.js';

const SAVE =
  '-A -t 10.96.0.10:53 -s rr\n-a -t 10.96.0.10:53 -r 10.224.1.3:53 -m -w 1\n-a -t 10.96.0.10:53 -r 10.224.2.4:53 -m -w 0\n-A -u 10.96.0.10:53 -s rr\n';
const LIST =
  'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\nTCP  10.96.0.1:443 rr\n  -> 192.168.0.11:6443            Masq    1      3          0\nUDP  10.96.0.10:53 rr\nTimeout (tcp tcpfin udp): 900 120 300\n';

test('parseIpvs: ipvsadm-save and ipvsadm -Ln forms, timeouts', () => {
  const a = parseIpvs(SAVE);
  assert.deepEqual(
    a.services.map((s) => [s.proto, s.vip, s.line, s.reals.map((r) => `${r.addr}/${r.weight}`)]),
    [
      ['tcp', '10.96.0.10:53', 1, ['10.224.1.3:53/1', '10.224.2.4:53/0']],
      ['udp', '10.96.0.10:53', 4, []],
    ],
  );
  const b = parseIpvs(LIST);
  assert.deepEqual(
    b.services.map((s) => [s.proto, s.vip, s.reals.length]),
    [
      ['tcp', '10.96.0.1:443', 1],
      ['udp', '10.96.0.10:53', 0],
    ],
  );
  assert.deepEqual(b.timeouts, { tcp: 900, tcpfin: 120, udp: 300, line: 7 });
  assert.deepEqual(parseIpvs(undefined), { services: [] });
});

test('ipvs-conntrack-disabled: vs.conntrack = 0 with IPVS services', () => {
  const f = run(ct, makeNode({ raw: { ipvsadm: SAVE }, sysctlPatch: { 'net.ipv4.vs.conntrack': '0' } }));
  assert.equal(f.length, 1);
  assert.equal(f[0]!.id, 'ipvs-conntrack-disabled');
  assert.equal(f[0]!.severity, 'critical');
  assert.equal(f[0]!.evidence[0]!.text, 'net.ipv4.vs.conntrack = 0');
  assert.match(f[0]!.evidence[1]!.text, /2 IPVS virtual service\(s\)/);
  assert.deepEqual(
    run(ct, makeNode({ sysctlPatch: { 'net.ipv4.vs.conntrack': '0' } })),
    [],
    'ip_vs loaded but unused',
  );
  assert.deepEqual(
    run(ct, makeNode({ raw: { ipvsadm: SAVE }, sysctlPatch: { 'net.ipv4.vs.conntrack': '1' } })),
    [],
  );
});

test('ipvs-conn-reuse-delay: mode 1 before 5.9 warns; mode 0 is info; mode 1 on >= 5.9 is fine', () => {
  const links = [...DEFAULT_LINKS, link('kube-ipvs0', { kind: 'dummy', flags: ['NOARP'] })];
  const w = run(
    reuse,
    makeNode({ links, kernel: '5.4.0-150-generic', sysctlPatch: { 'net.ipv4.vs.conn_reuse_mode': '1' } }),
  );
  assert.equal(w.length, 1);
  assert.equal(w[0]!.id, 'ipvs-conn-reuse-delay');
  assert.equal(w[0]!.severity, 'warning');
  assert.equal(w[0]!.evidence[0]!.text, 'net.ipv4.vs.conn_reuse_mode = 1');
  assert.match(evidenceText(w[0]!), /kernel 5\.4\.0-150-generic/);
  assert.match(evidenceText(w[0]!), /kube-ipvs0/);
  const i = run(
    reuse,
    makeNode({ links, kernel: '5.4.0', sysctlPatch: { 'net.ipv4.vs.conn_reuse_mode': '0' } }),
  );
  assert.equal(i[0]!.severity, 'info');
  assert.deepEqual(
    run(reuse, makeNode({ links, kernel: '5.15.0', sysctlPatch: { 'net.ipv4.vs.conn_reuse_mode': '1' } })),
    [],
  );
  assert.deepEqual(
    run(reuse, makeNode({ kernel: '5.4.0', sysctlPatch: { 'net.ipv4.vs.conn_reuse_mode': '1' } })),
    [],
    'no IPVS in use',
  );
});

test('ipvs-strict-arp: kube-ipvs0 addresses with arp_ignore 0', () => {
  const links = [...DEFAULT_LINKS, link('kube-ipvs0', { kind: 'dummy' })];
  const addrs = [
    ...DEFAULT_ADDRS,
    addr('kube-ipvs0', '10.96.0.1/32', { line: 9 }),
    addr('kube-ipvs0', '192.168.0.240/32'),
  ];
  const f = run(
    arp,
    makeNode({
      links,
      addrs,
      sysctlPatch: { 'net.ipv4.conf.all.arp_ignore': '0', 'net.ipv4.conf.all.arp_announce': '0' },
    }),
  );
  assert.equal(f.length, 1);
  assert.equal(f[0]!.id, 'ipvs-strict-arp');
  assert.equal(f[0]!.severity, 'info');
  assert.deepEqual(
    [f[0]!.evidence[0]!.text, f[0]!.evidence[0]!.line],
    ['kube-ipvs0 holds 2 address(es), e.g. 10.96.0.1, 192.168.0.240', 9],
  );
  assert.match(
    evidenceText(f[0]!),
    /effective arp_ignore\/arp_announce on eth0: 0\/0 \(strictARP needs 1\/2\)/,
  );
  assert.deepEqual(
    run(
      arp,
      makeNode({
        links,
        addrs,
        sysctlPatch: { 'net.ipv4.conf.all.arp_ignore': '1', 'net.ipv4.conf.all.arp_announce': '2' },
      }),
    ),
    [],
  );
  assert.deepEqual(run(arp, makeNode()), []);
});

test("ipvs-idle-timeout: IPVS tcp timeout shorter than the pods' keepalive", () => {
  const f = run(idle, makeNode({ raw: { ipvsadm: LIST }, sourceFiles: { ipvsadm: 'ipvsadm.txt' } }));
  assert.equal(f.length, 1);
  assert.equal(f[0]!.id, 'ipvs-idle-timeout');
  assert.equal(f[0]!.severity, 'info');
  assert.deepEqual(f[0]!.evidence[0], {
    source: 'ipvsadm.txt',
    line: 7,
    text: 'IPVS timeouts tcp 900 s, tcpfin 120 s, udp 300 s',
  });
  const shortKa = [{ name: 'cni-1', addrs: [], sysctl: { 'net.ipv4.tcp_keepalive_time': '600' } }];
  assert.deepEqual(run(idle, makeNode({ raw: { ipvsadm: LIST }, pods: shortKa })), []);
  assert.deepEqual(run(idle, makeNode({ raw: { ipvsadm: SAVE } })), [], 'no timeout line: cannot tell');
  assert.match(idle.missing!(makeNode())!, /ipvsadm/);
});
