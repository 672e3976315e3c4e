/**
 * Checks of the routed path (FM-02, FM-12, FM-13): ip_forward (global, per interface, IPv6),
 * FORWARD policy DROP, and host firewalls in front of the Kubernetes rules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addr, evidenceText, makeNode, ruleset, run, KUBE_FLANNEL_RULES } from './fixtures.js';
import { check as ipf } from './ip-forward-disabled.js';
import { check as ipfIf } from './ip-forward-interface-disabled.js';
import { check as ipf6 } from './ip-forward-ipv6-disabled.js';
import { check as fwd } from './forward-policy-drop.js';
import { check as fw } from './firewall-base-chain-drop.js';

test('ip-forward-disabled: ip_forward = 0 is critical with evidence and fixes', () => {
  const f = run(ipf, makeNode({ sysctlPatch: { 'net.ipv4.ip_forward': '0' } }));
  assert.equal(f.length, 1);
  assert.equal(f[0]!.id, 'ip-forward-disabled');
  assert.equal(f[0]!.severity, 'critical');
  assert.equal(f[0]!.evidence[0]!.text, 'net.ipv4.ip_forward = 0');
  assert.deepEqual(f[0]!.fix[0]!.commands, ['sudo sysctl -w net.ipv4.ip_forward=1']);
  assert.match(f[0]!.fix[1]!.commands[0]!, /net\.ipv4\.ip_forward = 1.*\/etc\/sysctl\.d\//);
  assert.deepEqual(run(ipf, makeNode()), []);
  assert.deepEqual(run(ipf, makeNode({ sysctlPatch: { 'net.ipv4.ip_forward': undefined } })), []);
});

test('ip-forward-interface-disabled: per-device forwarding off on a pod-facing link or the uplink', () => {
  const f = run(
    ipfIf,
    makeNode({
      sysctlPatch: {
        'net.ipv4.conf.cni0.forwarding': '0',
        'net.ipv4.conf.eth0.forwarding': '0',
        'net.ipv4.conf.docker0.forwarding': '0',
      },
    }),
  );
  assert.equal(f.length, 1);
  assert.equal(f[0]!.id, 'ip-forward-interface-disabled');
  assert.equal(f[0]!.severity, 'critical');
  assert.match(evidenceText(f[0]!), /net\.ipv4\.conf\.cni0\.forwarding = 0/);
  assert.match(evidenceText(f[0]!), /net\.ipv4\.conf\.eth0\.forwarding = 0/);
  assert.doesNotMatch(evidenceText(f[0]!), /docker0/);
  assert.deepEqual(run(ipfIf, makeNode({ sysctlPatch: { 'net.ipv4.conf.cni0.forwarding': '1' } })), []);
  // with ip_forward = 0 the global check speaks instead
  assert.deepEqual(
    run(
      ipfIf,
      makeNode({ sysctlPatch: { 'net.ipv4.ip_forward': '0', 'net.ipv4.conf.cni0.forwarding': '0' } }),
    ),
    [],
  );
});

test('ip-forward-ipv6-disabled: only when pods use IPv6', () => {
  const pods = [
    {
      name: 'cni-1',
      addrs: [addr('eth0', 'fd00:10:224:1::22/64'), addr('eth0', 'fe80::1/64', { scope: 'link' })],
    },
  ];
  const f = run(ipf6, makeNode({ pods, sysctlPatch: { 'net.ipv6.conf.all.forwarding': '0' } }));
  assert.equal(f.length, 1);
  assert.equal(f[0]!.id, 'ip-forward-ipv6-disabled');
  assert.equal(f[0]!.severity, 'critical');
  assert.equal(f[0]!.evidence[0]!.text, 'net.ipv6.conf.all.forwarding = 0');
  assert.deepEqual(run(ipf6, makeNode({ sysctlPatch: { 'net.ipv6.conf.all.forwarding': '0' } })), []);
  const linkOnly = [{ name: 'cni-1', addrs: [addr('eth0', 'fe80::1/64', { scope: 'link' })] }];
  assert.deepEqual(
    run(ipf6, makeNode({ pods: linkOnly, sysctlPatch: { 'net.ipv6.conf.all.forwarding': '0' } })),
    [],
  );
});

const FILTER = (body: string, policy = 'DROP') =>
  ruleset(
    `*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ${policy} [42:2520]\n:OUTPUT ACCEPT [0:0]\n${body}\nCOMMIT\n`,
  );

test('forward-policy-drop: DROP with nothing accepting pods is critical and says what is missing', () => {
  const rs = FILTER(
    ':DOCKER-USER - [0:0]\n-A FORWARD -j DOCKER-USER\n-A FORWARD -o docker0 -j ACCEPT\n-A DOCKER-USER -j RETURN',
  );
  rs.tables.filter!.chains['FORWARD']!.counters = { packets: 42, bytes: 2520 };
  const f = run(fwd, makeNode({ iptables: { legacy: rs } }));
  assert.equal(f.length, 1);
  assert.equal(f[0]!.id, 'forward-policy-drop');
  assert.equal(f[0]!.severity, 'critical');
  const ev = evidenceText(f[0]!);
  assert.match(ev, /:FORWARD DROP \(filter table\).*dropped 42 packets/);
  assert.match(ev, /no ACCEPT reachable from FORWARD matches the pod subnets 10\.224\.1\.0\/24/);
  assert.match(ev, /missing: kube-proxy mark rule/);
  assert.match(ev, /missing: `-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`/);
  assert.ok(f[0]!.fix[0]!.commands.includes('sudo iptables -I FORWARD -s 10.224.1.0/24 -j ACCEPT'));
});

test('forward-policy-drop: kube-proxy mark + ctstate rules only -> warning naming both rules', () => {
  const rs = FILTER(
    [
      ':KUBE-FORWARD - [0:0]',
      '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
      '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
      '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    ].join('\n'),
  );
  const f = run(fwd, makeNode({ iptables: { legacy: rs } }));
  assert.equal(f.length, 1);
  assert.equal(f[0]!.severity, 'warning');
  assert.match(
    evidenceText(f[0]!),
    /-A KUBE-FORWARD .*--mark 0x4000\/0x4000 -j ACCEPT .*\[iptables-legacy-save:7\]/,
  );
  assert.match(evidenceText(f[0]!), /--ctstate RELATED,ESTABLISHED -j ACCEPT .*\[iptables-legacy-save:8\]/);
});

test('forward-policy-drop: negative with pod CIDR accepts (via jumps), an unconditional ACCEPT, a pod interface, or policy ACCEPT', () => {
  const flannel = ruleset(KUBE_FLANNEL_RULES.replace(':FORWARD ACCEPT', ':FORWARD DROP'));
  assert.deepEqual(run(fwd, makeNode({ iptables: { legacy: flannel } })), []);
  assert.deepEqual(
    run(
      fwd,
      makeNode({
        iptables: {
          legacy: FILTER(':DOCKER-USER - [0:0]\n-A FORWARD -j DOCKER-USER\n-A DOCKER-USER -j ACCEPT'),
        },
      }),
    ),
    [],
  );
  assert.deepEqual(run(fwd, makeNode({ iptables: { legacy: FILTER('-A FORWARD -i cni0 -j ACCEPT') } })), []);
  assert.deepEqual(
    run(fwd, makeNode({ iptables: { legacy: FILTER('-A FORWARD -s 10.224.0.0/16 -p tcp -j ACCEPT') } }))
      .length,
    1,
    'tcp-only is not all pod traffic',
  );
  assert.deepEqual(run(fwd, makeNode({ iptables: { legacy: FILTER('', 'ACCEPT') } })), []);
});

test('firewall-base-chain-drop: firewalld-style catch-all REJECT before the CNI jump (iptables)', () => {
  const rs = FILTER(
    [
      ':FLANNEL-FWD - [0:0]',
      '-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      '-A FORWARD -j REJECT --reject-with icmp-host-prohibited',
      '-A FORWARD -j FLANNEL-FWD',
      '-A FLANNEL-FWD -s 10.224.0.0/16 -j ACCEPT',
    ].join('\n'),
    'ACCEPT',
  );
  const f = run(fw, makeNode({ iptables: { legacy: rs } }));
  assert.equal(f.length, 1);
  assert.equal(f[0]!.id, 'firewall-base-chain-drop');
  assert.equal(f[0]!.severity, 'critical');
  assert.equal(f[0]!.evidence[0]!.line, 7);
  assert.match(
    f[0]!.evidence[0]!.text,
    /^-A FORWARD -j REJECT --reject-with icmp-host-prohibited {2}\(rule 2 of FORWARD/,
  );
  // the same REJECT after the CNI accepts is harmless
  const ok = FILTER(
    ':FLANNEL-FWD - [0:0]\n-A FORWARD -j FLANNEL-FWD\n-A FORWARD -j REJECT --reject-with icmp-host-prohibited\n-A FLANNEL-FWD -s 10.224.0.0/16 -j ACCEPT',
    'ACCEPT',
  );
  assert.deepEqual(run(fw, makeNode({ iptables: { legacy: ok } })), []);
});

const FIREWALLD_NFT = `table inet firewalld {
	chain filter_FORWARD {
		type filter hook forward priority filter + 10; policy accept;
		ct state { established, related } accept
		iifname "lo" accept
		jump filter_FORWARD_ZONES
		reject with icmpx admin-prohibited
	}
}
table ip filter {
	chain FORWARD {
		type filter hook forward priority filter; policy drop;
	}
}`;

test('firewall-base-chain-drop: firewalld nftables table with a final reject on the forward hook', () => {
  const f = run(
    fw,
    makeNode({ raw: { 'nft-ruleset': FIREWALLD_NFT }, sourceFiles: { 'nft-ruleset': 'nft-ruleset.txt' } }),
  );
  assert.equal(f.length, 1, 'the iptables-nft table ip filter is not counted');
  assert.equal(f[0]!.severity, 'warning');
  assert.match(f[0]!.title, /inet firewalld filter_FORWARD/);
  assert.equal(
    f[0]!.evidence[0]!.text,
    'table inet firewalld, chain filter_FORWARD: hook forward priority filter + 10, policy accept',
  );
  assert.deepEqual([f[0]!.evidence[0]!.source, f[0]!.evidence[0]!.line], ['nft-ruleset.txt', 2]);
  assert.equal(f[0]!.evidence[1]!.line, 7);
  // pod interfaces handled by the table: no finding
  const trusted = FIREWALLD_NFT.replace(
    'iifname "lo" accept',
    'iifname { "cni0", "flannel.1", "vetha1b2c3d4", "vethe5f6a7b8" } accept',
  );
  assert.deepEqual(run(fw, makeNode({ raw: { 'nft-ruleset': trusted } })), []);
});

test('firewall-base-chain-drop: nft JSON with policy drop is critical', () => {
  const doc = JSON.stringify({
    nftables: [
      { metainfo: { version: '1.0.6' } },
      { table: { family: 'inet', name: 'myfw', handle: 1 } },
      {
        chain: {
          family: 'inet',
          table: 'myfw',
          name: 'fwd',
          handle: 1,
          type: 'filter',
          hook: 'forward',
          prio: 0,
          policy: 'drop',
        },
      },
    ],
  });
  const f = run(fw, makeNode({ raw: { 'nft-ruleset': doc } }));
  assert.equal(f.length, 1);
  assert.equal(f[0]!.severity, 'critical');
  assert.equal(f[0]!.evidence[0]!.line, 3);
  assert.deepEqual(run(fw, makeNode({ raw: { 'nft-ruleset': doc.replace('"drop"', '"accept"') } })), []);
});
