/**
 * The real dumps of the shared corpus (see corpus/real/SOURCES.md and
 * corpus/real/firewalls/SOURCES.md): every iptables-save / `iptables -S` text parses with
 * zero error diagnostics and exactly as many rules per chain as the text has `-A` lines.
 * The exceptions are dumps the kernel's own iptables-restore rejects too; for those the
 * exact errors are asserted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Match, Rule, Ruleset, Target } from '../../model/iptables.js';
import type { Diagnostic } from '../diagnostic.js';
import { corpusDir, extractListBlocks, extractSaveBlock } from './corpus-fixtures.js';
import { parseIptablesS, parseIptablesSave } from './index.js';

const CORPUS = corpusDir();
const read = (name: string) => readFileSync(join(CORPUS, name), 'utf8');

const K3S = 'ddanielgal-ytdl__research.md@7521438__k3s-pi__iptables-save.txt';
const K3S6 = 'ddanielgal-ytdl__research.md@7521438__k3s-pi__ip6tables-save.txt';
const GOLDEN = 'kubernetes__pkg-proxy-iptables-proxier_test.go__TestOverallIPTablesRules.expected.txt';
const EKS_NAT_S = 'unresolved-source__eks-vpc-cni__iptables-t-nat-S.txt';
const CALICO_IPVS =
  'unresolved-source__kubeadm-calico-ipvs-mode__iptables-save-nat_ipvsadm_kube-ipvs0_ipset.txt';
const EKS_MD = [
  'anngdinh-vcontainer-helm-infra-documentation__aws-network.md__eks-vpc-cni-2node-state.md',
  'anngdinh-vcontainer-helm-infra-documentation__aws-trunk.md__eks-vpc-cni-sgpp-node-state.md',
];

/** `-A CHAIN` counts per table.chain, counted from the text itself. */
function expectedCounts(text: string, listTable?: string): Map<string, number> {
  const m = new Map<string, number>();
  let table = listTable ?? '';
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) table = line.slice(1).trim();
    const a = /^(?:\[\d+:\d+\] )?-A (\S+)/.exec(line);
    if (a) m.set(`${table}.${a[1]}`, (m.get(`${table}.${a[1]}`) ?? 0) + 1);
  }
  return m;
}

function parsedCounts(rs: Ruleset): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of Object.values(rs.tables))
    for (const c of Object.values(t?.chains ?? {}))
      if (c.rules.length) m.set(`${t?.name}.${c.name}`, c.rules.length);
  return m;
}

const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
const errors = (d: Diagnostic[]) => d.filter((x) => x.severity === 'error');

function allRules(rs: Ruleset): { chain: string; rule: Rule }[] {
  const out: { chain: string; rule: Rule }[] = [];
  for (const t of Object.values(rs.tables))
    for (const c of Object.values(t?.chains ?? {}))
      for (const rule of c.rules) out.push({ chain: c.name, rule });
  return out;
}

function ruleAt(rs: Ruleset, line: number): Rule {
  const r = allRules(rs).find((x) => x.rule.line === line)?.rule;
  assert.ok(r, `a rule on line ${line}`);
  return r;
}

function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, needle);
  return i + 1;
}

const find = <M extends Match['m']>(r: Rule, m: M) =>
  r.matches.find((x) => x.m === m) as Extract<Match, { m: M }> | undefined;

/**
 * kube-proxy's KUBE-SVC chains: endpoint rule i of n carries `statistic --mode random
 * --probability 1/(n-i)` (as the kernel stores it: within 2^-31), the last one none.
 */
