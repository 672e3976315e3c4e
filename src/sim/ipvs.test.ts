import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ipvsExampleSnapshots, setSysctl, clusterOf } from './testing.js';
import { traceFlow } from '../diagnose/trace.js';
import { checkFindings } from '../diagnose/findings.js';
import type { NodeSnapshot } from '../snapshot/types.js';

// The seed incident in kube-proxy IPVS mode (examples/incident-ipvs): podA 10.224.1.34 on node1
// calls the ClusterIP 10.233.53.172:8080, backends 10.224.1.56 (node1) and 10.224.2.23 (node2).
// The same-node failure and its br_netfilter fix are also those of cloudnativelabs/kube-router#151.
const VIP = { proto: 'tcp' as const, src: '10.224.1.34', dst: '10.233.53.172', dport: 8080 };
const NODEPORT = { proto: 'tcp' as const, src: '192.168.0.12', dst: '192.168.0.11', dport: 30080 };
const byEndpoint = (t: ReturnType<typeof traceFlow>) =>
  Object.fromEntries(t.paths.map((p) => [p.endpoint, p]));
const editIpvs = (s: NodeSnapshot, f: (t: string) => string) => {
  s.sources['ipvsadm']!.stdout = f(s.sources['ipvsadm']!.stdout);
};

test('IPVS incident: same-node backend times out (bridged reply never meets ip_vs_reply4), other node connects', () => {
  const t = traceFlow(clusterOf(ipvsExampleSnapshots()), VIP, { findings: checkFindings });
  assert.equal(t.outcome, 'mixed');
  const same = byEndpoint(t)['10.224.1.56:8080']!;
  const other = byEndpoint(t)['10.224.2.23:8080']!;
  assert.equal(same.outcome, 'timeout');
  assert.equal(same.causeId, 'reply-bypassed-conntrack');
  assert.match(same.cause, /never reaches ip_vs_reply4/);
  assert.equal(same.probability, 0.5);
  assert.equal(same.reply[same.breaksAt!.index]!.stage, 'br_handle_frame');
  // the request was scheduled by IPVS at LOCAL_IN, not DNATed by iptables
  const xmit = same.request.find((h) => h.stage === 'ip_vs_nat_xmit')!;
  assert.equal(xmit.after, 'tcp 10.224.1.34:45954 > 10.224.1.56:8080 [S]');
  assert.ok(!same.request.some((h) => h.stage.endsWith('nf_nat_setup_info')));
  // what the client's tcpdump showed: the SYN-ACK from the pod address, then RST
  assert.match(same.reply.at(-1)!.note!, /no socket for 10\.224\.1\.34:\d+ <- 10\.224\.1\.56:8080/);
  assert.equal(other.outcome, 'connected');
  const back = other.reply.find((h) => h.stage === 'ip_vs_reply4')!;
  assert.equal(back.node, 'node1');
  assert.match(back.after!, /^tcp 10\.233\.53\.172:8080 > 10\.224\.1\.34/);
  assert.ok(t.findings.some((f) => f.id === 'bridge-nf-call-iptables-disabled'));
});

test('IPVS incident fixed: bridge-nf-call-iptables = 1, the bridged reply passes br_nf_forward_ip and IPVS rewrites it', () => {
  const s = ipvsExampleSnapshots();
  setSysctl(s[0]!, 'net.bridge.bridge-nf-call-iptables', '1');
  const t = traceFlow(clusterOf(s), VIP);
  assert.equal(t.outcome, 'connected');
  const same = byEndpoint(t)['10.224.1.56:8080']!;
  const rw = same.reply.find((h) => h.stage === 'ip_vs_reply4')!;
  assert.equal(rw.detail, 'FORWARD');
  assert.match(rw.after!, /^tcp 10\.233\.53\.172:8080 >/);
});

test('IPVS NodePort: MASQUERADE in KUBE-POSTROUTING applies with vs/conntrack = 1; with 0 the packet is untracked and the reply goes astray', () => {
  const on = traceFlow(clusterOf(ipvsExampleSnapshots()), NODEPORT);
  assert.equal(on.outcome, 'connected');
  const remote = byEndpoint(on)['10.224.2.23:8080']!;
  assert.ok(
    remote.request.some((h) => h.rule?.text.includes('MASQUERADE') && /-> 10\.224\.1\.0:/.test(h.note ?? '')),
  );
  assert.ok(
    remote.request.some((h) => h.stage === 'ip_vs_nat_xmit' && /ip_vs_update_conntrack/.test(h.note ?? '')),
  );

  const s = ipvsExampleSnapshots();
  setSysctl(s[0]!, 'net.ipv4.vs.conntrack', '0');
  const off = traceFlow(clusterOf(s), NODEPORT);
  const r = byEndpoint(off)['10.224.2.23:8080']!;
  assert.ok(r.request.some((h) => h.stage === 'ip_vs_nat_xmit' && /ip_vs_notrack/.test(h.note ?? '')));
  assert.ok(
    !r.request.some((h) => h.node === 'node1' && h.rule?.text.includes('MASQUERADE')),
    'no MASQUERADE for untracked IPVS traffic',
  );
  // the backend answers the node2 address directly: the client sees the pod address
  assert.equal(r.outcome, 'timeout');
  assert.equal(r.causeId, 'reply-from-unexpected-source');
});

