/**
 * Conntrack checks (FM-03, FM-04, FM-05, FM-08, FM-23): table fill, insertion races, the DNS
 * race exposure, INVALID handling, stale UDP entries.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ctEntries,
  ctStats,
  evidenceText,
  link,
  makeNode,
  ruleset,
  run,
  DEFAULT_LINKS,
  KUBE_FLANNEL_RULES,
} from './fixtures.js';
import { check as full } from './conntrack-table-near-full.js';
import { check as insert } from './conntrack-insert-failed.js';
import { check as dns } from './dns-conntrack-race-exposed.js';
import { check as invalid } from './ct-invalid-not-dropped.js';
import { check as stale } from './stale-udp-conntrack.js';

const fill = (count: number, max = 1000) => ({
  'net.netfilter.nf_conntrack_count': String(count),
  'net.netfilter.nf_conntrack_max': String(max),
});

test('conntrack-table-near-full: >= 90 % critical, >= 75 % warning, with count and max as evidence', () => {
  const c = run(full, makeNode({ sysctlPatch: fill(950) }));
  assert.equal(c.length, 1);
  assert.equal(c[0]!.id, 'conntrack-table-near-full');
  assert.equal(c[0]!.severity, 'critical');
  assert.match(evidenceText(c[0]!), /net\.netfilter\.nf_conntrack_count = 950/);
  assert.match(evidenceText(c[0]!), /net\.netfilter\.nf_conntrack_max = 1000/);
  assert.match(evidenceText(c[0]!), /95\.0 % full \(950 of 1000\)/);
  assert.equal(run(full, makeNode({ sysctlPatch: fill(800) }))[0]!.severity, 'warning');
  assert.deepEqual(run(full, makeNode({ sysctlPatch: fill(700) })), []);
  assert.deepEqual(run(full, makeNode()), [], '212 of 131072');
});

test('conntrack-table-near-full: conntrack -C when the sysctl lacks the count; early_drop proves a full table', () => {
  const n = makeNode({
    sysctlPatch: { 'net.netfilter.nf_conntrack_count': undefined, 'net.netfilter.nf_conntrack_max': '1000' },
    raw: { 'conntrack-count': '990\n' },
    sourceFiles: { 'conntrack-count': 'conntrack-count.txt' },
  });
  const f = run(full, n);
  assert.equal(f[0]!.severity, 'critical');
  assert.deepEqual(f[0]!.evidence[0], { source: 'conntrack-count.txt', line: 1, text: 'conntrack -C = 990' });
  const e = run(
    full,
    makeNode({ ctStats: ctStats({ early_drop: 0, drop: 0 }, { early_drop: 17, drop: 3 }) }),
  );
  assert.equal(e.length, 1);
  assert.equal(e[0]!.severity, 'warning');
  assert.match(evidenceText(e[0]!), /cpu=1 early_drop=17 drop=3/);
  assert.equal(full.missing!(makeNode({ sysctl: null })), 'none of sysctl, conntrack-count in the snapshot');
});

test('conntrack-insert-failed: warning with drops, info without, nothing at 0', () => {
  const w = run(
    insert,
    makeNode({ ctStats: ctStats({ insert_failed: 5, drop: 2 }, { insert_failed: 0, drop: 0 }) }),
  );
  assert.equal(w.length, 1);
  assert.equal(w[0]!.id, 'conntrack-insert-failed');
  assert.equal(w[0]!.severity, 'warning');
  assert.equal(w[0]!.evidence.length, 1);
  assert.equal(w[0]!.evidence[0]!.text, 'cpu=0 insert_failed=5 drop=2');
  assert.equal(
    run(insert, makeNode({ ctStats: ctStats({ insert_failed: 5, drop: 0 }) }))[0]!.severity,
    'info',
  );
  assert.deepEqual(run(insert, makeNode({ ctStats: ctStats({ insert_failed: 0, drop: 9 }) })), []);
  assert.match(insert.missing!(makeNode())!, /conntrack-stats/);
});

test('dns-conntrack-race-exposed: old kernel without NodeLocal DNSCache; warning once insert_failed shows it', () => {
  const i = run(dns, makeNode({ kernel: '4.15.0-112-generic' }));
  assert.equal(i.length, 1);
  assert.equal(i[0]!.id, 'dns-conntrack-race-exposed');
  assert.equal(i[0]!.severity, 'info');
  assert.match(i[0]!.evidence[0]!.text, /^kernel 4\.15\.0-112-generic: before 4\.19 and 5\.0/);
  const w = run(
    dns,
    makeNode({ kernel: '4.19.0-9-amd64', ctStats: ctStats({ insert_failed: 40, drop: 40 }) }),
  );
  assert.equal(w[0]!.severity, 'warning');
  assert.match(w[0]!.evidence[0]!.text, /before 5\.0, the SNAT same-origin clash fix is missing/);
  assert.match(evidenceText(w[0]!), /insert_failed=40/);
});

test('dns-conntrack-race-exposed: negative on >= 5.0 and with NodeLocal DNSCache', () => {
  assert.deepEqual(run(dns, makeNode({ kernel: '5.4.0-150-generic' })), []);
  const links = [...DEFAULT_LINKS, link('nodelocaldns', { kind: 'dummy' })];
  assert.deepEqual(run(dns, makeNode({ kernel: '4.15.0', links })), []);
  const raw = ruleset(
    '*raw\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -d 169.254.25.10/32 -p udp -m udp --dport 53 -j NOTRACK\nCOMMIT\n',
  );
  assert.deepEqual(run(dns, makeNode({ kernel: '4.15.0', iptables: { legacy: raw } })), []);
});

test('ct-invalid-not-dropped: kube-proxy Services without the INVALID drop, be_liberal 0', () => {
  const rules = ruleset(
    KUBE_FLANNEL_RULES.replace('-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP\n', ''),
  );
  const f = run(invalid, makeNode({ iptables: { legacy: rules } }));
  assert.equal(f.length, 1);
  assert.equal(f[0]!.id, 'ct-invalid-not-dropped');
  assert.equal(f[0]!.severity, 'warning');
  assert.match(f[0]!.evidence[0]!.text, /^:FORWARD ACCEPT \(filter table\)/);
  assert.match(evidenceText(f[0]!), /nf_conntrack_tcp_be_liberal absent: kernel default 0/);
  assert.deepEqual(run(invalid, makeNode({ iptables: { legacy: ruleset(KUBE_FLANNEL_RULES) } })), []);
  assert.deepEqual(
    run(
      invalid,
      makeNode({
        iptables: { legacy: rules },
        sysctlPatch: { 'net.netfilter.nf_conntrack_tcp_be_liberal': '1' },
      }),
    ),
    [],
  );
});

const UDP_RULES = `*nat
:PREROUTING ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
-A KUBE-SERVICES -d 10.96.0.10/32 -p udp -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp --dport 53 -j KUBE-SVC-TCOU7JCQXEZGVUNU
-A KUBE-SVC-TCOU7JCQXEZGVUNU -m comment --comment "kube-system/kube-dns:dns -> 10.224.1.7:53" -j KUBE-SEP-A
-A KUBE-SEP-A -p udp -m comment --comment "kube-system/kube-dns:dns" -m udp -j DNAT --to-destination 10.224.1.7:53
COMMIT
`;

test('stale-udp-conntrack: UDP entries to a Service pinned to an old backend or to no DNAT', () => {
  const ct = [
    'udp 17 29 src=10.224.1.34 dst=10.96.0.10 sport=40000 dport=53 src=10.224.1.7 dst=10.224.1.34 sport=53 dport=40000 mark=0 use=1',
    'udp 17 29 src=10.224.1.35 dst=10.96.0.10 sport=40001 dport=53 src=10.224.2.9 dst=10.224.1.35 sport=53 dport=40001 mark=0 use=1',
    'udp 17 29 src=10.224.1.36 dst=10.96.0.10 sport=40002 dport=53 [UNREPLIED] src=10.96.0.10 dst=10.224.1.36 sport=53 dport=40002 mark=0 use=1',
  ].join('\n');
  const f = run(
    stale,
    makeNode({ iptables: { legacy: ruleset(UDP_RULES) }, conntrack: ctEntries(ct), raw: { conntrack: ct } }),
  );
  assert.equal(f.length, 1);
  assert.equal(f[0]!.id, 'stale-udp-conntrack');
  assert.equal(f[0]!.severity, 'warning');
  assert.equal(f[0]!.evidence.length, 2);
  assert.equal(f[0]!.evidence[0]!.line, 2);
  assert.match(
    f[0]!.evidence[0]!.text,
    /DNATed to 10\.224\.2\.9:53, which is no longer an endpoint; endpoints now 10\.224\.1\.7:53/,
  );
  assert.match(f[0]!.evidence[1]!.text, /no DNAT: created while kube-system\/kube-dns:dns had no endpoints/);
  assert.deepEqual(f[0]!.fix[0]!.commands, [
    'sudo conntrack -D -p udp --orig-dst 10.96.0.10 --orig-port-dst 53',
  ]);
  const ok = ct.split('\n')[0]!;
  assert.deepEqual(
    run(stale, makeNode({ iptables: { legacy: ruleset(UDP_RULES) }, conntrack: ctEntries(ok) })),
    [],
  );
});