function checkBalancing(rs: Ruleset): { services: number; balanced: number } {
  let services = 0;
  let balanced = 0;
  for (const c of Object.values(rs.tables.nat?.chains ?? {}).filter((x) => x.name.startsWith('KUBE-SVC-'))) {
    const eps = c.rules.filter((r) => r.target?.t === 'jump' && r.target.chain.startsWith('KUBE-SEP-'));
    if (eps.length === 0) continue;
    services++;
    const probs = eps.map((r) => {
      const st = find(r, 'statistic');
      return st && st.mode === 'random' ? st.probability : null;
    });
    assert.equal(probs.at(-1), null, `${c.name}: last endpoint rule has no statistic`);
    probs
      .slice(0, -1)
      .forEach((p, i) =>
        assert.ok(
          p !== null && Math.abs(p - 1 / (eps.length - i)) < 2 ** -31,
          `${c.name}: rule ${i} probability ${p}`,
        ),
      );
    if (eps.length > 1) balanced++;
  }
  return { services, balanced };
}

// ---- the firewall dumps (diekmann/Iptables_Semantics), one by one -----------------------

const FIREWALLS = readdirSync(join(CORPUS, 'firewalls'))
  .filter((f) => f !== 'SOURCES.md')
  .sort();

/**
 * The TUM_Net dumps were anonymised: every MAC address reads `XX:XX:XX:XX:XX:XX`, which
 * iptables-restore rejects ("Invalid MAC address specified", SOURCES.md). The parser
 * reports each one as BAD_VALUE at the address and nothing else.
 */
const ANONYMISED_MAC = /^TUM_Net__/;

test('firewalls/ corpus: the expected files are there', () => {
  assert.equal(FIREWALLS.length, 21);
});

for (const name of FIREWALLS) {
  test(`firewalls/${name}: rule counts per chain, zero errors (or exactly the known ones)`, () => {
    const text = read(join('firewalls', name));
    const { value, diagnostics } = parseIptablesSave(text);
    assert.deepEqual(parsedCounts(value), expectedCounts(text));
    assert.equal(value.family, /ip6tables/.test(name) ? 'ipv6' : 'ipv4');
    assert.equal(value.backend, 'legacy'); // all are iptables 1.4 / 1.6 dumps
    const errs = errors(diagnostics);
    if (name === 'Parser_Test__data__iptables-save') {
      // a parser test file with a deliberately invalid option; iptables-restore 1.8.9 also
      // rejects it: unknown option "--something-else"
      assert.deepEqual(
        errs.map((d) => [d.code, d.line, d.column]),
        [['SYNTAX', 12, 55]],
      );
      assert.match(errs[0]?.message ?? '', /--something-else/);
    } else if (ANONYMISED_MAC.test(name)) {
      const expected: string[] = [];
      text.split('\n').forEach((l, i) => {
        for (const m of l.matchAll(/--mac-source (XX:XX:XX:XX:XX:XX)/g))
          expected.push(`BAD_VALUE@${i + 1}:${(m.index ?? 0) + 14}`);
      });
      assert.ok(expected.length > 800);
      assert.deepEqual(
        errs.map((d) => `${d.code}@${d.line}:${d.column}`),
        expected,
      );
    } else {
      assert.deepEqual(errs, []);
    }
  });
}

test('firewalls: old intrapositioned negation (-d ! X) is understood, with a warning each', () => {
  const text = read('firewalls/configs_ugent__iptables-save.v1.4.21');
  const { value, diagnostics } = parseIptablesSave(text);
  const warnings = diagnostics.filter((d) => d.severity === 'warning');
  assert.equal(warnings.length, text.split('\n').filter((l) => l.includes(' -d ! ')).length);
  const r = ruleAt(
    value,
    lineOf(
      text,
      '-A POSTROUTING -s 192.168.122.0/24 -d ! 192.168.122.0/24 -p tcp -j MASQUERADE --to-ports 1024-65535',
    ),
  );
  assert.deepEqual(r.dst, { neg: true, value: { addr: '192.168.122.0', len: 24 } });
  assert.deepEqual(r.target, {
    t: 'MASQUERADE',
    toPorts: { from: 1024, to: 65535 },
    random: false,
    randomFully: false,
  });
});

