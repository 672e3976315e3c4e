import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScenario } from '../scenario/parse-scenario.js';
import { loadScenario, repoRoot } from '../scenario/load-scenario.js';
import { kubeProxyNft, serviceChainBase, endpointChainBase } from './kube-proxy-nft.js';
import { nodeIptablesRestore } from './node-iptables.js';
import { buildPlan } from '../build/plan.js';
import { labAvailability } from '../build/host.js';
import { randomTestPrefix } from '../build/names.js';
import { runCommand } from '../../collect/run-command.js';
import { parseNftJson } from '../../parse/nft/index.js';

const GOLDEN_PATH = join(
  repoRoot(dirname(fileURLToPath(import.meta.url))),
  '..',
  'shared',
  'corpus',
  'real',
  'kubernetes__pkg-proxy-nftables-proxier_test.go__TestOverallNFTablesRules.expected.nft',
);
const GOLDEN = readFileSync(GOLDEN_PATH, 'utf8');

/** the upstream golden's ns4/svc4 (two endpoints) and ns6/svc6 (no endpoints), as a scenario */
const SC = `name: golden
proxyMode: nftables
cluster: { clusterCIDR: 10.0.0.0/8, serviceCIDR: 172.30.0.0/16 }
nodes:
  - { name: node1, podCIDR: 10.180.0.0/24, underlayIP: 192.168.50.11 }
pods:
  - { name: ep4, namespace: ns4, node: node1, ip: 10.180.0.4 }
  - { name: ep5, namespace: ns4, node: node1, ip: 10.180.0.5 }
services:
  - { name: ns4/svc4, clusterIP: 172.30.0.44, ports: [{ name: p80, port: 80 }], endpoints: [ns4/ep4, ns4/ep5] }
  - { name: ns6/svc6, clusterIP: 172.30.0.46, ports: [{ name: p80, port: 80 }], endpoints: [] }
`;

const norm = (s: string) => s.replace(/\s+/g, ' ').trim();

test('chain names hash as proxier.go hashAndTruncate does (golden names)', () => {
  assert.equal(serviceChainBase('ns1', 'svc1', 'TCP', 'p80'), 'ULMVA6XW-ns1/svc1/tcp/p80');
  assert.equal(
    endpointChainBase('ns4', 'svc4', 'tcp', 'p80', '10.180.0.5', 80),
    '5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80',
  );
});

test('per-Service lines are lines of the upstream golden (the masquerade rule also matches the port, as current releases write it)', () => {
  const sc = parseScenario(SC).value!;
  const out = kubeProxyNft(sc, sc.nodes[0]!);
  const golden = new Set(GOLDEN.split('\n').map(norm));
  const lines = out
    .split('\n')
    .filter((l) => /(service|endpoint)-[A-Z2-7]{8}-|^add element/.test(l))
    .map((l) =>
      norm(
        l
          .replace('nodeport-ips { 192.168.50.11 }', 'nodeport-ips { 192.168.0.2 }')
          .replace(' tcp dport 80 ip saddr', ' ip saddr'),
      ),
    );
  assert.ok(lines.length >= 10);
  assert.deepEqual(
    lines.filter((l) => !golden.has(l)),
    [],
  );
  for (const want of [
    'add rule ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80 numgen random mod 2 vmap { 0 : goto endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 , 1 : goto endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 }',
    'add element ip kube-proxy no-endpoint-services { 172.30.0.46 . tcp . 80 comment "ns6/svc6:p80" : goto reject-chain }',
  ])
    assert.ok(lines.includes(want), want);
  assert.match(out, /^add rule ip kube-proxy masquerading masquerade fully-random$/m);
});

