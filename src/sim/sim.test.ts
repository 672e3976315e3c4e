import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exampleSnapshots, setSysctl, editRules, clusterOf } from './testing.js';
import { traceFlow } from '../diagnose/trace.js';
import { checkFindings } from '../diagnose/findings.js';

const VIP = { proto: 'tcp' as const, src: '10.224.1.34', dst: '10.233.53.172', dport: 8080 };
const byEndpoint = (t: ReturnType<typeof traceFlow>) =>
  Object.fromEntries(t.paths.map((p) => [p.endpoint, p]));

test('incident: same-node endpoint times out because the reply bypasses conntrack, cross-node connects', () => {
  const t = traceFlow(clusterOf(exampleSnapshots()), VIP, { findings: checkFindings });
  assert.equal(t.outcome, 'mixed');
  const p = byEndpoint(t);
  assert.equal(p['10.224.1.56:8080']!.outcome, 'timeout');
  assert.equal(p['10.224.1.56:8080']!.causeId, 'reply-bypassed-conntrack');
  assert.equal(p['10.224.1.56:8080']!.probability, 0.5);
  assert.equal(p['10.224.2.23:8080']!.outcome, 'connected');
  const at = p['10.224.1.56:8080']!.breaksAt!;
  assert.equal(at.leg, 'reply');
  assert.equal(p['10.224.1.56:8080']!.reply[at.index]!.stage, 'br_handle_frame');
  assert.deepEqual(t.findings.map((f) => f.id).sort(), [
    'bridge-nf-call-iptables-disabled',
    'conntrack-unreplied-same-bridge',
  ]);
  assert.match(t.findings[0]!.evidence[0]!.text, /net\.bridge\.bridge-nf-call-iptables = 0/);
});

test('healthy: with bridge-nf-call-iptables = 1 both endpoints connect, the reply is un-DNATed in br_nf_post_routing', () => {
  const s = exampleSnapshots();
  setSysctl(s[0]!, 'net.bridge.bridge-nf-call-iptables', '1');
  const t = traceFlow(clusterOf(s), VIP);
  assert.equal(t.outcome, 'connected');
  const same = byEndpoint(t)['10.224.1.56:8080']!;
  assert.ok(
    same.reply.some(
      (h) =>
        h.stage === 'br_nf_post_routing/nf_nat_ipv4_out' && h.after?.startsWith('tcp 10.233.53.172:8080'),
    ),
  );
  assert.ok(
    same.request.some((h) => h.stage === 'br_nf_pre_routing_finish' && /bridged_dnat/.test(h.note ?? '')),
  );
});

test('ip_forward off on the client node: every path times out at ip_route_input', () => {
  const s = exampleSnapshots();
  setSysctl(s[0]!, 'net.ipv4.ip_forward', '0');
  s[0]!.sources['sysctl']!.stdout = s[0]!.sources['sysctl']!.stdout.replace(
    /^net\.ipv4\.conf\.\S+\.forwarding = 1$/gm,
    (l) => l.replace('= 1', '= 0'),
  );
  const t = traceFlow(clusterOf(s), VIP);
  assert.equal(t.outcome, 'timeout');
  for (const p of t.paths) assert.equal(p.causeId, 'ip-forward-disabled');
});

test('FORWARD policy DROP without accepting rules drops the request', () => {
  const s = exampleSnapshots();
  for (const n of s)
    editRules(n, (x) =>
      x.replace(':FORWARD ACCEPT [0:0]', ':FORWARD DROP [0:0]').replace(/^-A FLANNEL-FWD .*\n/gm, ''),
    );
  setSysctl(s[0]!, 'net.bridge.bridge-nf-call-iptables', '1');
  const t = traceFlow(clusterOf(s), VIP);
  assert.equal(t.outcome, 'timeout');
  for (const p of t.paths) assert.equal(p.causeId, 'forward-policy-drop');
});