test('firewalls: IPv6 dumps parse addresses to RFC 5952 text', () => {
  const text = read('firewalls/Parser_Test__data__ip6tables-save');
  const { value } = parseIptablesSave(text);
  const r = ruleAt(value, lineOf(text, '-A FORWARD -s 2001:db8::8d3:0:0:1/128'));
  assert.deepEqual(r.src, { neg: false, value: { addr: '2001:db8::8d3:0:0:1', len: 128 } });
  assert.deepEqual(r.dst, { neg: false, value: { addr: '2001:db8:0:0:8d3::', len: 128 } });
  const rej = ruleAt(value, lineOf(text, 'icmp6-port-unreachable'));
  assert.deepEqual(rej.target, { t: 'REJECT', with: 'icmp6-port-unreachable' });
});

test('firewalls: unsupported modules are kept as unsupported, not dropped', () => {
  const text = read('firewalls/config_home_user__typical_home_user_iptables-save');
  const { value, diagnostics } = parseIptablesSave(text);
  const unsupported = diagnostics.filter((d) => d.severity === 'unsupported');
  assert.ok(unsupported.length > 0);
  assert.ok(unsupported.every((d) => d.code === 'UNSUPPORTED' && d.line > 0 && d.column > 0));
  const hashlimit = allRules(value).filter(({ rule }) =>
    rule.matches.some((m) => m.m === 'unsupported' && m.module === 'hashlimit'),
  );
  assert.equal(hashlimit.length, text.split('\n').filter((l) => l.includes('-m hashlimit')).length);
});

// ---- Kubernetes node dumps -----------------------------------------------------------------

test('k3s iptables-save (nf_tables): counts, zero diagnostics, kube-proxy values', () => {
  const text = read(K3S);
  const { value, diagnostics } = parseIptablesSave(text);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(parsedCounts(value), expectedCounts(text));
  assert.equal(total(parsedCounts(value)), 315);
  assert.deepEqual([value.family, value.backend, value.version], ['ipv4', 'nft', '1.8.10']);
  assert.deepEqual(Object.keys(value.tables), ['mangle', 'filter', 'nat']);
  assert.equal(value.tables.filter?.chains.INPUT?.counters?.bytes, 25368);

  // KUBE-SVC load balancing (this node has one endpoint per service: no statistic at all)
  const nat = value.tables.nat?.chains ?? {};
  assert.deepEqual(checkBalancing(value), { services: 14, balanced: 0 });
  const dnsLine = lineOf(
    text,
    '-A KUBE-SEP-4SSQDR46DMIXOOUO -p udp -m comment --comment "kube-system/kube-dns:dns" -m udp -j DNAT --to-destination 10.42.0.7:53',
  );
  assert.deepEqual(ruleAt(value, dnsLine).target, {
    t: 'DNAT',
    to: { addrFrom: '10.42.0.7', addrTo: '10.42.0.7', portFrom: 53, portTo: 53 },
    random: false,
    persistent: false,
  });
  assert.deepEqual(nat['KUBE-MARK-MASQ']?.rules[0]?.target, {
    t: 'MARK',
    op: { value: 0x4000, mask: 0x4000 },
  });
  const post = nat['KUBE-POSTROUTING']?.rules ?? [];
  assert.deepEqual(
    post.map((r) => r.target),
    [
      { t: 'RETURN' },
      { t: 'MARK', op: { value: 0x4000, mask: 0 } },
      { t: 'MASQUERADE', random: false, randomFully: true },
    ] satisfies Target[],
  );
  assert.deepEqual(find(post[0] as Rule, 'mark'), {
    m: 'mark',
    mark: { neg: true, value: { value: 0x4000, mask: 0x4000 } },
  });
  // kube-router: physdev --physdev-is-bridged
  const bridged = allRules(value).filter(({ rule }) => find(rule, 'physdev')?.isBridged?.value === true);
  assert.equal(bridged.length, text.split('\n').filter((l) => l.includes('--physdev-is-bridged')).length);
  // comment with an iptables-save escape: "pod\'s"
  const podLocal = allRules(value).find(({ rule }) =>
    find(rule, 'comment')?.comment.includes("pod's local node"),
  );
  assert.ok(podLocal);
  // every jump target is declared
  for (const { rule } of allRules(value)) {
    if (rule.target?.t === 'jump')
      assert.ok(
        Object.values(value.tables).some((t) => t?.chains[(rule.target as { chain: string }).chain]),
        rule.text,
      );
  }
});

