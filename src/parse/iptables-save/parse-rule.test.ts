import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Rule } from '../../model/iptables.js';
import type { Diagnostic } from '../diagnostic.js';
import { parseIptablesSave } from './index.js';

/** Parses one rule appended to chain X of `table`; X, Y and KUBE-* chains are declared. */
function one(
  rule: string,
  opts: { table?: string; family?: 'ipv4' | 'ipv6' } = {},
): { rule: Rule; diags: Diagnostic[] } {
  const text = `*${opts.table ?? 'filter'}\n:X - [0:0]\n:Y - [0:0]\n:KUBE-MARK-MASQ - [0:0]\n-A X ${rule}\nCOMMIT\n`;
  const r = parseIptablesSave(text, opts.family ? { family: opts.family } : undefined);
  const t = Object.values(r.value.tables)[0];
  const got = t?.chains.X?.rules[0];
  assert.ok(got, `rule parsed: ${JSON.stringify(r.diagnostics)}`);
  return { rule: got, diags: r.diagnostics };
}

const codes = (d: Diagnostic[]) => d.map((x) => `${x.code}@${x.line}:${x.column}`);

test('iptables-save order: core options, tcp match, comment, jump', () => {
  const { rule, diags } = one(
    '-d 10.43.0.1/32 -p tcp -m comment --comment "default/kubernetes:https cluster IP" -m tcp --dport 443 -j KUBE-SVC-NPX46M4PTMTKRN6Y',
    { table: 'nat' },
  );
  assert.equal(rule.line, 5);
  assert.equal(
    rule.text,
    '-d 10.43.0.1/32 -p tcp -m comment --comment "default/kubernetes:https cluster IP" -m tcp --dport 443 -j KUBE-SVC-NPX46M4PTMTKRN6Y',
  );
  assert.deepEqual(rule.dst, { neg: false, value: { addr: '10.43.0.1', len: 32 } });
  assert.deepEqual(rule.proto, { neg: false, value: 'tcp' });
  assert.deepEqual(rule.matches, [
    { m: 'comment', comment: 'default/kubernetes:https cluster IP' },
    { m: 'tcp', dport: { neg: false, value: { from: 443, to: 443 } } },
  ]);
  assert.deepEqual(rule.target, { t: 'jump', chain: 'KUBE-SVC-NPX46M4PTMTKRN6Y' });
  // the jump goes to an undeclared chain: reported at the chain name
  assert.deepEqual(codes(diags), ['UNKNOWN_CHAIN@5:110']);
});

test("kube-proxy's own order: -m tcp -p tcp -d IP --dport, host address -> /32, ! -s", () => {
  const { rule, diags } = one(
    '-m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ',
  );
  assert.deepEqual(diags, []);
  assert.deepEqual(rule.src, { neg: true, value: { addr: '10.0.0.0', len: 8 } });
  assert.deepEqual(rule.dst, { neg: false, value: { addr: '172.30.0.44', len: 32 } });
  assert.deepEqual(rule.matches[1], { m: 'tcp', dport: { neg: false, value: { from: 80, to: 80 } } });
});

test('implicit protocol match (portmap: -p tcp --dport without -m tcp) and multiport --destination-ports', () => {
  const a = one('-p tcp --dport 8080 -s 10.244.0.0/16 -j Y').rule;
  assert.deepEqual(a.matches, [{ m: 'tcp', dport: { neg: false, value: { from: 8080, to: 8080 } } }]);
  const b = one(
    '-m comment --comment "dnat name: \\"cbr0\\" id: \\"abc\\"" -m multiport -p tcp --destination-ports 8080,8081 -j Y',
  );
  assert.deepEqual(b.diags, []);
  assert.deepEqual(b.rule.matches, [
    { m: 'comment', comment: 'dnat name: "cbr0" id: "abc"' },
    {
      m: 'multiport',
      dports: {
        neg: false,
        value: [
          { from: 8080, to: 8080 },
          { from: 8081, to: 8081 },
        ],
      },
    },
  ]);
});

