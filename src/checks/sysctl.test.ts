/**
 * Sysctl, file and topology checks (FM-10, FM-11, FM-15, FM-21, FM-22, FM-26, and keeping
 * FM-01/FM-02 fixed): rp_filter, port ranges, neighbour thresholds, tcp_tw_recycle,
 * persistence, resolv.conf, MTUs along the VXLAN path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addr,
  bridge,
  cluster,
  DEFAULT_ADDRS,
  DEFAULT_LINKS,
  evidenceText,
  link,
  makeNode,
  run,
  ruleset,
  KUBE_FLANNEL_RULES,
  veth,
} from './fixtures.js';
import { check as rp } from './rp-filter-strict-asymmetric.js';
import { check as np } from './nodeport-ephemeral-overlap.js';
import { check as neigh } from './neighbour-table-small.js';
import { check as tw } from './tcp-tw-recycle.js';
import { check as persist } from './sysctl-not-persistent.js';
import { check as resolv } from './resolv-conf-ndots.js';
import { check as mtu } from './mtu-mismatch-vxlan.js';
import { effectiveAssignment, sysctlAssignments } from './framed-files.js';

const twoUplinks = {
  links: [...DEFAULT_LINKS, link('eth1', { index: 9 })],
  addrs: [...DEFAULT_ADDRS, addr('eth1', '172.16.0.5/24')],
};

test('rp-filter-strict-asymmetric: effective max(all, iface) = 1 on a multi-homed node', () => {
  const f = run(
    rp,
    makeNode({
      ...twoUplinks,
      sysctlPatch: { 'net.ipv4.conf.all.rp_filter': '1', 'net.ipv4.conf.eth1.rp_filter': '0' },
    }),
  );
  assert.equal(f.length, 1);
  assert.equal(f[0]!.id, 'rp-filter-strict-asymmetric');
  assert.equal(f[0]!.severity, 'warning');
  assert.equal(f[0]!.evidence[0]!.text, 'net.ipv4.conf.all.rp_filter = 1');
  assert.match(
    evidenceText(f[0]!),
    /net\.ipv4\.conf\.eth1\.rp_filter = 0 -> effective max\(all, eth1\) = 1 \(strict\)/,
  );
  assert.match(evidenceText(f[0]!), /2 uplinks with IPv4 addresses \(eth0, eth1\)/);
  assert.match(f[0]!.fix[0]!.commands[0]!, /net\.ipv4\.conf\.all\.rp_filter=2/);
});

test('rp-filter-strict-asymmetric: a strict tunnel counts; loose or single-homed without tunnels does not', () => {
  const t = run(rp, makeNode({ sysctlPatch: { 'net.ipv4.conf.flannel.1.rp_filter': '1' } }));
  assert.equal(t.length, 1);
  assert.match(evidenceText(t[0]!), /flannel\.1 is a vxlan tunnel/);
  assert.deepEqual(
    run(rp, makeNode({ ...twoUplinks, sysctlPatch: { 'net.ipv4.conf.all.rp_filter': '2' } })),
    [],
  );
  const noTunnel = DEFAULT_LINKS.filter((l) => l.kind !== 'vxlan');
  assert.deepEqual(
    run(rp, makeNode({ links: noTunnel, sysctlPatch: { 'net.ipv4.conf.all.rp_filter': '1' } })),
    [],
  );
});

test('nodeport-ephemeral-overlap: a widened port range without reserved ports', () => {
  const f = run(np, makeNode({ sysctlPatch: { 'net.ipv4.ip_local_port_range': '10240 65535' } }));
  assert.equal(f.length, 1);
  assert.equal(f[0]!.id, 'nodeport-ephemeral-overlap');
  assert.equal(f[0]!.severity, 'info', 'no NodePort programmed yet');
  assert.equal(f[0]!.evidence[0]!.text, 'net.ipv4.ip_local_port_range = 10240 65535');
  assert.match(evidenceText(f[0]!), /ephemeral ports 30000-32767 fall in the NodePort range/);
  assert.deepEqual(f[0]!.fix[0]!.commands, ['sudo sysctl -w net.ipv4.ip_local_reserved_ports=30000-32767']);
  const part = run(
    np,
    makeNode({
      sysctlPatch: {
        'net.ipv4.ip_local_port_range': '10240 65535',
        'net.ipv4.ip_local_reserved_ports': '30000-31000',
      },
    }),
  );
  assert.match(evidenceText(part[0]!), /ephemeral ports 31001-32767/);
  assert.deepEqual(run(np, makeNode()), [], 'the default 32768-60999 does not overlap');
  assert.deepEqual(
    run(
      np,
      makeNode({
        sysctlPatch: {
          'net.ipv4.ip_local_port_range': '1024 65535',
          'net.ipv4.ip_local_reserved_ports': '30000-32767',
        },
      }),
    ),
    [],
  );
});

test('neighbour-table-small: entries vs gc_thresh2/3 (defaults when absent)', () => {
  const neighs = Array.from({ length: 950 }, (_, i) => ({
    dst: `10.1.${i >> 8}.${i & 255}`,
    dev: 'eth0',
    state: ['REACHABLE'],
  }));
  const f = run(neigh, makeNode({ neighs }));
  assert.equal(f.length, 1);
  assert.equal(f[0]!.id, 'neighbour-table-small');
  assert.equal(f[0]!.severity, 'critical');
  assert.match(f[0]!.evidence[0]!.text, /^950 ARP entries/);
  assert.match(evidenceText(f[0]!), /gc_thresh3 absent: kernel default 1024/);
  const w = run(neigh, makeNode({ neighs: neighs.slice(0, 600) }));
  assert.equal(w[0]!.severity, 'warning');
  assert.deepEqual(
    run(
      neigh,
      makeNode({
        neighs,
        sysctlPatch: {
          'net.ipv4.neigh.default.gc_thresh2': '4096',
          'net.ipv4.neigh.default.gc_thresh3': '8192',
        },
      }),
    ),
    [],
  );
  assert.deepEqual(run(neigh, makeNode({ neighs: neighs.slice(0, 100) })), []);
});

test('tcp-tw-recycle: host or pod namespace with tw_recycle = 1', () => {
  const f = run(
    tw,
    makeNode({ kernel: '4.4.0-210-generic', sysctlPatch: { 'net.ipv4.tcp_tw_recycle': '1' } }),
  );
  assert.equal(f.length, 1);
  assert.equal(f[0]!.id, 'tcp-tw-recycle');
  assert.equal(f[0]!.severity, 'warning');
  assert.equal(f[0]!.evidence[0]!.text, 'net.ipv4.tcp_tw_recycle = 1');
  const pod = run(
    tw,
    makeNode({ pods: [{ name: 'cni-1', addrs: [], sysctl: { 'net.ipv4.tcp_tw_recycle': '1' } }] }),
  );
  assert.match(pod[0]!.evidence[0]!.text, /in pod namespace cni-1/);
  assert.deepEqual(run(tw, makeNode({ sysctlPatch: { 'net.ipv4.tcp_tw_recycle': '0' } })), []);
});

const PERSIST_OK =
  '==> /etc/sysctl.d/99-kubernetes.conf <==\nnet.bridge.bridge-nf-call-iptables = 1\nnet.bridge.bridge-nf-call-ip6tables = 1\nnet.ipv4.ip_forward = 1\n';
const MODULES_OK = '==> /etc/modules-load.d/k8s.conf <==\noverlay\nbr_netfilter\n';

test('sysctl-not-persistent: right at runtime, nothing keeps it (sysctl and module)', () => {
  const f = run(
    persist,
    makeNode({
      raw: {
        'sysctl-persistent': '==> /etc/sysctl.d/99-kubernetes.conf <==\nnet.ipv4.ip_forward = 1\n',
        'modules-load': '==> /etc/modules-load.d/k8s.conf <==\noverlay\n',
      },
    }),
  );
  assert.equal(f.length, 1);
  assert.equal(f[0]!.id, 'sysctl-not-persistent');
  assert.equal(f[0]!.severity, 'warning');
  const ev = evidenceText(f[0]!);
  assert.match(
    ev,
    /net\.bridge\.bridge-nf-call-iptables = 1 at runtime, but no file in \/etc\/sysctl\.conf or \/etc\/sysctl\.d sets it/,
  );
  assert.doesNotMatch(ev, /ip_forward/);
  assert.match(ev, /br_netfilter is loaded now, but no file in \/etc\/modules-load\.d loads it/);
  assert.ok(
    f[0]!.fix[0]!.commands.includes('echo br_netfilter | sudo tee /etc/modules-load.d/br_netfilter.conf'),
  );
  assert.deepEqual(
    run(persist, makeNode({ raw: { 'sysctl-persistent': PERSIST_OK, 'modules-load': MODULES_OK } })),
    [],
  );
});

test('sysctl-not-persistent: the reverse, a persistent file that sets a bad value, with file:line', () => {
  const text = PERSIST_OK + '\n==> /etc/sysctl.d/zz-tuning.conf <==\n# tuning\nnet.ipv4.ip_forward=0\n';
  const f = run(persist, makeNode({ raw: { 'sysctl-persistent': text, 'modules-load': MODULES_OK } }));
  assert.equal(f.length, 1);
  assert.equal(f[0]!.severity, 'warning');
  assert.match(f[0]!.title, /persistent sysctl file sets a value that breaks/);
  assert.deepEqual([f[0]!.evidence[0]!.source, f[0]!.evidence[0]!.line], ['/etc/sysctl.d/zz-tuning.conf', 2]);
  assert.match(
    f[0]!.evidence[0]!.text,
    /^net\.ipv4\.ip_forward=0 {2}\(applied at every boot; FM-02; runtime now 1\)/,
  );
  // a later file that sets it back wins; /etc/sysctl.conf is applied last
  const fixed = text + '\n==> /etc/sysctl.conf <==\nnet.ipv4.ip_forward = 1\n';
  assert.deepEqual(
    run(persist, makeNode({ raw: { 'sysctl-persistent': fixed, 'modules-load': MODULES_OK } })),
    [],
  );
  assert.equal(persist.missing!(makeNode()), 'sysctl-persistent not in the snapshot');
});

test('framed files: assignments keep file and line; systemd order decides the effective one', () => {
  const all = sysctlAssignments(
    '==> /etc/sysctl.conf <==\nnet/ipv4/ip_forward = 0\n==> /etc/sysctl.d/10-a.conf <==\n; c\n-net.ipv4.ip_forward = 1\n',
  );
  assert.deepEqual(
    all.map((a) => [a.file, a.line, a.name, a.value]),
    [
      ['/etc/sysctl.conf', 1, 'net.ipv4.ip_forward', '0'],
      ['/etc/sysctl.d/10-a.conf', 2, 'net.ipv4.ip_forward', '1'],
    ],
  );
  assert.equal(effectiveAssignment(all, 'net.ipv4.ip_forward')!.file, '/etc/sysctl.conf');
});

test('resolv-conf-ndots: too many nameservers is a warning; loopback nameserver and long search lists info', () => {
  const f = run(
    resolv,
    makeNode({
      raw: { 'resolv-conf': 'nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch corp.example\n' },
      sourceFiles: { 'resolv-conf': 'resolv.conf' },
    }),
  );
  assert.equal(f.length, 1);
  assert.equal(f[0]!.id, 'resolv-conf-ndots');
  assert.equal(f[0]!.severity, 'info');
  assert.deepEqual([f[0]!.evidence[0]!.source, f[0]!.evidence[0]!.line], ['resolv.conf', 1]);
  assert.match(f[0]!.evidence[0]!.text, /^nameserver 127\.0\.0\.53 {2}\(loopback/);
  const four = run(
    resolv,
    makeNode({
      raw: {
        'resolv-conf': 'nameserver 10.0.0.2\nnameserver 10.0.0.3\nnameserver 10.0.0.4\nnameserver 10.0.0.5\n',
      },
    }),
  );
  assert.match(four[0]!.evidence[0]!.text, /4 nameservers/);
  assert.equal(four[0]!.severity, 'warning');
  const search = run(
    resolv,
    makeNode({
      raw: {
        'resolv-conf':
          'nameserver 10.0.0.2\nsearch a.example b.example c.example d.example\noptions ndots:5\n',
      },
    }),
  );
  assert.equal(search[0]!.severity, 'info');
  assert.equal(search[0]!.evidence.length, 2);
  assert.deepEqual(
    run(resolv, makeNode({ raw: { 'resolv-conf': 'nameserver 192.168.0.1\nsearch example.com\n' } })),
    [],
  );
});

test('mtu-mismatch-vxlan: tunnel larger than underlay - 50 is critical; pods larger than the tunnel a warning', () => {
  const big = DEFAULT_LINKS.map((l) => (l.name === 'flannel.1' ? { ...l, mtu: 1500, line: 3 } : l));
  const f = run(mtu, makeNode({ links: big }));
  assert.equal(f.length, 1);
  assert.equal(f[0]!.id, 'mtu-mismatch-vxlan');
  assert.equal(f[0]!.severity, 'critical');
  assert.deepEqual(
    f[0]!.evidence.slice(0, 2).map((e) => e.text),
    [
      'flannel.1 mtu 1500 (VXLAN, 50 bytes of encapsulation)',
      'eth0 mtu 1500 (underlay): the tunnel can carry at most 1450',
    ],
  );
  assert.ok(f[0]!.fix[0]!.commands.includes('sudo ip link set flannel.1 mtu 1450'));
  const pods = [
    link('lo', { mtu: 65536, linkType: 'loopback', kind: undefined }),
    bridge('cni0', { mtu: 1500 }),
    veth('veth1', 'cni0', true, { mtu: 1500 }),
    DEFAULT_LINKS[1]!,
    DEFAULT_LINKS[2]!,
  ];
  const w = run(mtu, makeNode({ links: pods }));
  assert.equal(w[0]!.severity, 'warning');
  assert.match(evidenceText(w[0]!), /cni0 mtu 1500 \(pod side\) > flannel\.1 mtu 1450/);
  assert.deepEqual(run(mtu, makeNode()), []);
});

test("mtu-mismatch-vxlan: another node's tunnel does not fit this node's underlay", () => {
  const small = DEFAULT_LINKS.map((l) =>
    l.name === 'eth0'
      ? { ...l, mtu: 1400 }
      : l.name === 'flannel.1'
        ? { ...l, mtu: 1350 }
        : l.name === 'cni0' || l.kind === 'veth'
          ? { ...l, mtu: 1350 }
          : l,
  );
  const n1 = makeNode({ name: 'node1', links: small });
  const n2 = makeNode({ name: 'node2' });
  const f = run(mtu, n1, cluster(n1, n2));
  assert.equal(f.length, 1);
  assert.equal(f[0]!.severity, 'warning');
  assert.match(
    evidenceText(f[0]!),
    /node2 flannel\.1 mtu 1450: its encapsulated packets \(1500\) exceed node1 eth0 mtu 1400/,
  );
  assert.deepEqual(run(mtu, n2, cluster(n2, makeNode({ name: 'node3' }))), []);
});

test('rp-filter-strict-asymmetric: a strict tunnel is info while node traffic is masqueraded, warning when not', () => {
  const strict = { 'net.ipv4.conf.all.rp_filter': '1', 'net.ipv4.conf.flannel.1.rp_filter': '1' };
  const ok = run(rp, makeNode({ sysctlPatch: strict, iptables: { legacy: ruleset(KUBE_FLANNEL_RULES) } }));
  assert.equal(ok.length, 1);
  assert.equal(ok[0]!.severity, 'info');
  assert.match(evidenceText(ok[0]!), /paths are symmetric for now/);
  const noMasq = KUBE_FLANNEL_RULES.replace(/-A (KUBE-POSTROUTING|FLANNEL-POSTRTG) .*-j MASQUERADE.*\n/g, '');
  const bad = run(rp, makeNode({ sysctlPatch: strict, iptables: { legacy: ruleset(noMasq) } }));
  assert.equal(bad.length, 1);
  assert.equal(bad[0]!.severity, 'warning');
  assert.match(evidenceText(bad[0]!), /no MASQUERADE in nat POSTROUTING covers node-sourced traffic/);
});