test('k3s ip6tables-save: ipv6 family, ::1/128', () => {
  const text = read(K3S6);
  const { value, diagnostics } = parseIptablesSave(text, { family: 'ipv6' });
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(parsedCounts(value), expectedCounts(text));
  assert.equal(total(parsedCounts(value)), 22);
  assert.equal(value.family, 'ipv6');
  const last = value.tables.nat?.chains['KUBE-SERVICES']?.rules[0];
  assert.deepEqual(last?.dst, { neg: true, value: { addr: '::1', len: 128 } });
  // and the header alone is enough to know the family
  assert.equal(parseIptablesSave(text).value.family, 'ipv6');
});

test('kube-proxy golden restore input (TestOverallIPTablesRules): counts, values, kube-proxy arg order', () => {
  const text = read(GOLDEN);
  const { value, diagnostics } = parseIptablesSave(text);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(parsedCounts(value), expectedCounts(text));
  assert.equal(total(parsedCounts(value)), 65);
  assert.equal(value.backend, 'unknown');
  const nat = value.tables.nat?.chains ?? {};
  assert.deepEqual(nat['KUBE-MARK-MASQ']?.rules[0]?.target, {
    t: 'MARK',
    op: { value: 0x4000, mask: 0x4000 },
  });
  assert.deepEqual(nat['KUBE-POSTROUTING']?.rules[1]?.target, { t: 'MARK', op: { value: 0x4000, mask: 0 } });
  const svc = nat['KUBE-SVC-4SW47YFZTEDKD3PK']?.rules ?? [];
  assert.deepEqual(svc[0]?.src, { neg: true, value: { addr: '10.0.0.0', len: 8 } });
  assert.deepEqual(svc[0]?.dst, { neg: false, value: { addr: '172.30.0.44', len: 32 } });
  assert.deepEqual(find(svc[1] as Rule, 'statistic'), {
    m: 'statistic',
    mode: 'random',
    probability: 0.5,
    neg: false,
  });
  const affinity = nat['KUBE-SVC-NUKIZ6OKUXPJNT4C']?.rules[1];
  assert.deepEqual(find(affinity as Rule, 'recent'), {
    m: 'recent',
    name: 'KUBE-SEP-I77PXRDZVX7PMWMN',
    action: 'rcheck',
    neg: false,
    seconds: 10800,
    reap: true,
    side: 'rsource',
    mask: '255.255.255.255',
  });
  const fw = value.tables.filter?.chains['KUBE-FORWARD']?.rules[0];
  assert.deepEqual(fw?.matches, [
    { m: 'conntrack', ctstate: { neg: false, value: ['INVALID'] } },
    { m: 'nfacct', name: 'ct_state_invalid_dropped_pkts' },
  ]);
  assert.deepEqual(value.tables.filter?.chains['KUBE-SERVICES']?.rules[0]?.target, {
    t: 'REJECT',
    with: 'icmp-port-unreachable',
  });
  // a rule without a target (counts only)
  assert.equal(nat['KUBE-FW-NUKIZ6OKUXPJNT4C']?.rules[1]?.target, undefined);
});

