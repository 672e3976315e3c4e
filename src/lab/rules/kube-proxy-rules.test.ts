import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScenario } from '../scenario/parse-scenario.js';
import { repoRoot } from '../scenario/load-scenario.js';
import { kubeProxyRules, probability } from './kube-proxy-rules.js';
import { nodeIptablesRestore } from './node-iptables.js';
import { flannelRules } from './flannel-rules.js';

const GOLDEN = join(
  repoRoot(dirname(fileURLToPath(import.meta.url))),
  '..',
  'shared',
  'corpus',
  'real',
  'kubernetes__pkg-proxy-iptables-proxier_test.go__TestOverallIPTablesRules.expected.txt',
);

/** The upstream golden test's ns4/svc4 (two endpoints) and ns6/svc6 (no endpoints), as a scenario. */
const GOLDEN_SCENARIO = `name: golden
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

function golden() {
  const sc = parseScenario(GOLDEN_SCENARIO).value!;
  return { sc, rules: kubeProxyRules(sc, sc.nodes[0]!) };
}

test('probability is printed as kube-proxy does (%0.10f of 1/n)', () => {
  assert.equal(probability(2), '0.5000000000');
  assert.equal(probability(3), '0.3333333333');
  assert.equal(probability(10), '0.1000000000');
});

test(
  'per-Service rules equal the upstream golden test line for line',
  { skip: !existsSync(GOLDEN) && 'corpus not found' },
  () => {
    const upstream = readFileSync(GOLDEN, 'utf8').split('\n');
    const { rules } = golden();
    const ours = new Set([...rules.nat.rules, ...rules.filter.rules]);
    const wanted = upstream.filter(
      (l) =>
        l.startsWith('-A ') &&
        ((/KUBE-(SVC-4SW47YFZTEDKD3PK|SEP-UKSFD7AGPMPPLUHC|SEP-C6EBXVWJJZMIWKLZ)/.test(l) &&
          !l.includes('KUBE-EXT-')) ||
          l.includes('ns6/svc6:p80 has no endpoints') ||
          l.startsWith('-A KUBE-MARK-MASQ') ||
          l.startsWith('-A KUBE-POSTROUTING -m mark') ||
          l === '-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000' ||
          l.startsWith('-A KUBE-FIREWALL') ||
          (l.startsWith('-A KUBE-FORWARD') && !l.includes('nfacct')) ||
          l.includes('this must be the last rule')),
    );
    assert.equal(wanted.length, 16);
    for (const l of wanted) assert.ok(ours.has(l), `missing: ${l}`);
  },
);

test('the MASQUERADE rule has --random-fully, and a fault removes it', () => {
  const { sc, rules } = golden();
  const masq =
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully';
  assert.ok(rules.nat.rules.includes(masq));
  const node = { ...sc.nodes[0]!, faults: { masqueradeMissing: true } };
  assert.ok(!kubeProxyRules(sc, node).nat.rules.includes(masq));
  assert.ok(kubeProxyRules(sc, node).nat.rules.includes('-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000'));
});

test('a Service without endpoints has no nat chain, only the filter REJECT', () => {
  const { rules } = golden();
  assert.ok(!rules.nat.rules.some((l) => l.includes('ns6/svc6')));
  assert.deepEqual(
    rules.filter.rules.filter((l) => l.includes('ns6/svc6')),
    [
      '-A KUBE-SERVICES -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.46 --dport 80 -j REJECT',
    ],
  );
});

test('ClientIP affinity writes -m recent as the golden test shows', () => {
  const sc = parseScenario(
    GOLDEN_SCENARIO.replace(
      'endpoints: [ns4/ep4, ns4/ep5] }',
      'endpoints: [ns4/ep4, ns4/ep5], sessionAffinity: ClientIP }',
    ),
  ).value!;
  const nat = kubeProxyRules(sc, sc.nodes[0]!).nat.rules;
  assert.ok(
    nat.includes(
      '-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.4:80" -m recent --name KUBE-SEP-UKSFD7AGPMPPLUHC --rcheck --seconds 10800 --reap -j KUBE-SEP-UKSFD7AGPMPPLUHC',
    ),
  );
  assert.ok(
    nat.includes(
      '-A KUBE-SEP-UKSFD7AGPMPPLUHC -m comment --comment ns4/svc4:p80 -m recent --name KUBE-SEP-UKSFD7AGPMPPLUHC --set -m tcp -p tcp -j DNAT --to-destination 10.180.0.4:80',
    ),
  );
});

test('flannel rules follow the node podCIDR and can be left out', () => {
  const { sc } = golden();
  const f = flannelRules(sc, sc.nodes[0]!);
  assert.ok(
    f.nat.rules.includes(
      '-A FLANNEL-POSTRTG -s 10.180.0.0/24 -d 10.0.0.0/8 -m comment --comment "flanneld masq" -j RETURN',
    ),
  );
  assert.ok(
    f.filter.rules.includes('-A FLANNEL-FWD -s 10.0.0.0/8 -m comment --comment "flanneld forward" -j ACCEPT'),
  );
  const none = flannelRules(sc, {
    ...sc.nodes[0]!,
    faults: { flannelForwardRules: false, flannelMasquerade: false },
  });
  assert.deepEqual([none.nat.rules, none.filter.rules], [[], []]);
});

test('the restore document declares every chain it jumps to and sets the FORWARD policy', () => {
  const { sc } = golden();
  const text = nodeIptablesRestore(sc, { ...sc.nodes[0]!, faults: { forwardPolicyDrop: true } });
  assert.match(text, /^:FORWARD DROP \[0:0\]$/m);
  for (const table of text.split('COMMIT').slice(0, 3)) {
    const declared = new Set([...table.matchAll(/^:(\S+)/gm)].map((m) => m[1]));
    for (const m of table.matchAll(/ -j (KUBE-[A-Z0-9-]+|FLANNEL-[A-Z]+)/g))
      assert.ok(declared.has(m[1]), `${m[1]} not declared`);
    for (const m of table.matchAll(/^-A (\S+)/gm)) assert.ok(declared.has(m[1]), `${m[1]} not declared`);
  }
  assert.equal((text.match(/^COMMIT$/gm) ?? []).length, 3);
});
