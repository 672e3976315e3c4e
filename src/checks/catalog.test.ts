/**
 * The catalog as a whole: ids, FM coverage, registration of every check file, runChecks
 * (sorting, skipped, failing checks), exitCodeFor, a healthy node (no findings), a broken
 * node (well-formed findings), and the bundled incident (exactly the planted fault).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ALL_CHECKS, exitCodeFor, runChecks } from './index.js';
import type { Check, Finding } from './types.js';
import {
  cluster,
  ctEntries,
  ctStats,
  DEFAULT_LINKS,
  makeNode,
  ruleset,
  veth,
  KUBE_FLANNEL_RULES,
} from './fixtures.js';
import { findRepoRoot } from '../snapshot/repo-root.js';
import { parseSnapshotJson } from '../snapshot/load.js';
import { buildCluster } from '../model/build.js';

const STABLE = [
  'bridge-nf-call-iptables-disabled',
  'bridge-nf-call-ip6tables-disabled',
  'br-netfilter-not-loaded',
  'ip-forward-disabled',
  'forward-policy-drop',
  'hairpin-mode-off',
  'conntrack-table-near-full',
  'service-without-endpoints',
  'sysctl-not-persistent',
];
const ISSUE6 = [
  'dns-conntrack-race-exposed',
  'ipvs-conn-reuse-delay',
  'ct-invalid-not-dropped',
  'mtu-mismatch-vxlan',
  'rp-filter-strict-asymmetric',
  'iptables-backends-mixed',
  'masquerade-not-random-fully',
  'route-localnet-exposed',
  'nodeport-ephemeral-overlap',
  'neighbour-table-small',
  'conntrack-unreplied-same-bridge',
];

test('catalog: at least 25 checks, unique kebab-case ids, the stable and issue-6 ids all present', () => {
  assert.ok(ALL_CHECKS.length >= 25, `${ALL_CHECKS.length} checks`);
  const ids = ALL_CHECKS.map((c) => c.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) assert.match(id, /^[a-z0-9]+(-[a-z0-9]+)*$/);
  for (const id of [...STABLE, ...ISSUE6]) assert.ok(ids.includes(id), id);
  for (const c of ALL_CHECKS) {
    assert.ok(c.fm.length > 0 && c.fm.every((f) => /^FM-\d\d$/.test(f)), c.id);
    assert.ok(['critical', 'warning', 'info'].includes(c.severity), c.id);
    assert.equal(typeof c.missing, 'function', `${c.id} says what it needs`);
  }
});

test('catalog: every failure mode FM-01..FM-26 is covered by a check', () => {
  const covered = new Set(ALL_CHECKS.flatMap((c) => c.fm));
  const missing = Array.from({ length: 26 }, (_, i) => `FM-${String(i + 1).padStart(2, '0')}`).filter(
    (f) => !covered.has(f),
  );
  assert.deepEqual(missing, []);
});

test('catalog: every module of this folder that exports `check` is registered once', async () => {
  const dir = dirname(fileURLToPath(import.meta.url));
  const files = readdirSync(dir).filter((f) => /\.(ts|js)$/.test(f) && !/\.test\.|\.d\.ts$/.test(f));
  let seen = 0;
  for (const f of files) {
    if (!/^export const check\b(: Check)? =/m.test(readFileSync(join(dir, f), 'utf8'))) continue;
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as { check?: Check };
    assert.ok(mod.check && ALL_CHECKS.includes(mod.check), `${f} is in ALL_CHECKS`);
    assert.equal(`${mod.check.id}.${f.split('.').pop()}`, f, 'file named after the id');
    seen++;
  }
  assert.equal(seen, ALL_CHECKS.length);
});

/** a node as kubeadm + flannel leave it, with every source collected */
function healthy(name = 'node1') {
  return makeNode({
    name,
    iptables: { legacy: ruleset(KUBE_FLANNEL_RULES) },
    conntrack: ctEntries(
      'tcp 6 86397 ESTABLISHED src=10.224.1.34 dst=10.233.53.172 sport=56920 dport=8080 src=10.224.1.56 dst=10.224.1.34 sport=8080 dport=56920 [ASSURED] mark=0 use=1',
    ),
    ctStats: ctStats({ found: 10, invalid: 2, insert_failed: 0, drop: 0, early_drop: 0 }),
    sysctlPatch: { 'net.netfilter.nf_conntrack_tcp_be_liberal': '0' },
    raw: {
      'sysctl-persistent':
        '==> /etc/sysctl.d/99-kubernetes.conf <==\nnet.bridge.bridge-nf-call-iptables = 1\nnet.bridge.bridge-nf-call-ip6tables = 1\nnet.ipv4.ip_forward = 1\n',
      'modules-load': '==> /etc/modules-load.d/k8s.conf <==\noverlay\nbr_netfilter\n',
      'resolv-conf': 'nameserver 192.168.0.1\nsearch example.com\n',
      ipvsadm: '',
      'nft-ruleset': '',
      'conntrack-count': '212\n',
    },
    known: ['ip-rule', 'bridge-link'],
  });
}

