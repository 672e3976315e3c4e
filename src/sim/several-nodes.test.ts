import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exampleSnapshots, ipvsExampleSnapshots, setSysctl, clusterOf } from './testing.js';
import { traceFlow } from '../diagnose/trace.js';
import { inventoryFromKubectl } from '../model/inventory.js';

const VIP = { proto: 'tcp' as const, src: '10.224.1.34', dst: '10.233.53.172', dport: 8080 };
const byEndpoint = (t: ReturnType<typeof traceFlow>) =>
  Object.fromEntries(t.paths.map((p) => [p.endpoint, p]));

/** `kubectl get nodes,pods -A -o json` of the example cluster (node addresses, podCIDRs, pods) */
function kubectlList(node2Cidr = '10.224.2.0/24', extra: object[] = []): unknown {
  const node = (name: string, ip: string, cidr: string) => ({
    kind: 'Node',
    metadata: { name },
    spec: { podCIDR: cidr, podCIDRs: [cidr] },
    status: {
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: name },
      ],
    },
  });
  return {
    kind: 'List',
    items: [
      node('node1', '192.168.0.11', '10.224.1.0/24'),
      node('node2', '192.168.0.12', node2Cidr),
      ...extra,
      {
        kind: 'Pod',
        metadata: { namespace: 'spring-prod', name: 'panorama-v2-frontend-5c6b7-q8r9s' },
        spec: { nodeName: 'node1' },
        status: { podIP: '10.224.1.56', podIPs: [{ ip: '10.224.1.56' }] },
      },
      {
        kind: 'Pod',
        metadata: { namespace: 'kube-system', name: 'kube-proxy-x' },
        spec: { nodeName: 'node1', hostNetwork: true },
        status: { podIP: '192.168.0.11' },
      },
    ],
  };
}

test('inventory from kubectl JSON: nodes with addresses and pod CIDRs, pods (host-network ones skipped)', () => {
  const inv = inventoryFromKubectl(kubectlList());
  assert.deepEqual(inv.nodes[1], { name: 'node2', addresses: ['192.168.0.12'], podCIDRs: ['10.224.2.0/24'] });
  assert.deepEqual(inv.pods, [
    { namespace: 'spring-prod', name: 'panorama-v2-frontend-5c6b7-q8r9s', ip: '10.224.1.56', node: 'node1' },
  ]);
  assert.deepEqual(inventoryFromKubectl('junk'), { nodes: [], pods: [] });
});

for (const [mode, snaps] of [
  ['iptables', exampleSnapshots],
  ['IPVS', ipvsExampleSnapshots],
] as const) {
  test(`cluster trace (${mode} mode): the cross-node path goes node1 -> VXLAN -> node2 and back, each node's hooks applied`, () => {
    const s = snaps();
    setSysctl(s[0]!, 'net.bridge.bridge-nf-call-iptables', '1');
    const p = byEndpoint(traceFlow(clusterOf(s), VIP))['10.224.2.23:8080']!;
    assert.equal(p.outcome, 'connected');
    const seq = (hops: typeof p.request) =>
      hops.filter((h) => /^vxlan_(xmit|rcv)$/.test(h.stage)).map((h) => `${h.node} ${h.stage}`);
    assert.deepEqual(seq(p.request), ['node1 vxlan_xmit', 'node2 vxlan_rcv']);
    assert.deepEqual(seq(p.reply), ['node2 vxlan_xmit', 'node1 vxlan_rcv']);
    for (const leg of [p.request, p.reply])
      for (const n of ['node1', 'node2'])
        assert.ok(
          leg.some((h) => h.node === n && h.stage.endsWith('nf_conntrack_in')),
          `${n} conntrack`,
        );
    // node1 undoes the Service translation of the reply: iptables reverse DNAT, or IPVS
    assert.ok(
      p.reply.some(
        (h) =>
          h.node === 'node1' &&
          (h.stage === 'ip_vs_reply4' || h.stage.includes('nf_nat')) &&
          /^tcp 10\.233\.53\.172:8080/.test(h.after ?? ''),
      ),
    );
  });
}

test('a node without snapshot ends the walk unknown, naming it (by address, or by name from the inventory); same-node paths keep their verdict', () => {
  const only1 = [ipvsExampleSnapshots()[0]!];
  const t = traceFlow(clusterOf(only1), VIP);
  const far = byEndpoint(t)['10.224.2.23:8080']!;
  assert.equal(far.outcome, 'unknown');
  assert.equal(far.causeId, 'missing-node');
  assert.match(
    far.cause,
    /goes on to the node at 192\.168\.0\.12 via eth0 of node1, and that node's snapshot is missing/,
  );
  assert.equal(byEndpoint(t)['10.224.1.56:8080']!.causeId, 'reply-bypassed-conntrack');

  const c = clusterOf(only1);
  c.inventory = inventoryFromKubectl(kubectlList());
  const named = byEndpoint(traceFlow(c, VIP))['10.224.2.23:8080']!;
  assert.equal(named.outcome, 'unknown');
  assert.match(named.cause, /goes on to node node2 \(192\.168\.0\.12\)/);
});

test('the inventory proves the endpoint is on another node: the packet is sent to the wrong node (timeout), both nodes named', () => {
  const c = clusterOf([ipvsExampleSnapshots()[0]!]);
  // node2 now owns 10.224.3.0/24 and node3 10.224.2.0/24, but node1's VXLAN FDB still sends 10.224.2.0/24 to node2
  c.inventory = inventoryFromKubectl(
    kubectlList('10.224.3.0/24', [
      {
        kind: 'Node',
        metadata: { name: 'node3' },
        spec: { podCIDR: '10.224.2.0/24' },
        status: { addresses: [{ type: 'InternalIP', address: '192.168.0.13' }] },
      },
    ]),
  );
  const p = byEndpoint(traceFlow(c, VIP))['10.224.2.23:8080']!;
  assert.equal(p.outcome, 'timeout');
  assert.equal(p.causeId, 'sent-to-wrong-node');
  assert.match(
    p.cause,
    /to node node2 \(192\.168\.0\.12\).*puts 10\.224\.2\.23 on node node3 \(its podCIDR 10\.224\.2\.0\/24 holds 10\.224\.2\.23\)/,
  );
  assert.equal(p.request[p.breaksAt!.index]!.verdict, 'drop');
});
