/**
 * Rule-set checks (FM-05, FM-14, FM-16, FM-17, FM-18, FM-19, FM-20): both backends, SNAT
 * port randomness, Services without endpoints, local-policy drops, the local-traffic
 * detector, the localnet guard, and the unfixed KUBE-POSTROUTING over VXLAN.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_LINKS,
  evidenceText,
  makeNode,
  ruleset,
  run,
  ctStats,
  KUBE_FLANNEL_RULES,
} from './fixtures.js';
import { check as mixed } from './iptables-backends-mixed.js';
import { check as rf } from './masquerade-not-random-fully.js';
import { check as noEp } from './service-without-endpoints.js';
import { check as etp } from './etp-local-no-local-endpoint.js';
import { check as cidr } from './cluster-cidr-missing.js';
import { check as localnet } from './route-localnet-exposed.js';
import { check as vx } from './vxlan-double-nat-checksum.js';
import { check as kmasq } from './kube-masquerade-missing.js';

const KUBE = ruleset(KUBE_FLANNEL_RULES);

test('iptables-backends-mixed: kube-proxy chains in both backends is critical, with counts per backend', () => {
  const f = run(mixed, makeNode({ iptables: { legacy: KUBE, nft: ruleset(KUBE_FLANNEL_RULES, 'nft') } }));
  assert.equal(f.length, 1);
  assert.equal(f[0]!.id, 'iptables-backends-mixed');
  assert.equal(f[0]!.severity, 'critical');
  assert.match(
    f[0]!.evidence[0]!.text,
    /^legacy: 22 rules, 11 in kube-proxy\/CNI chains \(first: -A FLANNEL-POSTRTG -s 10\.224\.0\.0\/16 /,
  );
  assert.match(f[0]!.evidence[1]!.text, /^nft: 22 rules/);
  assert.equal(f[0]!.evidence[0]!.source, 'iptables-legacy-save');
  assert.equal(f[0]!.evidence[0]!.line, 11);
  assert.equal(f[0]!.evidence[1]!.source, 'iptables-nft-save');
});

test('iptables-backends-mixed: warning for other rules in both; the nft warning line; negative for one backend', () => {
  const other = ruleset(
    '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n',
    'nft',
  );
  assert.equal(run(mixed, makeNode({ iptables: { legacy: KUBE, nft: other } }))[0]!.severity, 'warning');
  const warned = ruleset(
    '# Warning: iptables-legacy tables present, use iptables-legacy-save to see them\n' + KUBE_FLANNEL_RULES,
    'nft',
  );
  const w = run(mixed, makeNode({ iptables: { nft: warned } }));
  assert.equal(w.length, 1);
  assert.equal(w[0]!.severity, 'warning');
  assert.match(w[0]!.evidence[0]!.text, /iptables-legacy tables present/);
  assert.deepEqual(run(mixed, makeNode({ iptables: { nft: ruleset(KUBE_FLANNEL_RULES, 'nft') } })), []);
  const empty = ruleset('*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\nCOMMIT\n');
  assert.deepEqual(
    run(mixed, makeNode({ iptables: { legacy: empty, nft: ruleset(KUBE_FLANNEL_RULES, 'nft') } })),
    [],
    'empty legacy tables are not rules',
  );
});

test('masquerade-not-random-fully: lists MASQUERADE/SNAT without --random-fully; warning with insert_failed', () => {
  const rs = ruleset(
    KUBE_FLANNEL_RULES.replace(
      '-j MASQUERADE --random-fully\n-A KUBE-MARK-MASQ',
      '-j MASQUERADE\n-A KUBE-MARK-MASQ',
    ),
  );
  const f = run(rf, makeNode({ iptables: { legacy: rs } }));
  assert.equal(f.length, 1);
  assert.equal(f[0]!.id, 'masquerade-not-random-fully');
  assert.equal(f[0]!.severity, 'info');
  assert.equal(f[0]!.evidence.length, 1);
  assert.equal(
    f[0]!.evidence[0]!.text,
    '-A FLANNEL-POSTRTG -s 10.224.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE',
  );
  assert.equal(f[0]!.evidence[0]!.line, 11);
  assert.equal(
    run(rf, makeNode({ iptables: { legacy: rs }, ctStats: ctStats({ insert_failed: 3 }) }))[0]!.severity,
    'warning',
  );
  assert.deepEqual(run(rf, makeNode({ iptables: { legacy: KUBE } })), []);
});

const NO_EP = `*filter
:INPUT ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-EXTERNAL-SERVICES - [0:0]
-A KUBE-SERVICES -d 10.96.12.7/32 -p tcp -m comment --comment "shop/cart:http has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable
-A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "shop/cart:http has no endpoints" -m addrtype --dst-type LOCAL -m tcp --dport 31080 -j REJECT --reject-with icmp-port-unreachable
-A KUBE-EXTERNAL-SERVICES -d 1.2.3.4/32 -p tcp -m comment --comment "shop/web:http has no local endpoints" -m tcp --dport 80 -j DROP
COMMIT
`;

test('service-without-endpoints: REJECT "has no endpoints" rules with their lines; IPVS services without real servers', () => {
  const f = run(noEp, makeNode({ iptables: { legacy: ruleset(NO_EP) } }));
  assert.equal(f.length, 1);
  assert.equal(f[0]!.id, 'service-without-endpoints');
  assert.equal(f[0]!.severity, 'warning');
  assert.equal(f[0]!.evidence.length, 2);
  assert.equal(f[0]!.evidence[0]!.line, 5);
  assert.match(
    f[0]!.evidence[0]!.text,
    /^-A KUBE-SERVICES -d 10\.96\.12\.7\/32 .*"shop\/cart:http has no endpoints".* -j REJECT/,
  );
  assert.match(f[0]!.title, /shop\/cart:http/);
  const ipvs = run(
    noEp,
    makeNode({
      raw: {
        ipvsadm:
          '-A -t 10.96.0.50:80 -s rr\n-A -t 10.96.0.1:443 -s rr\n-a -t 10.96.0.1:443 -r 192.168.0.11:6443 -m -w 1\n',
      },
    }),
  );
  assert.equal(ipvs.length, 1);
  assert.deepEqual(
    ipvs[0]!.evidence.map((e) => [e.text, e.line]),
    [['IPVS virtual service TCP 10.96.0.50:80 has no real servers', 1]],
  );
  assert.deepEqual(run(noEp, makeNode({ iptables: { legacy: KUBE } })), []);
});

test('etp-local-no-local-endpoint: "has no local endpoints" drops, info', () => {
  const f = run(etp, makeNode({ iptables: { legacy: ruleset(NO_EP) } }));
  assert.equal(f.length, 1);
  assert.equal(f[0]!.id, 'etp-local-no-local-endpoint');
  assert.equal(f[0]!.severity, 'info');
  assert.deepEqual(
    f[0]!.evidence.map((e) => e.line),
    [7],
  );
  assert.match(f[0]!.evidence[0]!.text, /shop\/web:http has no local endpoints/);
  const old = ruleset(
    '*nat\n:KUBE-XLB-X - [0:0]\n-A KUBE-XLB-X -m comment --comment "ns/svc: has no local endpoints" -j KUBE-MARK-DROP\nCOMMIT\n',
  );
  assert.equal(run(etp, makeNode({ iptables: { legacy: old } })).length, 1);
  assert.deepEqual(run(etp, makeNode({ iptables: { legacy: KUBE } })), []);
});

test('cluster-cidr-missing: cluster IP rules and no KUBE-MARK-MASQ for them', () => {
  const rs = ruleset(KUBE_FLANNEL_RULES.replace(/-A KUBE-SVC-SFYPIQDA5NATOP5V ! -s .*\n/, ''));
  const f = run(cidr, makeNode({ iptables: { legacy: rs } }));
  assert.equal(f.length, 1);
  assert.equal(f[0]!.id, 'cluster-cidr-missing');
  assert.equal(f[0]!.severity, 'warning');
  assert.match(f[0]!.evidence[0]!.text, /^-A KUBE-SERVICES -d 10\.233\.53\.172\/32 .*cluster IP/);
  assert.match(f[0]!.evidence[1]!.text, /none of the 1 ClusterIP rules/);
  assert.deepEqual(run(cidr, makeNode({ iptables: { legacy: KUBE } })), []);
  const ipvs = ruleset(
    '*nat\n:KUBE-SERVICES - [0:0]\n-A KUBE-SERVICES ! -s 10.224.0.0/16 -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ\n-A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT\nCOMMIT\n',
  );
  assert.deepEqual(run(cidr, makeNode({ iptables: { legacy: ipvs } })), []);
  const ipvsNo = ruleset(
    '*nat\n:KUBE-SERVICES - [0:0]\n-A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT\nCOMMIT\n',
  );
  assert.equal(run(cidr, makeNode({ iptables: { legacy: ipvsNo } })).length, 1);
});

test('route-localnet-exposed: route_localnet = 1 without the localnet DROP', () => {
  const filterOnly = ruleset('*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n');
  const f = run(
    localnet,
    makeNode({
      iptables: { legacy: filterOnly },
      sysctlPatch: { 'net.ipv4.conf.all.route_localnet': '1', 'net.ipv4.conf.default.route_localnet': '1' },
    }),
  );
  assert.equal(f.length, 1);
  assert.equal(f[0]!.id, 'route-localnet-exposed');
  assert.equal(f[0]!.severity, 'warning');
  assert.equal(f[0]!.evidence[0]!.text, 'net.ipv4.conf.all.route_localnet = 1');
  assert.doesNotMatch(evidenceText(f[0]!), /default\.route_localnet/);
  assert.deepEqual(
    run(
      localnet,
      makeNode({ iptables: { legacy: KUBE }, sysctlPatch: { 'net.ipv4.conf.all.route_localnet': '1' } }),
    ),
    [],
    'kube-proxy guard present',
  );
  assert.deepEqual(run(localnet, makeNode({ iptables: { legacy: filterOnly } })), []);
});

const UNFIXED = `*nat
:POSTROUTING ACCEPT [0:0]
:KUBE-POSTROUTING - [0:0]
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -m mark --mark 0x4000/0x4000 -j MASQUERADE --random-fully
COMMIT
`;

test('vxlan-double-nat-checksum: the unfixed KUBE-POSTROUTING with a VXLAN device', () => {
  const f = run(vx, makeNode({ iptables: { legacy: ruleset(UNFIXED) } }));
  assert.equal(f.length, 1);
  assert.equal(f[0]!.id, 'vxlan-double-nat-checksum');
  assert.equal(f[0]!.severity, 'warning');
  assert.equal(f[0]!.evidence[0]!.line, 5);
  assert.match(
    f[0]!.evidence[0]!.text,
    /-j MASQUERADE --random-fully {2}\(no MARK --xor-mark 0x4000 before it; --random-fully/,
  );
  assert.match(evidenceText(f[0]!), /flannel\.1: vxlan id 1 dstport 8472/);
  assert.equal(
    run(vx, makeNode({ iptables: { legacy: ruleset(UNFIXED.replace(' --random-fully', '')) } }))[0]!.severity,
    'info',
  );
  assert.deepEqual(run(vx, makeNode({ iptables: { legacy: KUBE } })), [], 'fixed form clears the mark');
  assert.deepEqual(
    run(
      vx,
      makeNode({
        iptables: { legacy: ruleset(UNFIXED) },
        links: DEFAULT_LINKS.filter((l) => l.kind !== 'vxlan'),
      }),
    ),
    [],
    'no VXLAN',
  );
});

test('iptables-backends-mixed: native nft tables count too (kube-proxy nftables mode next to an iptables FORWARD DROP)', async () => {
  const { parseNftJson } = await import('../parse/nft/index.js');
  const { readNftFixture } = await import('../parse/nft/read-fixture.js');
  const kpNft = parseNftJson(readNftFixture('kube-proxy-golden.json')).value;
  const flannelOnly = ruleset(
    '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n*nat\n:POSTROUTING ACCEPT [0:0]\n:FLANNEL-POSTRTG - [0:0]\n-A POSTROUTING -j FLANNEL-POSTRTG\nCOMMIT\n',
  );
  const node = makeNode({ iptables: { legacy: flannelOnly } });
  node.host.nft = kpNft;
  const f = run(mixed, node);
  assert.equal(f.length, 1);
  assert.equal(f[0]!.severity, 'critical');
  assert.match(f[0]!.symptom ?? '', /policy DROP \(legacy filter FORWARD\)/);
  assert.match(
    f[0]!.evidence.at(-1)!.text,
    /^nftables: \d+ rules in 1 native table \(ip kube-proxy\), kube-proxy\/CNI: ip kube-proxy/,
  );
  // stale iptables-mode kube-proxy chains next to the nftables table: critical, stale DNAT
  const stale = makeNode({ iptables: { legacy: KUBE } });
  stale.host.nft = kpNft;
  assert.match(run(mixed, stale)[0]!.symptom ?? '', /former iptables-mode kube-proxy/);
  // a native table alone, or iptables-nft's own tables in nft output, are not mixed
  const alone = makeNode({});
  alone.host.nft = kpNft;
  assert.deepEqual(run(mixed, alone), []);
  const own = makeNode({ iptables: { nft: ruleset(KUBE_FLANNEL_RULES, 'nft') } });
  own.host.nft = parseNftJson(readNftFixture('kube-proxy-golden-with-iptables-nft.json')).value;
  own.host.nft.tables = own.host.nft.tables.filter((t) => t.name !== 'kube-proxy');
  assert.deepEqual(run(mixed, own), []);
});

test('kube-masquerade-missing: KUBE-MARK-MASQ marks but KUBE-POSTROUTING does not masquerade', () => {
  const without = KUBE_FLANNEL_RULES.replace(/-A KUBE-POSTROUTING .*-j MASQUERADE.*\n/, '');
  const f = run(kmasq, makeNode({ iptables: { legacy: ruleset(without) } }));
  assert.equal(f.length, 1);
  assert.equal(f[0]!.id, 'kube-masquerade-missing');
  assert.equal(f[0]!.severity, 'warning');
  assert.match(f[0]!.evidence[0]!.text, /^-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000\/0x4000/);
  assert.match(evidenceText(f[0]!), /KUBE-POSTROUTING - \(nat table\)\s+has 2 rule\(s\), none -j MASQUERADE/);
  assert.match(evidenceText(f[0]!), /1 MASQUERADE\/SNAT rule\(s\) .*all limited by -s \(FLANNEL-POSTRTG\)/);
  assert.deepEqual(run(kmasq, makeNode({ iptables: { legacy: KUBE } })), [], 'kube-proxy rule present');
  const unconditional = without.replace(
    ':FLANNEL-POSTRTG - [0:0]',
    ':FLANNEL-POSTRTG - [0:0]\n-A POSTROUTING -o eth0 -j MASQUERADE',
  );
  assert.deepEqual(
    run(kmasq, makeNode({ iptables: { legacy: ruleset(unconditional) } })),
    [],
    'masquerade all',
  );
  const noMark = without.replace(/-A KUBE-MARK-MASQ .*\n/, '');
  assert.deepEqual(run(kmasq, makeNode({ iptables: { legacy: ruleset(noMark) } })), [], 'nothing marks');
});
