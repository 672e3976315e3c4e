import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenario } from '../scenario/load-scenario.js';
import { buildPlan } from './plan.js';
import { isValidPrefix, ownsNetns, podVethName, randomTestPrefix } from './names.js';

test('every step acts inside a namespace of the lab, never the root namespace', () => {
  for (const name of ['incident', 'pod-to-pod', 'hairpin-off']) {
    const sc = loadScenario(name);
    const plan = buildPlan(sc, 'ppCtest');
    const steps = plan.phases.flatMap((p) => p.steps);
    for (const s of steps) assert.ok(ownsNetns('ppCtest', s.ns), `${s.kind} in ${s.ns}`);
    // links created in a namespace put their peers in lab namespaces only
    for (const s of steps) {
      if (s.kind !== 'ip') continue;
      for (const l of s.lines) {
        const m = / netns (\S+)/.exec(l);
        if (m) assert.ok(ownsNetns('ppCtest', m[1]!), l);
        if (l.includes('type veth'))
          assert.match(l, / netns ppCtest-/, 'a veth peer that stayed in the creating namespace');
      }
    }
    assert.equal(plan.namespaces.length, 1 + sc.nodes.length + sc.pods.length);
  }
});

test('the incident plan: bridge-nf-call-iptables=0 on node1 only, hairpin on, flannel routes', () => {
  const plan = buildPlan(loadScenario('incident'), 'ppCtest');
  const steps = plan.phases.flatMap((p) => p.steps);
  const sys = (ns: string): [string, string][] => {
    const s = steps.find((x) => x.kind === 'sysctl' && x.ns === ns);
    return s?.kind === 'sysctl' ? s.values : [];
  };
  assert.deepEqual(sys('ppCtest-node1'), [
    ['net.ipv4.ip_forward', '1'],
    ['net.bridge.bridge-nf-call-iptables', '0'],
    ['net.bridge.bridge-nf-call-ip6tables', '1'],
  ]);
  assert.deepEqual(sys('ppCtest-node2')[1], ['net.bridge.bridge-nf-call-iptables', '1']);
  const node1 = steps.find((s) => s.kind === 'ip' && s.ns === 'ppCtest-node1') as { lines: string[] };
  assert.ok(node1.lines.includes('route add 10.224.2.0/24 via 10.224.2.0 dev flannel.1 onlink'));
  assert.ok(
    node1.lines.some((l) =>
      /^link add flannel\.1 mtu 1450 .* type vxlan id 1 local 192\.168\.50\.11 dev eth0 dstport 8472 nolearning$/.test(
        l,
      ),
    ),
  );
  const veth = podVethName({
    name: 'client',
    namespace: 'spring-prod',
    node: 'node1',
    ip: '10.224.1.34',
    listeners: [],
  });
  assert.ok(node1.lines.includes(`link set ${veth} type bridge_slave hairpin on`));
  assert.ok(veth.length <= 15);
  const fdb = steps.find((s) => s.kind === 'bridge' && s.ns === 'ppCtest-node1') as { lines: string[] };
  assert.match(
    fdb.lines[0]!,
    /^fdb append 02:[0-9a-f:]+ dev flannel\.1 dst 192\.168\.50\.12 self permanent$/,
  );
  const responders = steps.filter((s) => s.kind === 'responder').map((s) => s.ns);
  assert.deepEqual(responders, ['ppCtest-node1-frontend-a', 'ppCtest-node2-frontend-b']);
});

test('fault knobs reach the plan', () => {
  const hp = buildPlan(loadScenario('hairpin-off'), 'ppCx').phases.flatMap((p) => p.steps);
  assert.ok(
    hp.some(
      (s) => s.kind === 'ip' && s.ns === 'ppCx-node1' && s.lines.some((l) => l.endsWith('hairpin off')),
    ),
  );
  assert.ok(
    hp.some((s) => s.kind === 'ip' && s.ns === 'ppCx-node2' && s.lines.some((l) => l.endsWith('hairpin on'))),
  );
  const p2p = buildPlan(loadScenario('pod-to-pod'), 'ppCx').phases.flatMap((p) => p.steps);
  const node3 = p2p.find((s) => s.kind === 'ip' && s.ns === 'ppCx-node3') as { lines: string[] };
  assert.ok(!node3.lines.some((l) => l.startsWith('route add default')));
  const ct = buildPlan(loadScenario('conntrack-tiny'), 'ppCx').phases.flatMap((p) => p.steps);
  assert.ok(
    ct.some((s) => s.kind === 'sysctl' && s.optional && s.values[0]![0] === 'net.netfilter.nf_conntrack_max'),
  );
  const nft = buildPlan(loadScenario('incident-nft'), 'ppCx').phases.flatMap((p) => p.steps);
  assert.ok(nft.every((s) => s.kind !== 'iptables-restore' || s.backend === 'nft'));
});

test('prefixes', () => {
  assert.ok(isValidPrefix('pplab'));
  assert.ok(isValidPrefix(randomTestPrefix()));
  assert.match(randomTestPrefix(), /^ppC[0-9a-f]{8}$/);
  for (const bad of ['lab', 'pp', 'pp-x', 'pp/../x', 'ppaaaaaaaaaaaaaaa'])
    assert.ok(!isValidPrefix(bad), bad);
  assert.ok(ownsNetns('pplab', 'pplab-node1'));
  assert.ok(!ownsNetns('pplab', 'pplabX-node1'));
});