/** chain name -> its lines, from `nft list table` text */
function chainBlocks(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let cur: string[] | undefined;
  for (const raw of text.split('\n')) {
    const l = norm(raw);
    const m = /^chain (\S+) \{$/.exec(l);
    if (m) out.set(m[1]!, (cur = []));
    else if (l === '}') cur = undefined;
    else if (cur && l) cur.push(l);
  }
  return out;
}

test('the fixed chains, listed back by the kernel, are those of a real k3s node in nftables mode', async (t) => {
  const why = labAvailability();
  if (why) return t.skip(`needs root: lab tests skipped (${why})`);
  const k3s = readFileSync(
    join(dirname(GOLDEN_PATH), 'unresolved-source__k3s-nftables-mode__nft-list-table-ip-kube-proxy.txt'),
    'utf8',
  );
  const sc = parseScenario(
    SC.replace('172.30.0.0/16', '10.43.0.0/16').replace(/172\.30\./g, '10.43.'),
  ).value!;
  const ns = `${randomTestPrefix()}-nft`;
  assert.equal((await runCommand('ip', ['netns', 'add', ns])).exitCode, 0);
  try {
    const load = await runCommand('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], {
      input: kubeProxyNft(sc, sc.nodes[0]!),
    });
    assert.equal(load.exitCode, 0, load.stderr);
    const mine = chainBlocks(
      (await runCommand('ip', ['netns', 'exec', ns, 'nft', 'list', 'table', 'ip', 'kube-proxy'])).stdout,
    );
    const real = chainBlocks(k3s);
    const fixed = [...real.keys()].filter((c) => !c.includes('/'));
    assert.ok(fixed.length >= 16, fixed.join(' '));
    for (const c of fixed) assert.deepEqual(mine.get(c), real.get(c), c);
  } finally {
    await runCommand('ip', ['netns', 'del', ns]);
  }
});

test('nftables mode: no kube-proxy rules in iptables, an nft step after iptables-restore; proxyMode is validated', () => {
  const sc = loadScenario('mixed-legacy-drop-nft-proxy');
  assert.equal(sc.proxyMode, 'nftables');
  const ipt = nodeIptablesRestore(sc, sc.nodes[0]!);
  assert.doesNotMatch(ipt, /KUBE-(SERVICES|SVC-|SEP-|POSTROUTING|FORWARD)/);
  assert.match(ipt, /:FORWARD DROP/);
  const steps = buildPlan(sc, 'ppCx').phases.flatMap((p) => p.steps);
  const i = steps.findIndex((s) => s.kind === 'iptables-restore' && s.ns === 'ppCx-node1');
  assert.equal(steps[i + 1]!.kind, 'nft');
  assert.equal(
    parseScenario('name: x\nproxyMode: ipvs\nnodes: []\npods: []\n').diagnostics[0]?.code,
    'BAD_VALUE',
  );
  assert.equal(loadScenario('incident').proxyMode, 'iptables');
});

test('the kernel takes the generated table, and nft -j lists it back without diagnostics', async (t) => {
  const why = labAvailability();
  if (why) return t.skip(`needs root: lab tests skipped (${why})`);
  const ns = `${randomTestPrefix()}-nft`;
  const add = await runCommand('ip', ['netns', 'add', ns]);
  assert.equal(add.exitCode, 0, add.stderr);
  try {
    const sc = loadScenario('nftables-mode-lb');
    const load = await runCommand('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], {
      input: kubeProxyNft(sc, sc.nodes[0]!),
    });
    assert.equal(load.exitCode, 0, load.stderr);
    const list = await runCommand('ip', ['netns', 'exec', ns, 'nft', '-j', 'list', 'ruleset']);
    const r = parseNftJson(list.stdout);
    assert.deepEqual(r.diagnostics, []);
    const t0 = r.value.tables.find((x) => x.name === 'kube-proxy')!;
    assert.equal(t0.sets.get('service-ips')!.elements.length, 3);
    assert.equal(t0.chains.get('nat-prerouting')!.base!.priority, -100);
  } finally {
    await runCommand('ip', ['netns', 'del', ns]);
  }
});
