/**
 * Checks of the bridge path (FM-01, FM-09): bridge-nf-call-ip(6)tables, br_netfilter,
 * hairpin, and the live conntrack evidence of the incident.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addr, bridge, ctEntries, DEFAULT_LINKS, evidenceText, makeNode, run, veth } from './fixtures.js';
import { check as nfIpt } from './bridge-nf-call-iptables-disabled.js';
import { check as nfIp6t } from './bridge-nf-call-ip6tables-disabled.js';
import { check as brnf } from './br-netfilter-not-loaded.js';
import { check as hairpin } from './hairpin-mode-off.js';
import { check as unreplied } from './conntrack-unreplied-same-bridge.js';

test('bridge-nf-call-iptables-disabled: fires on 0 with pod ports, names sysctl, line and bridge', () => {
  const f = run(nfIpt, makeNode({ sysctlPatch: { 'net.bridge.bridge-nf-call-iptables': '0' } }));
  assert.equal(f.length, 1);
  assert.equal(f[0]!.id, 'bridge-nf-call-iptables-disabled');
  assert.equal(f[0]!.severity, 'critical');
  assert.equal(f[0]!.evidence[0]!.text, 'net.bridge.bridge-nf-call-iptables = 0');
  assert.equal(f[0]!.evidence[0]!.source, 'sysctl.txt');
  assert.equal(f[0]!.evidence[0]!.line, 1);
  assert.match(evidenceText(f[0]!), /bridge cni0 has 2 pod port\(s\): vetha1b2c3d4, vethe5f6a7b8/);
  assert.deepEqual(
    f[0]!.fix.map((x) => x.kind),
    ['runtime', 'persistent', 'alternative'],
  );
  assert.ok(f[0]!.fix[0]!.commands.includes('sudo sysctl -w net.bridge.bridge-nf-call-iptables=1'));
  assert.ok(f[0]!.fix[1]!.commands.some((c) => c.includes('/etc/sysctl.d/99-kubernetes.conf')));
  assert.ok(f[0]!.fix[1]!.commands.some((c) => c.includes('/etc/modules-load.d/br_netfilter.conf')));
  assert.ok(f[0]!.references.includes('kubernetes/kubernetes#21613'));
});

test('bridge-nf-call-iptables-disabled: negative when 1, when no bridge has pods, or when the bridge option is on', () => {
  assert.deepEqual(run(nfIpt, makeNode()), []);
  const noPods = DEFAULT_LINKS.filter((l) => l.kind !== 'veth');
  assert.deepEqual(
    run(nfIpt, makeNode({ links: noPods, sysctlPatch: { 'net.bridge.bridge-nf-call-iptables': '0' } })),
    [],
  );
  const perBridge = DEFAULT_LINKS.map((l) =>
    l.name === 'cni0'
      ? bridge('cni0', { bridge: { stp: false, vlanFiltering: false, nfCallIptables: true } })
      : l,
  );
  assert.deepEqual(
    run(nfIpt, makeNode({ links: perBridge, sysctlPatch: { 'net.bridge.bridge-nf-call-iptables': '0' } })),
    [],
  );
  assert.equal(nfIpt.missing!(makeNode({ sysctl: null })), 'sysctl not in the snapshot');
});

test('bridge-nf-call-ip6tables-disabled: warning without IPv6 pods, critical with them', () => {
  const patch = { 'net.bridge.bridge-nf-call-ip6tables': '0' };
  const w = run(nfIp6t, makeNode({ sysctlPatch: patch }));
  assert.equal(w.length, 1);
  assert.equal(w[0]!.id, 'bridge-nf-call-ip6tables-disabled');
  assert.equal(w[0]!.severity, 'warning');
  assert.equal(w[0]!.evidence[0]!.text, 'net.bridge.bridge-nf-call-ip6tables = 0');
  const c = run(
    nfIp6t,
    makeNode({
      sysctlPatch: patch,
      pods: [
        { name: 'cni-1', addrs: [addr('eth0', '10.224.1.34/24'), addr('eth0', 'fd00:10:224:1::22/64')] },
      ],
    }),
  );
  assert.equal(c[0]!.severity, 'critical');
  assert.deepEqual(run(nfIp6t, makeNode()), []);
});

test('br-netfilter-not-loaded: no net.bridge.* keys, module absent, bridge with ports', () => {
  const sysctl = { 'net.ipv4.ip_forward': '1' };
  const f = run(brnf, makeNode({ sysctl, modules: ['bridge', 'vxlan'] }));
  assert.equal(f.length, 1);
  assert.equal(f[0]!.id, 'br-netfilter-not-loaded');
  assert.equal(f[0]!.severity, 'critical');
  assert.match(evidenceText(f[0]!), /no net\.bridge\.\* sysctl/);
  assert.match(evidenceText(f[0]!), /br_netfilter is not in \/proc\/modules/);
  assert.ok(f[0]!.fix[0]!.commands.includes('sudo modprobe br_netfilter'));
});

test('br-netfilter-not-loaded: built-in (keys present, module absent) counts as loaded; unknown sysctl is skipped', () => {
  assert.deepEqual(run(brnf, makeNode({ modules: ['bridge'] })), []);
  assert.deepEqual(
    run(brnf, makeNode({ sysctl: { 'net.ipv4.ip_forward': '1' }, modules: ['br_netfilter'] })),
    [],
  );
  const unknown = makeNode({ sysctl: null, modules: ['bridge'] });
  assert.deepEqual(run(brnf, unknown), []);
  assert.match(brnf.missing!(unknown)!, /sysctl/);
});

test('hairpin-mode-off: lists the pod ports without hairpin (bridge -d link wins over ip -d link)', () => {
  const links = [
    ...DEFAULT_LINKS.filter((l) => l.kind !== 'veth'),
    veth('veth1', 'cni0', false, { line: 5 }),
    veth('veth2', 'cni0', true, { line: 6 }),
  ];
  const f = run(hairpin, makeNode({ links }));
  assert.equal(f.length, 1);
  assert.equal(f[0]!.id, 'hairpin-mode-off');
  assert.equal(f[0]!.severity, 'warning');
  assert.equal(f[0]!.evidence.length, 1);
  assert.equal(f[0]!.evidence[0]!.text, 'veth1 (port of cni0): hairpin off');
  assert.deepEqual(f[0]!.fix[0]!.commands, ['sudo bridge link set dev veth1 hairpin on']);
  const bl = [
    {
      ifname: 'veth1',
      index: 5,
      master: 'cni0',
      state: 'forwarding',
      hairpin: true,
      learning: true,
      flood: true,
      isolated: false,
      line: 1,
    },
  ];
  assert.deepEqual(run(hairpin, makeNode({ links, bridgeLinks: bl })), []);
  assert.deepEqual(run(hairpin, makeNode()), []);
  const promisc = links.map((l) => (l.name === 'cni0' ? { ...l, flags: [...l.flags, 'PROMISC'] } : l));
  assert.deepEqual(run(hairpin, makeNode({ links: promisc })), []);
});

const INCIDENT_CT = [
  'tcp      6 119 SYN_SENT src=10.224.1.34 dst=10.233.53.172 sport=56916 dport=8080 [UNREPLIED] src=10.224.1.56 dst=10.224.1.34 sport=8080 dport=56916 mark=0 use=1',
  'tcp      6 86397 ESTABLISHED src=10.224.1.34 dst=10.233.53.172 sport=56920 dport=8080 src=10.224.2.23 dst=10.224.1.34 sport=8080 dport=56920 [ASSURED] mark=0 use=1',
].join('\n');

test('conntrack-unreplied-same-bridge: the incident line, critical with the sysctl at 0', () => {
  const node = makeNode({
    conntrack: ctEntries(INCIDENT_CT),
    raw: { conntrack: INCIDENT_CT },
    sysctlPatch: { 'net.bridge.bridge-nf-call-iptables': '0' },
  });
  const f = run(unreplied, node);
  assert.equal(f.length, 1);
  assert.equal(f[0]!.id, 'conntrack-unreplied-same-bridge');
  assert.equal(f[0]!.severity, 'critical');
  assert.equal(f[0]!.evidence[0]!.line, 1);
  assert.match(
    f[0]!.evidence[0]!.text,
    /^tcp +6 119 SYN_SENT src=10\.224\.1\.34 dst=10\.233\.53\.172 .*\[UNREPLIED\] src=10\.224\.1\.56/,
  );
  assert.match(f[0]!.evidence[0]!.text, /both in 10\.224\.1\.0\/24 on cni0/);
  assert.match(evidenceText(f[0]!), /net\.bridge\.bridge-nf-call-iptables = 0/);
});

test('conntrack-unreplied-same-bridge: warning when the sysctl is on; nothing for cross-node or replied entries', () => {
  const node = makeNode({ conntrack: ctEntries(INCIDENT_CT) });
  assert.equal(run(unreplied, node)[0]!.severity, 'warning');
  const other =
    'tcp 6 119 SYN_SENT src=10.224.1.34 dst=10.233.53.172 sport=1 dport=8080 [UNREPLIED] src=10.224.2.23 dst=10.224.1.34 sport=8080 dport=1';
  assert.deepEqual(run(unreplied, makeNode({ conntrack: ctEntries(other) })), []);
  assert.deepEqual(run(unreplied, makeNode({ conntrack: ctEntries(INCIDENT_CT.split('\n')[1]!) })), []);
  assert.match(unreplied.missing!(makeNode())!, /conntrack/);
});