test('EKS `iptables -t nat -S` (parseIptablesS): counts, nfacct, CONNMARK, SNAT --random-fully', () => {
  const raw = read(EKS_NAT_S);
  const text = raw
    .split('\n')
    .filter((l) => !l.startsWith('sudo '))
    .join('\n');
  const { value, diagnostics } = parseIptablesS(text, 'nat');
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(parsedCounts(value), expectedCounts(text, 'nat'));
  assert.equal(total(parsedCounts(value)), 58);
  const nat = value.tables.nat?.chains ?? {};
  assert.deepEqual(
    Object.values(nat)
      .filter((c) => c.builtin)
      .map((c) => [c.name, c.policy]),
    [
      ['PREROUTING', 'ACCEPT'],
      ['INPUT', 'ACCEPT'],
      ['OUTPUT', 'ACCEPT'],
      ['POSTROUTING', 'ACCEPT'],
    ],
  );
  assert.deepEqual(nat.PREROUTING?.rules[2]?.target, {
    t: 'CONNMARK',
    op: 'restore',
    mask: 0x80,
    raw: '--restore-mark --nfmask 0x80 --ctmask 0x80',
  });
  const snat = nat['AWS-SNAT-CHAIN-0']?.rules[1];
  assert.deepEqual(snat?.outIface, { neg: true, value: 'vlan+' });
  assert.deepEqual(snat?.target, {
    t: 'SNAT',
    to: { addrFrom: '192.168.0.174', addrTo: '192.168.0.174' },
    random: false,
    randomFully: true,
    persistent: false,
  });
  assert.deepEqual(find(snat as Rule, 'addrtype'), {
    m: 'addrtype',
    dstType: { neg: true, value: ['LOCAL'] },
  });
  assert.deepEqual(checkBalancing(value), { services: 6, balanced: 5 });
  assert.deepEqual(find(nat['KUBE-SVC-TCOU7JCQXEZGVUNU']?.rules[0] as Rule, 'statistic'), {
    m: 'statistic',
    mode: 'random',
    probability: 0.5,
    neg: false,
  });
  const np = nat['KUBE-NODEPORTS']?.rules[0];
  assert.deepEqual(find(np as Rule, 'nfacct'), { m: 'nfacct', name: 'localhost_nps_accepted_pkts' });
});

test('kubeadm + Calico, kube-proxy ipvs mode: the embedded iptables-save -t nat block', () => {
  const block = extractSaveBlock(read(CALICO_IPVS));
  const { value, diagnostics } = parseIptablesSave(block);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(parsedCounts(value), expectedCounts(block));
  assert.equal(total(parsedCounts(value)), 23);
  assert.deepEqual([value.backend, value.version], ['unknown', '1.8.4']);
  const out = value.tables.nat?.chains['cali-nat-outgoing']?.rules[0];
  assert.deepEqual(out?.matches.slice(1), [
    { m: 'set', setName: { neg: false, value: 'cali40masq-ipam-pools' }, flags: ['src'] },
    { m: 'set', setName: { neg: true, value: 'cali40all-ipam-pools' }, flags: ['dst'] },
  ]);
  const hairpin = value.tables.nat?.chains['KUBE-POSTROUTING']?.rules[0];
  assert.deepEqual(find(hairpin as Rule, 'set'), {
    m: 'set',
    setName: { neg: false, value: 'KUBE-LOOP-BACK' },
    flags: ['dst', 'dst', 'src'],
  });
  const vx = value.tables.nat?.chains['cali-POSTROUTING']?.rules[2];
  assert.deepEqual(
    vx?.matches.filter((m) => m.m === 'addrtype'),
    [
      { m: 'addrtype', srcType: { neg: true, value: ['LOCAL'] }, limitIfaceOut: true },
      { m: 'addrtype', srcType: { neg: false, value: ['LOCAL'] } },
    ],
  );
});

test('EKS notes: every `iptables -S` block parses with zero diagnostics and full counts', () => {
  let blocks = 0;
  let rules = 0;
  let balanced = 0;
  for (const name of EKS_MD) {
    const found = extractListBlocks(read(name));
    assert.ok(found.length >= 2, `${name}: iptables -S blocks found`);
    for (const b of found) {
      const { value, diagnostics } = parseIptablesS(b.text, b.table);
      assert.deepEqual(diagnostics, [], `${name}: ${b.command}`);
      assert.deepEqual(parsedCounts(value), expectedCounts(b.text, b.table), `${name}: ${b.command}`);
      if (b.table === 'nat') balanced += checkBalancing(value).balanced;
      blocks++;
      rules += total(parsedCounts(value));
    }
  }
  // 58 + 65 `-A` lines in the two files (SOURCES.md), all inside -S blocks
  assert.equal(rules, 58 + 65);
  assert.ok(blocks >= 6);
  assert.ok(balanced >= 4);
});