test('IPVS: a virtual service without real servers (or all weight 0) refuses with ICMP port unreachable', () => {
  const s = ipvsExampleSnapshots();
  editIpvs(s[0]!, (t) => t.replace(/^-a -t 10\.233\.53\.172:8080 .*\n/gm, ''));
  const t = traceFlow(clusterOf(s), VIP);
  assert.equal(t.outcome, 'refused');
  assert.equal(t.paths[0]!.causeId, 'ipvs-no-real-server');
  assert.match(t.paths[0]!.cause, /no real server/);

  const q = ipvsExampleSnapshots();
  editIpvs(q[0]!, (x) => x.replace(/^(-a -t 10\.233\.53\.172:8080 .*)-w 1$/gm, '$1-w 0'));
  const tq = traceFlow(clusterOf(q), VIP);
  assert.equal(tq.outcome, 'refused');
  assert.match(tq.paths[0]!.cause, /weight 0/);
});

test('IPVS: weights decide the probabilities of a wrr service; a weight-0 real server gets no new connection', () => {
  const s = ipvsExampleSnapshots();
  setSysctl(s[0]!, 'net.bridge.bridge-nf-call-iptables', '1');
  editIpvs(s[0]!, (x) =>
    x
      .replace('-A -t 10.233.53.172:8080 -s rr', '-A -t 10.233.53.172:8080 -s wrr')
      .replace('-r 10.224.2.23:8080 -m -w 1', '-r 10.224.2.23:8080 -m -w 3'),
  );
  const t = traceFlow(clusterOf(s), VIP);
  assert.equal(byEndpoint(t)['10.224.2.23:8080']!.probability, 0.75);
  assert.equal(byEndpoint(t)['10.224.1.56:8080']!.probability, 0.25);
  editIpvs(s[0]!, (x) => x.replace('-r 10.224.1.56:8080 -m -w 1', '-r 10.224.1.56:8080 -m -w 0'));
  const t0 = traceFlow(clusterOf(s), VIP);
  assert.deepEqual(
    t0.paths.map((p) => [p.endpoint, p.probability]),
    [['10.224.2.23:8080', 1]],
  );
  assert.ok(
    t0.assumptions.some((a) =>
      /10\.224\.1\.56:8080 has weight 0 .*expire_nodest_conn = 1 .*expired on their next packet/.test(a),
    ),
    t0.assumptions.join('\n'),
  );
});

test('IPVS: a host client is scheduled at LOCAL_OUT (ip_vs_local_request4) and gets the virtual address back at LOCAL_IN', () => {
  const t = traceFlow(clusterOf(ipvsExampleSnapshots()), { ...VIP, src: '192.168.0.11' });
  assert.equal(t.outcome, 'connected');
  const p = byEndpoint(t)['10.224.2.23:8080']!;
  assert.ok(p.request.some((h) => h.stage === 'ip_route_me_harder'));
  assert.equal(p.reply.find((h) => h.stage === 'ip_vs_reply4')!.detail, 'LOCAL_IN');
});

test('IPVS: kube-ipvs0 holds the ClusterIP but ipvsadm was not collected -> unknown, naming the node', () => {
  const s = ipvsExampleSnapshots();
  s[0]!.sources['ipvsadm'] = { command: 'ipvsadm-save -n', exitCode: 127, stdout: '', stderr: 'not found' };
  const t = traceFlow(clusterOf(s), VIP);
  assert.equal(t.outcome, 'unknown');
  assert.equal(t.paths[0]!.causeId, 'missing-ipvs');
  assert.match(t.paths[0]!.cause, /node node1 holds 10\.233\.53\.172 on kube-ipvs0/);
});

test('IPVS: conn_reuse_mode = 1 with vs/conntrack on a kernel before 5.9 is named in the notes (kubernetes#81775)', () => {
  const s = ipvsExampleSnapshots();
  setSysctl(s[0]!, 'net.ipv4.vs.conn_reuse_mode', '1');
  const t = traceFlow(clusterOf(s), VIP);
  assert.ok(
    t.assumptions.some((a) => /conn_reuse_mode = 1.*1 s later \(kubernetes#81775\)/.test(a)),
    t.assumptions.join('\n'),
  );
  const ok = traceFlow(clusterOf(ipvsExampleSnapshots()), VIP);
  assert.ok(!ok.assumptions.some((a) => /81775/.test(a)));
});

test('IPVS hook order documented in kubernetes#56143: PREROUTING -> route -> INPUT -> ipvs(DNAT) -> route -> OUTPUT -> POSTROUTING', () => {
  const s = ipvsExampleSnapshots();
  setSysctl(s[0]!, 'net.bridge.bridge-nf-call-iptables', '1');
  const p = byEndpoint(traceFlow(clusterOf(s), VIP))['10.224.1.56:8080']!;
  const node1 = p.request.filter((h) => h.node === 'node1' && h.ns === 'host').map((h) => h.stage);
  const at = (stage: string, from = 0) => {
    const i = node1.indexOf(stage, from);
    assert.ok(i >= 0, `${stage} after ${from} in ${node1.join(' ')}`);
    return i;
  };
  const route = at('ip_route_input');
  const vs = at('ip_vs_nat_xmit', route);
  at('ip_route_output', vs);
  assert.ok(
    node1.slice(0, route).some((x) => x.endsWith('nf_conntrack_in')),
    'PREROUTING before the route lookup',
  );
});

test('IPVS: a ClusterIP port without a virtual service reaches the node itself (kubernetes#72236)', () => {
  const t = traceFlow(clusterOf(ipvsExampleSnapshots()), { ...VIP, dport: 22 });
  assert.equal(t.outcome, 'unknown');
  assert.equal(t.paths[0]!.causeId, 'host-listener-unknown');
  assert.match(t.paths[0]!.cause, /delivered to node node1 itself \(10\.233\.53\.172:22\)/);
  assert.ok(!t.paths[0]!.request.some((h) => h.stage === 'ip_vs_nat_xmit'));
});