test('negation before options and the old intrapositioned form (warning)', () => {
  const a = one('-i vocb -p udp -m udp ! --sport 67:68 ! --dport 67:68 -j ACCEPT').rule;
  assert.deepEqual(a.matches[0], {
    m: 'udp',
    sport: { neg: true, value: { from: 67, to: 68 } },
    dport: { neg: true, value: { from: 67, to: 68 } },
  });
  const b = one('-s 192.168.122.0/24 -d ! 192.168.122.0/24 -p tcp -m tcp --dport ! 22 -j ACCEPT');
  assert.deepEqual(b.rule.dst, { neg: true, value: { addr: '192.168.122.0', len: 24 } });
  assert.deepEqual(b.rule.matches[0], { m: 'tcp', dport: { neg: true, value: { from: 22, to: 22 } } });
  assert.deepEqual(
    b.diags.map((d) => [d.code, d.severity, d.column]),
    [
      ['SYNTAX', 'warning', 29],
      ['SYNTAX', 'warning', 70],
    ],
  );
  const c = one('-m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP').rule;
  assert.deepEqual(c.matches[0], {
    m: 'conntrack',
    ctstate: { neg: true, value: ['RELATED', 'ESTABLISHED', 'DNAT'] },
  });
});

test('tcp flags and --syn', () => {
  assert.deepEqual(one('-p tcp -m tcp ! --tcp-flags FIN,SYN,RST,ACK SYN -j DROP').rule.matches[0], {
    m: 'tcp',
    tcpFlags: { neg: true, value: { mask: ['FIN', 'SYN', 'RST', 'ACK'], comp: ['SYN'] } },
  });
  assert.deepEqual(one('-p tcp --syn -j DROP').rule.matches[0], {
    m: 'tcp',
    tcpFlags: { neg: false, value: { mask: ['FIN', 'SYN', 'RST', 'ACK'], comp: ['SYN'] } },
  });
  assert.deepEqual(one('-p tcp -m tcp --tcp-flags ALL NONE -j DROP').rule.matches[0], {
    m: 'tcp',
    tcpFlags: { neg: false, value: { mask: ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG'], comp: [] } },
  });
});

test('MARK spellings normalise to xmark {value, mask}: new = (old & ~mask) ^ value', () => {
  const op = (s: string) => (one(`-j MARK ${s}`, { table: 'mangle' }).rule.target as { op: unknown }).op;
  assert.deepEqual(op('--set-xmark 0x4000/0x4000'), { value: 0x4000, mask: 0x4000 });
  assert.deepEqual(op('--set-xmark 0x4000/0x0'), { value: 0x4000, mask: 0 });
  assert.deepEqual(op('--or-mark 0x4000'), { value: 0x4000, mask: 0x4000 });
  assert.deepEqual(op('--xor-mark 0x4000'), { value: 0x4000, mask: 0 });
  assert.deepEqual(op('--and-mark 0xff'), { value: 0, mask: 0xffffff00 });
  assert.deepEqual(op('--set-mark 5/0xf0'), { value: 5, mask: 0xf5 });
  assert.deepEqual(op('--set-mark 16384'), { value: 0x4000, mask: 0xffffffff });
  assert.deepEqual(op('--set-xmark 0x0/0x10000'), { value: 0, mask: 0x10000 });
});

test('mark/connmark match: decimal or hex, no mask = 0xffffffff', () => {
  assert.deepEqual(one('-m mark ! --mark 0x4000/0x4000 -j RETURN').rule.matches[0], {
    m: 'mark',
    mark: { neg: true, value: { value: 0x4000, mask: 0x4000 } },
  });
  assert.deepEqual(one('-m connmark --mark 128 -j RETURN').rule.matches[0], {
    m: 'connmark',
    mark: { neg: false, value: { value: 128, mask: 0xffffffff } },
  });
});

test('CONNMARK set / save / restore', () => {
  assert.deepEqual(one('-j CONNMARK --set-xmark 0x80/0x80', { table: 'nat' }).rule.target, {
    t: 'CONNMARK',
    op: 'set',
    value: 0x80,
    mask: 0x80,
    raw: '--set-xmark 0x80/0x80',
  });
  assert.deepEqual(
    one('-j CONNMARK --restore-mark --nfmask 0x80 --ctmask 0x80', { table: 'nat' }).rule.target,
    {
      t: 'CONNMARK',
      op: 'restore',
      mask: 0x80,
      raw: '--restore-mark --nfmask 0x80 --ctmask 0x80',
    },
  );
  const diff = one('-j CONNMARK --save-mark --nfmask 0xff --ctmask 0xf', { table: 'mangle' });
  assert.equal(diff.rule.target?.t, 'unsupported');
  assert.deepEqual(
    diff.diags.map((d) => d.code),
    ['UNSUPPORTED'],
  );
});

test('NAT targets', () => {
  assert.deepEqual(
    one(
      '-p udp -m comment --comment "kube-system/kube-dns:dns" -m udp -j DNAT --to-destination 10.42.0.7:53',
      { table: 'nat' },
    ).rule.target,
    {
      t: 'DNAT',
      to: { addrFrom: '10.42.0.7', addrTo: '10.42.0.7', portFrom: 53, portTo: 53 },
      random: false,
      persistent: false,
    },
  );
  assert.deepEqual(one('-j SNAT --to-source 172.31.0.225 --random-fully', { table: 'nat' }).rule.target, {
    t: 'SNAT',
    to: { addrFrom: '172.31.0.225', addrTo: '172.31.0.225' },
    random: false,
    randomFully: true,
    persistent: false,
  });
  assert.deepEqual(one('-j MASQUERADE --random-fully', { table: 'nat' }).rule.target, {
    t: 'MASQUERADE',
    random: false,
    randomFully: true,
  });
  assert.deepEqual(one('-p tcp -j MASQUERADE --to-ports 1024-65535', { table: 'nat' }).rule.target, {
    t: 'MASQUERADE',
    toPorts: { from: 1024, to: 65535 },
    random: false,
    randomFully: false,
  });
  assert.deepEqual(one('-p tcp -j REDIRECT --to-ports 8080 --random', { table: 'nat' }).rule.target, {
    t: 'REDIRECT',
    toPorts: { from: 8080, to: 8080 },
    random: true,
  });
});

test('REJECT default and aliases; verdicts; goto; raw targets keep their options', () => {
  assert.deepEqual(one('-j REJECT').rule.target, { t: 'REJECT', with: 'icmp-port-unreachable' });
  assert.deepEqual(one('-j REJECT --reject-with host-prohib').rule.target, {
    t: 'REJECT',
    with: 'icmp-host-prohibited',
  });
  assert.deepEqual(one('-j REJECT', { family: 'ipv6' }).rule.target, {
    t: 'REJECT',
    with: 'icmp6-port-unreachable',
  });
  assert.deepEqual(one('-g Y').rule.target, { t: 'goto', chain: 'Y' });
  assert.deepEqual(one('-j QUEUE').rule.target, { t: 'QUEUE' });
  // an unquoted value that looks like an option is still the argument (iptables-save prints `--log-prefix -s`)
  assert.deepEqual(one('-j LOG --log-prefix -s --log-level 6').rule.target, {
    t: 'LOG',
    raw: '--log-prefix -s --log-level 6',
  });
  assert.deepEqual(one('-o lo -j CT --notrack', { table: 'raw' }).rule.target, {
    t: 'CT',
    notrack: true,
    raw: '--notrack',
  });
  assert.deepEqual(one('-p tcp --dport 21 -j CT --helper ftp', { table: 'raw' }).rule.target, {
    t: 'CT',
    notrack: false,
    raw: '--helper ftp',
  });
  assert.deepEqual(one('-j NOTRACK', { table: 'raw' }).rule.target, { t: 'NOTRACK' });
  assert.deepEqual(one('-p tcp -j TCPMSS --clamp-mss-to-pmtu', { table: 'mangle' }).rule.target, {
    t: 'TCPMSS',
    raw: '--clamp-mss-to-pmtu',
  });
  assert.equal(one('-m comment --comment x').rule.target, undefined);
});

test('statistic, recent, addrtype, physdev, set, conntrack details', () => {
  // the kernel stores lround(p * 2^31): 0.33333333333 and iptables-save's 0.33333333349 are the same value
  assert.deepEqual(one('-m statistic --mode random --probability 0.33333333349 -j Y').rule.matches[0], {
    m: 'statistic',
    mode: 'random',
    probability: 715827883 / 2 ** 31,
    neg: false,
  });
  assert.deepEqual(one('-m statistic --mode random --probability 0.33333333333 -j Y').rule.matches[0], {
    m: 'statistic',
    mode: 'random',
    probability: 715827883 / 2 ** 31,
    neg: false,
  });
  assert.deepEqual(one('-m statistic --mode nth --every 3 --packet 0 -j Y').rule.matches[0], {
    m: 'statistic',
    mode: 'nth',
    every: 3,
    packet: 0,
    neg: false,
  });
  assert.deepEqual(one('-m statistic --mode random ! --probability 0.25 -j Y').rule.matches[0], {
    m: 'statistic',
    mode: 'random',
    probability: 0.25,
    neg: true,
  });
  assert.deepEqual(
    one('-m recent --set --name DEFAULT --mask 255.255.255.255 --rsource -j Y').rule.matches[0],
    {
      m: 'recent',
      name: 'DEFAULT',
      action: 'set',
      neg: false,
      reap: false,
      side: 'rsource',
      mask: '255.255.255.255',
    },
  );
  // the default mask is filled in, as iptables-save prints it
  assert.deepEqual(
    one('-m recent ! --update --seconds 60 --hitcount 2 --name SSHA --rdest -j Y').rule.matches[0],
    {
      m: 'recent',
      name: 'SSHA',
      action: 'update',
      neg: true,
      reap: false,
      side: 'rdest',
      seconds: 60,
      hitcount: 2,
      mask: '255.255.255.255',
    },
  );
  assert.deepEqual(one('-m addrtype ! --dst-type LOCAL --limit-iface-out -j Y').rule.matches[0], {
    m: 'addrtype',
    dstType: { neg: true, value: ['LOCAL'] },
    limitIfaceOut: true,
  });
  assert.deepEqual(one('-m physdev --physdev-in veth+ ! --physdev-is-bridged -j Y').rule.matches[0], {
    m: 'physdev',
    physdevIn: { neg: false, value: 'veth+' },
    isBridged: { neg: true, value: true },
  });
  assert.deepEqual(one('-m set ! --match-set cali40all-ipam-pools dst,src -j Y').rule.matches[0], {
    m: 'set',
    setName: { neg: true, value: 'cali40all-ipam-pools' },
    flags: ['dst', 'src'],
  });
  assert.deepEqual(
    one(
      '-m conntrack --ctstate NEW --ctorigdst 10.0.0.1 --ctorigdstport 80 --ctstatus ASSURED --ctdir ORIGINAL -j Y',
    ).rule.matches[0],
    {
      m: 'conntrack',
      ctstate: { neg: false, value: ['NEW'] },
      ctorigdst: { neg: false, value: { addr: '10.0.0.1', len: 32 } },
      ctorigdstport: { neg: false, value: { from: 80, to: 80 } },
      ctstatus: { neg: false, value: ['ASSURED'] },
      ctdir: 'ORIGINAL',
    },
  );
});

test('icmp, pkttype, mac, iprange, limit, nfacct, state, fragment, interfaces', () => {
  assert.deepEqual(one('-p icmp -m icmp --icmp-type 3/4 -j Y').rule.matches[0], {
    m: 'icmp',
    type: { neg: false, value: '3/4' },
  });
  assert.deepEqual(one('-p icmp --icmp-type echo-request -j Y').rule.matches[0], {
    m: 'icmp',
    type: { neg: false, value: '8' },
  });
  assert.deepEqual(
    one('-p icmpv6 -m icmp6 --icmpv6-type neighbour-solicitation -j Y', { family: 'ipv6' }).rule.matches[0],
    { m: 'icmp6', type: { neg: false, value: '135' } },
  );
  assert.deepEqual(one('-m pkttype ! --pkt-type unicast -j Y').rule.matches[0], {
    m: 'pkttype',
    type: { neg: true, value: 'unicast' },
  });
  assert.deepEqual(one('-m mac --mac-source AA:BB:cc:dd:ee:ff -j Y').rule.matches[0], {
    m: 'mac',
    source: { neg: false, value: 'aa:bb:cc:dd:ee:ff' },
  });
  assert.deepEqual(one('-m iprange ! --dst-range 127.0.0.1-127.0.10.0 -j Y').rule.matches[0], {
    m: 'iprange',
    dstRange: { neg: true, value: ['127.0.0.1', '127.0.10.0'] },
  });
  assert.deepEqual(one('-m limit --limit 10/min --limit-burst 10 -j Y').rule.matches[0], {
    m: 'limit',
    rate: '10/min',
    burst: 10,
  });
  assert.deepEqual(one('-m nfacct --nfacct-name  localhost_nps_accepted_pkts -j Y').rule.matches[0], {
    m: 'nfacct',
    name: 'localhost_nps_accepted_pkts',
  });
  assert.deepEqual(one('-m state --state NEW,ESTABLISHED -j Y').rule.matches[0], {
    m: 'state',
    state: { neg: false, value: ['NEW', 'ESTABLISHED'] },
  });
  const r = one('! -f ! -i eth+ -o vlan0 -p 6 -j Y').rule;
  assert.deepEqual(
    [r.fragment, r.inIface, r.outIface, r.proto],
    [
      { neg: true, value: true },
      { neg: true, value: 'eth+' },
      { neg: false, value: 'vlan0' },
      { neg: false, value: 'tcp' },
    ],
  );
  assert.deepEqual(one('-p ipv6-icmp -j Y', { family: 'ipv6' }).rule.proto, { neg: false, value: 'icmpv6' });
});

test('what the model cannot express is kept as unsupported, with a diagnostic at its column', () => {
  const a = one('-m owner --uid-owner 0 -j Y');
  assert.deepEqual(a.rule.matches, [{ m: 'unsupported', module: 'owner', raw: '--uid-owner 0' }]);
  assert.deepEqual(
    a.diags.map((d) => [d.code, d.severity, d.line, d.column]),
    [['UNSUPPORTED', 'unsupported', 5, 9]],
  );
  const b = one('-m conntrack --ctstate NEW --ctproto tcp -j Y');
  assert.deepEqual(b.rule.matches, [
    { m: 'unsupported', module: 'conntrack', raw: '--ctstate NEW --ctproto tcp' },
  ]);
  assert.deepEqual(codes(b.diags), ['UNSUPPORTED@5:33']);
  const c = one('-j TPROXY --on-port 1 --tproxy-mark 0x1/0x1', { table: 'mangle' });
  assert.deepEqual(c.rule.target, {
    t: 'unsupported',
    target: 'TPROXY',
    raw: '--on-port 1 --tproxy-mark 0x1/0x1',
  });
  assert.deepEqual(codes(c.diags), ['UNSUPPORTED@5:9']);
  const d = one('-s 1.2.3.4/255.0.255.0 -j Y');
  assert.equal(d.rule.src, undefined);
  assert.deepEqual(d.rule.matches, [{ m: 'unsupported', module: '-s', raw: '-s 1.2.3.4/255.0.255.0' }]);
  assert.deepEqual(codes(d.diags), ['UNSUPPORTED@5:9']);
  // an unknown extension target (options follow, no such chain) is not taken for a jump
  assert.deepEqual(one('-j IMQX --todev 0').rule.target, {
    t: 'unsupported',
    target: 'IMQX',
    raw: '--todev 0',
  });
});

test('bad values are BAD_VALUE errors at the value, and the match stays unsupported', () => {
  const a = one('-m mac --mac-source XX:XX:XX:XX:XX:XX -j RETURN');
  assert.deepEqual(codes(a.diags), ['BAD_VALUE@5:26']);
  assert.deepEqual(a.rule.matches, [
    { m: 'unsupported', module: 'mac', raw: '--mac-source XX:XX:XX:XX:XX:XX' },
  ]);
  assert.deepEqual(codes(one('-m conntrack --ctstate NEWISH -j Y').diags), ['BAD_VALUE@5:29']);
  assert.deepEqual(codes(one('-p tcp --dport 99999 -j Y').diags), ['BAD_VALUE@5:21']);
  assert.deepEqual(codes(one('-s 10.0.0.300 -j Y').diags), ['BAD_VALUE@5:9']);
  assert.deepEqual(codes(one('-j REJECT --reject-with bogus').diags), ['BAD_VALUE@5:30']);
  assert.deepEqual(codes(one('-m statistic --mode random -j Y').diags), ['BAD_VALUE@5:9']);
  assert.deepEqual(codes(one('-j DNAT --to-destination 10.0.0.1:99999', { table: 'nat' }).diags), [
    'BAD_VALUE@5:31',
  ]);
  assert.deepEqual(codes(one('-m comment ! --comment x -j Y').diags), ['SYNTAX@5:17']);
});

test('unknown option: SYNTAX error (as iptables: unknown option), the rule is kept', () => {
  const a = one('-p udp -m multiport --ports 8080:8081,8082 --something-else -j ACCEPT');
  assert.deepEqual(codes(a.diags), ['SYNTAX@5:49']);
  assert.deepEqual(a.rule.matches, [
    { m: 'unsupported', module: 'multiport', raw: '--ports 8080:8081,8082 --something-else' },
  ]);
  assert.deepEqual(a.rule.target, { t: 'ACCEPT' });
  assert.deepEqual(codes(one('--dport 80 -j ACCEPT').diags), ['SYNTAX@5:6']);
  assert.deepEqual(codes(one('-j ACCEPT stray').diags), ['SYNTAX@5:16']);
});