test('runChecks: a healthy node has no findings and nothing skipped', () => {
  const r = runChecks(cluster(healthy()));
  assert.deepEqual(
    r.findings.map((f) => f.id),
    [],
  );
  assert.deepEqual(r.skipped, []);
});

function broken() {
  const links = [
    ...DEFAULT_LINKS.map((l) => (l.name === 'flannel.1' ? { ...l, mtu: 1500 } : l)),
    veth('vethdead', 'cni0', false),
  ];
  return makeNode({
    name: 'bad',
    kernel: '4.4.0-210-generic',
    links,
    iptables: {
      legacy: ruleset(
        KUBE_FLANNEL_RULES.replace(':FORWARD ACCEPT', ':FORWARD DROP')
          .replace(/-A FLANNEL-FWD .*\n/g, '')
          .replace('-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP\n', ''),
      ),
      nft: ruleset(KUBE_FLANNEL_RULES, 'nft'),
    },
    sysctlPatch: {
      'net.bridge.bridge-nf-call-iptables': '0',
      'net.ipv4.ip_forward': '0',
      'net.netfilter.nf_conntrack_count': '130000',
      'net.ipv4.tcp_tw_recycle': '1',
      'net.ipv4.ip_local_port_range': '1024 65535',
      'net.ipv4.conf.all.route_localnet': '1',
    },
    ctStats: ctStats({ insert_failed: 9, drop: 4, early_drop: 1 }),
    raw: {
      'resolv-conf': 'nameserver 127.0.0.53\n',
      'sysctl-persistent': '==> /etc/sysctl.conf <==\nnet.ipv4.ip_forward = 0\n',
    },
  });
}

test('runChecks: a broken node gets many well-formed findings, sorted by severity then id', () => {
  const r = runChecks(cluster(broken()));
  const ids = new Set(r.findings.map((f) => f.id));
  for (const id of [
    'bridge-nf-call-iptables-disabled',
    'ip-forward-disabled',
    'conntrack-table-near-full',
    'forward-policy-drop',
    'hairpin-mode-off',
    'iptables-backends-mixed',
    'tcp-tw-recycle',
    'nodeport-ephemeral-overlap',
    'mtu-mismatch-vxlan',
    'dns-conntrack-race-exposed',
    'conntrack-insert-failed',
    'ct-invalid-not-dropped',
    'resolv-conf-ndots',
    'sysctl-not-persistent',
  ])
    assert.ok(ids.has(id), id);
  const rank = { critical: 0, warning: 1, info: 2 };
  for (let i = 1; i < r.findings.length; i++) {
    const a = r.findings[i - 1]!;
    const b = r.findings[i]!;
    assert.ok(
      rank[a.severity] < rank[b.severity] || (a.severity === b.severity && a.id <= b.id),
      `${a.id} before ${b.id}`,
    );
  }
  for (const f of r.findings) wellFormed(f);
});

