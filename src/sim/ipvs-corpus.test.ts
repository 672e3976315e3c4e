import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { realCorpusDir } from '../snapshot/repo-root.js';
import { parseIpvsadm } from '../parse/ipvs/index.js';
import { parseIpset } from '../parse/ipset/index.js';
import { parseIptablesSave } from '../parse/iptables-save/index.js';
import { parseIpAddrText } from '../parse/iproute/parse-ip-addr-text.js';
import { ipsetTest } from './ipset-match.js';
import { evalTable, type MatchEnv } from './iptables-eval.js';
import type { Packet } from './types.js';

// One real node in kube-proxy IPVS mode (kubeadm + Calico, a public study note; see
// corpus/real/SOURCES.md): iptables-save -t nat, ipvsadm -L -n, ip a (kube-ipvs0), ipset -L.
const dir = realCorpusDir(import.meta.url);
const FILE = 'unresolved-source__kubeadm-calico-ipvs-mode__iptables-save-nat_ipvsadm_kube-ipvs0_ipset.txt';
const skip = existsSync(join(dir, FILE)) ? false : `corpus not found at ${dir}`;

function section(cmd: string): string {
  const text = readFileSync(join(dir, FILE), 'utf8');
  const start = text.indexOf(`$ ${cmd}\n`);
  assert.ok(start >= 0, cmd);
  const body = text.slice(start + cmd.length + 3);
  const end = body.search(/^\$ /m);
  return (end < 0 ? body : body.slice(0, end))
    .split('\n')
    .filter((l) => l.trim() !== '...')
    .join('\n');
}

test(
  'real IPVS node: every ClusterIP on kube-ipvs0 is an IPVS virtual service and a KUBE-CLUSTER-IP member',
  { skip },
  () => {
    const vips = parseIpAddrText(section('ip a'))
      .value.filter((a) => a.ifname === 'kube-ipvs0')
      .map((a) => a.local)
      .sort();
    assert.deepEqual(vips, ['10.100.49.21', '10.101.177.188', '10.96.0.1', '10.96.0.10', '10.99.180.41']);
    const services = parseIpvsadm(section('sudo ipvsadm -L -n')).value.services;
    const clusterSvcs = services.filter((s) => vips.includes(s.addr!));
    assert.deepEqual([...new Set(clusterSvcs.map((s) => s.addr))].sort(), vips);
    const set = parseIpset(section('ipset -L')).value.sets.get('KUBE-CLUSTER-IP')!;
    assert.deepEqual(
      set.members.map((m) => m.text).sort(),
      clusterSvcs.map((s) => `${s.addr},${s.proto}:${s.port}`).sort(),
    );
  },
);

test(
  'real IPVS node: its nat rules evaluated with its ipset: pod traffic to a ClusterIP is accepted unmarked, host traffic marked for masquerade',
  { skip },
  () => {
    const rs = parseIptablesSave(section('sudo iptables-save -t nat')).value;
    const sets = parseIpset(section('ipset -L')).value;
    const vips = new Set(['10.96.0.10', '10.96.0.1', '10.100.49.21', '10.101.177.188', '10.99.180.41']);
    const env = (): MatchEnv => ({
      hook: 'PREROUTING',
      bridged: false,
      ctState: 'NEW',
      ctDnat: false,
      ctSnat: false,
      ctDir: 'ORIGINAL',
      ctMark: 0,
      addrType: (ip) => (vips.has(ip) ? 'LOCAL' : 'UNICAST'), // kube-ipvs0 makes ClusterIPs local
      choose: () => 0,
      notes: [],
      ipset: (n, f, p) => ipsetTest(sets, n, f, p, 'the study-note node'),
    });
    const pkt = (proto: Packet['proto'], src: string, dst: string, dport: number): Packet => ({
      proto,
      src,
      dst,
      sport: 40000,
      dport,
      flags: proto === 'tcp' ? 'S' : '',
      mark: 0,
      ttl: 64,
    });
    const dnsFromPod = pkt('udp', '192.168.185.20', '10.96.0.10', 53);
    const r1 = evalTable(rs, 'nat', 'PREROUTING', dnsFromPod, env())!;
    assert.equal(r1.verdict.v, 'ACCEPT');
    assert.equal(r1.verdict.rule?.text.includes('KUBE-CLUSTER-IP dst,dst -j ACCEPT'), true);
    assert.equal(dnsFromPod.mark, 0);
    const dnsFromDocker = pkt('udp', '172.17.0.5', '10.96.0.10', 53);
    const r2 = evalTable(rs, 'nat', 'PREROUTING', dnsFromDocker, env())!;
    assert.equal(r2.verdict.v, 'ACCEPT');
    assert.equal(dnsFromDocker.mark, 0x4000, 'KUBE-MARK-MASQ for a source outside 192.168.0.0/16');
    // a TCP ClusterIP is local, so KUBE-NODE-PORT asks KUBE-NODE-PORT-TCP, which the dump elides
    const r3 = evalTable(rs, 'nat', 'PREROUTING', pkt('tcp', '192.168.185.20', '10.96.0.1', 443), env())!;
    assert.equal(r3.verdict.v, 'UNKNOWN');
    assert.match((r3.verdict as { why: string }).why, /KUBE-NODE-PORT-TCP is not in the `ipset save`/);
  },
);