test('pod to itself through its Service: hairpin on connects (masqueraded), hairpin off times out in br_forward', () => {
  const self = { ...VIP, src: '10.224.1.56' };
  const on = exampleSnapshots();
  setSysctl(on[0]!, 'net.bridge.bridge-nf-call-iptables', '1');
  const t1 = traceFlow(clusterOf(on), self);
  const selfPath = byEndpoint(t1)['10.224.1.56:8080']!;
  assert.equal(selfPath.outcome, 'connected');
  assert.ok(
    selfPath.request.some((h) => h.rule?.text.includes('MASQUERADE')),
    'KUBE-POSTROUTING masquerades the hairpin flow',
  );
  const off = exampleSnapshots();
  setSysctl(off[0]!, 'net.bridge.bridge-nf-call-iptables', '1');
  for (const src of ['ip-link', 'bridge-link'])
    off[0]!.sources[src]!.stdout = off[0]!.sources[src]!.stdout.replace(/"hairpin":true/g, '"hairpin":false');
  const t2 = traceFlow(clusterOf(off), self, { findings: checkFindings });
  assert.equal(t2.outcome, 'mixed');
  assert.equal(byEndpoint(t2)['10.224.1.56:8080']!.causeId, 'hairpin-off');
  assert.equal(byEndpoint(t2)['10.224.2.23:8080']!.outcome, 'connected');
  assert.ok(t2.findings.some((f) => f.id === 'hairpin-mode-off'));
});

test('Service without endpoints: the filter KUBE-SERVICES REJECT gives connection refused', () => {
  const s = exampleSnapshots();
  editRules(s[0]!, (x) =>
    x.replace(
      '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall"',
      '-A KUBE-SERVICES -d 10.233.0.99/32 -p tcp -m comment --comment "spring-prod/empty:http has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable\n-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall"',
    ),
  );
  const t = traceFlow(clusterOf(s), { ...VIP, dst: '10.233.0.99', dport: 80 });
  assert.equal(t.outcome, 'refused');
  assert.equal(t.paths[0]!.causeId, 'rejected');
});

test('pod to pod on the same node is bridged and connects even with bridge-nf-call-iptables = 0', () => {
  const t = traceFlow(clusterOf(exampleSnapshots()), { ...VIP, dst: '10.224.1.56' });
  assert.equal(t.outcome, 'connected');
  assert.ok(t.paths[0]!.request.some((h) => h.stage === 'br_forward'));
});

test('a node whose snapshot is missing ends the walk with unknown, naming the next hop', () => {
  const s = exampleSnapshots();
  const t = traceFlow(clusterOf([s[0]!]), VIP);
  const cross = byEndpoint(t)['10.224.2.23:8080'];
  assert.equal(cross?.outcome, 'unknown');
  assert.match(cross!.cause, /192\.168\.0\.12/);
});

test('missing iptables-save: the trace says unknown instead of guessing', () => {
  const s = exampleSnapshots();
  delete s[0]!.sources['iptables-legacy-save'];
  delete s[0]!.sources['iptables-nft-save'];
  const t = traceFlow(clusterOf(s), VIP);
  assert.equal(t.outcome, 'unknown');
  assert.equal(t.paths[0]!.causeId, 'missing-iptables');
});

test('unsupported match yields unknown at that rule', () => {
  const s = exampleSnapshots();
  setSysctl(s[0]!, 'net.bridge.bridge-nf-call-iptables', '1');
  editRules(s[0]!, (x) =>
    x.replace(
      '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
      '-A KUBE-FORWARD -m set --match-set BLOCKED src -j DROP\n-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
    ),
  );
  const t = traceFlow(clusterOf(s), VIP);
  assert.equal(t.outcome, 'unknown');
  assert.ok(t.paths.every((p) => p.causeId === 'unsupported-rule'));
});

test('three endpoints get probabilities 1/3 each from the statistic chain', () => {
  const s = exampleSnapshots();
  editRules(s[0]!, (x) =>
    x
      .replace(
        /(-A KUBE-SVC-\S+ -m comment --comment "\S+ -> 10\.224\.1\.56:8080") -m statistic --mode random --probability 0\.50000000000 (-j \S+)/,
        '$1 -m statistic --mode random --probability 0.33333333349 $2\n-A KUBE-SVC-SFYPIQDA5NATOP5V -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-EXTRA',
      )
      .replace(':KUBE-SERVICES - [0:0]', ':KUBE-SERVICES - [0:0]\n:KUBE-SEP-EXTRA - [0:0]')
      .replace(
        'COMMIT\n*filter',
        '-A KUBE-SEP-EXTRA -p tcp -m tcp -j DNAT --to-destination 10.224.1.77:8080\nCOMMIT\n*filter',
      ),
  );
  const t = traceFlow(clusterOf(s), VIP);
  const probs = t.paths.map((p) => p.probability).sort();
  assert.equal(t.paths.length, 3);
  for (const p of probs) assert.ok(Math.abs(p - 1 / 3) < 1e-6, String(p));
});