function wellFormed(f: Finding): void {
  assert.equal(f.node, 'bad');
  assert.ok(f.title.length > 10, f.id);
  assert.ok(f.symptom && f.symptom.length > 20, `${f.id} symptom`);
  assert.ok(f.evidence.length > 0 && f.evidence.every((e) => e.source && e.text), `${f.id} evidence`);
  assert.ok(f.fix.length > 0 && f.fix.every((x) => x.description && x.commands.length > 0), `${f.id} fix`);
  assert.ok(
    f.fix.some((x) => x.kind === 'persistent'),
    `${f.id} persistent fix`,
  );
  assert.ok(f.references.length > 0, `${f.id} references`);
}

test('runChecks: unknown sources are skipped with a reason; a throwing check is reported, not fatal', () => {
  const r = runChecks(cluster(makeNode({ sysctl: null })));
  const s = r.skipped.find((x) => x.id === 'bridge-nf-call-iptables-disabled');
  assert.deepEqual(s, {
    id: 'bridge-nf-call-iptables-disabled',
    node: 'node1',
    reason: 'sysctl not in the snapshot',
  });
  const boom: Check = {
    id: 'boom',
    severity: 'info',
    title: 'boom',
    fm: ['FM-01'],
    run: () => {
      throw new Error('bad model');
    },
  };
  const b = runChecks(cluster(makeNode()), { checks: [boom] });
  assert.deepEqual(b.skipped, [{ id: 'boom', node: 'node1', reason: 'check failed: bad model' }]);
  assert.deepEqual(
    runChecks(cluster(broken()), { only: ['ip-forward-disabled'] }).findings.map((f) => f.id),
    ['ip-forward-disabled'],
  );
});

test('exitCodeFor: 1 at or above the threshold, 0 below, none is always 0', () => {
  const f = (severity: Finding['severity']): Finding => ({
    id: 'x',
    severity,
    node: 'n',
    title: 't',
    evidence: [],
    fix: [],
    references: [],
  });
  assert.equal(exitCodeFor([f('warning')], 'critical'), 0);
  assert.equal(exitCodeFor([f('warning')], 'warning'), 1);
  assert.equal(exitCodeFor([f('critical')], 'warning'), 1);
  assert.equal(exitCodeFor([f('info')], 'warning'), 0);
  assert.equal(exitCodeFor([f('info')], 'info'), 1);
  assert.equal(exitCodeFor([f('critical')], 'none'), 0);
  assert.equal(exitCodeFor([], 'info'), 0);
});

test('incident example: node1 shows exactly the planted fault as critical; fixed copy and node2 have no critical', () => {
  const root = findRepoRoot(import.meta.url);
  const text = (n: string) => readFileSync(join(root, 'examples', 'incident', `${n}.json`), 'utf8');
  const load = (n: string, t = text(n)) =>
    parseSnapshotJson(t, join(root, 'examples', 'incident', `${n}.json`));
  const r = runChecks(buildCluster([load('node1'), load('node2')]));
  const crit = r.findings.filter((f) => f.severity === 'critical').map((f) => `${f.node} ${f.id}`);
  assert.deepEqual(crit, ['node1 bridge-nf-call-iptables-disabled', 'node1 conntrack-unreplied-same-bridge']);
  const fm01 = r.findings.find((f) => f.id === 'bridge-nf-call-iptables-disabled')!;
  assert.equal(fm01.evidence[0]!.text, 'net.bridge.bridge-nf-call-iptables = 0');
  assert.match(fm01.evidence[0]!.source, /node1\.json/);
  const fixed = text('node1').replace(
    'net.bridge.bridge-nf-call-iptables = 0',
    'net.bridge.bridge-nf-call-iptables = 1',
  );
  assert.notEqual(fixed, text('node1'));
  const r2 = runChecks(buildCluster([load('node1', fixed)]));
  assert.deepEqual(
    r2.findings
      .filter((f) => f.severity === 'critical' && f.id !== 'conntrack-unreplied-same-bridge')
      .map((f) => f.id),
    [],
  );
  assert.equal(
    r2.findings.find((f) => f.id === 'conntrack-unreplied-same-bridge')?.severity,
    'warning',
    'the stuck entry stays, no longer explained by the sysctl',
  );
});
