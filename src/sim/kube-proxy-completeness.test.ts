/**
 * Everything kube-proxy (iptables mode) writes, evaluated the way a node's netfilter runs it:
 * nat PREROUTING (or OUTPUT) -> DNAT -> routing (local: INPUT, else FORWARD) -> filter ->
 * nat POSTROUTING, every load-balancing branch enumerated. Rule sets are generated
 * (parse/iptables-save/kube-proxy-services-fixture), never hand-typed; flannel, portmap
 * and Calico rules are written in their projects' shapes (design/kube-proxy-rules.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Ruleset } from '../model/iptables.js';
import type { Packet } from './types.js';
import { evalTable, type EvalVerdict, type Hook, type MatchEnv } from './iptables-eval.js';
import { explore } from './explore.js';
import { parseIptablesSave } from '../parse/iptables-save/index.js';
import {
  kubeProxyServicesRuleset,
  savedProbability,
  type FixtureService,
  type ServicesFixtureOptions,
} from '../parse/iptables-save/kube-proxy-services-fixture.js';

const NODE_IP = '192.168.0.11';
const CIDR = '10.244.0.0/16';
const A = { ip: '10.244.1.5', port: 8080, local: true };
const B = { ip: '10.244.2.6', port: 8080, local: false };
const C = { ip: '10.244.2.7', port: 8080, local: false };

interface Sent {
  /** post-DNAT destination, or undefined */
  endpoint?: string;
  probability: number;
  /** where the packet ended: ACCEPT (delivered/forwarded), DROP, REJECT, UNKNOWN */
  verdict: string;
  /** nat POSTROUTING masqueraded it (--random-fully?) */
  masq?: { randomFully: boolean };
  mark: number;
  notes: string[];
  why?: string;
}

/** One node's netfilter over `rs`, for a packet coming in on `inDev` (or sent locally: 'local'). */
function send(
  rs: Ruleset,
  pkt: Partial<Packet> & { src: string; dst: string; dport: number },
  opts: { inDev?: string; ctState?: MatchEnv['ctState']; recent?: (n: string) => boolean | undefined } = {},
): Sent[] {
  const local = opts.inDev === 'local';
  const isLocal = (ip: string) => ip === NODE_IP || ip.startsWith('127.');
  const leaves = explore((choose) => {
    const p: Packet = { proto: 'tcp', sport: 40000, flags: 'S', mark: 0, ttl: 64, ...pkt };
    const notes: string[] = [];
    const env = (hook: Hook, dnat = false): MatchEnv => ({
      hook,
      inDev: local ? undefined : (opts.inDev ?? 'eth0'),
      bridged: false,
      ctState: opts.ctState ?? 'NEW',
      ctDnat: dnat,
      ctSnat: false,
      ctDir: 'ORIGINAL',
      ctMark: 0,
      addrType: (ip) => (isLocal(ip) ? 'LOCAL' : 'UNICAST'),
      choose,
      notes,
      recent: opts.recent,
    });
    const stop = (v: EvalVerdict): string | undefined =>
      v.v === 'DROP' || v.v === 'REJECT' || v.v === 'UNKNOWN' ? v.v : undefined;
    const out = (verdict: string, endpoint?: string, why?: string, masq?: Sent['masq']) => ({
      endpoint,
      verdict,
      masq,
      mark: p.mark,
      notes,
      why,
    });
    const pre = evalTable(rs, 'nat', local ? 'OUTPUT' : 'PREROUTING', p, env('PREROUTING'))!;
    if (stop(pre.verdict)) return out(stop(pre.verdict)!, undefined, whyOf(pre.verdict));
    let endpoint: string | undefined;
    if (pre.verdict.v === 'DNAT') {
      const to = pre.verdict.target.t === 'DNAT' ? pre.verdict.target.to : {};
      p.dst = to.addrFrom ?? p.dst;
      p.dport = to.portFrom ?? p.dport;
      endpoint = `${p.dst}:${p.dport}`;
    }
    const hook: Hook = local ? 'OUTPUT' : isLocal(p.dst) ? 'INPUT' : 'FORWARD';
    const f = evalTable(rs, 'filter', hook, p, env(hook, endpoint !== undefined))!;
    if (stop(f.verdict)) return out(stop(f.verdict)!, endpoint, whyOf(f.verdict));
    if (hook === 'INPUT') return out('ACCEPT', endpoint);
    const post = evalTable(rs, 'nat', 'POSTROUTING', p, env('POSTROUTING', endpoint !== undefined))!;
    const masq =
      post.verdict.v === 'MASQUERADE' && post.verdict.target.t === 'MASQUERADE'
        ? { randomFully: post.verdict.target.randomFully }
        : undefined;
    return out('ACCEPT', endpoint, undefined, masq);
  });
  return leaves.map((l) => ({ ...l.result, probability: Math.round(l.probability * 1e6) / 1e6 }));
}

function whyOf(v: EvalVerdict): string {
  return `${v.chain}${'rule' in v && v.rule ? `: ${v.rule.text}` : ''}`;
}

function rules(services: FixtureService[], opts: Partial<ServicesFixtureOptions> = {}): Ruleset {
  const text = kubeProxyServicesRuleset(services, { clusterCidr: CIDR, ...opts });
  const r = parseIptablesSave(text);
  assert.deepEqual(r.diagnostics, [], text);
  return r.value;
}

const endpoints = (s: Sent[]) => Object.fromEntries(s.map((x) => [x.endpoint ?? '-', x.probability]));

const svc = (over: Partial<FixtureService>): FixtureService => ({
  name: 'ns/web:http',
  proto: 'tcp',
  clusterIP: '10.96.0.10',
  port: 80,
  endpoints: [A, B, C],
  ...over,
});

test('ClusterIP: three endpoints 1/3 each; a client outside the cluster CIDR is marked and masqueraded --random-fully, a pod is not', () => {
  const rs = rules([svc({})]);
  const fromPod = send(rs, { src: '10.244.1.9', dst: '10.96.0.10', dport: 80 }, { inDev: 'cni0' });
  assert.deepEqual(endpoints(fromPod), {
    '10.244.1.5:8080': 0.333333,
    '10.244.2.6:8080': 0.333333,
    '10.244.2.7:8080': 0.333333,
  });
  for (const s of fromPod) assert.equal(s.masq, undefined);
  const fromHost = send(rs, { src: NODE_IP, dst: '10.96.0.10', dport: 80 }, { inDev: 'local' });
  assert.equal(fromHost.length, 3);
  for (const s of fromHost) {
    assert.deepEqual(s.masq, { randomFully: true });
    assert.equal(s.mark, 0, 'KUBE-POSTROUTING --set-xmark 0x4000/0x0 (xor) clears the masquerade bit');
  }
  assert.equal(savedProbability(3), '0.33333333349');
  assert.deepEqual(
    endpoints(send(rs, { src: '10.244.1.9', dst: '10.96.0.10', dport: 81 }, { inDev: 'cni0' })),
    { '-': 1 },
  );
});

test('NodePort: only to a LOCAL address (addrtype), via KUBE-EXT (masqueraded), to every endpoint', () => {
  const rs = rules([svc({ nodePort: 30080 })]);
  const r = send(rs, { src: '203.0.113.9', dst: NODE_IP, dport: 30080 });
  assert.equal(r.length, 3);
  for (const s of r) assert.equal(s.verdict, 'ACCEPT');
  for (const s of r.filter((x) => !x.endpoint!.startsWith(NODE_IP)))
    assert.deepEqual(s.masq, { randomFully: true });
  assert.deepEqual(
    endpoints(send(rs, { src: '203.0.113.9', dst: '192.168.0.99', dport: 30080 })),
    { '-': 1 },
    'not a local address: no NodePort',
  );
});

test('LoadBalancer IP with source ranges: allowed ranges reach endpoints, others fall to KUBE-PROXY-FIREWALL DROP', () => {
  const rs = rules([svc({ loadBalancerIP: '5.6.7.8', sourceRanges: ['203.0.113.0/25'] })]);
  const ok = send(rs, { src: '203.0.113.9', dst: '5.6.7.8', dport: 80 });
  assert.equal(ok.length, 3);
  for (const s of ok) assert.deepEqual([s.verdict, s.masq], ['ACCEPT', { randomFully: true }]);
  const denied = send(rs, { src: '198.51.100.1', dst: '5.6.7.8', dport: 80 });
  assert.deepEqual(
    denied.map((s) => [s.verdict, s.endpoint]),
    [['DROP', undefined]],
  );
  assert.match(denied[0]!.why!, /^KUBE-PROXY-FIREWALL: .*traffic not accepted by KUBE-FW-/);
  // without source ranges the LB IP jumps straight to KUBE-EXT
  const open = rules([svc({ loadBalancerIP: '5.6.7.8' })]);
  assert.equal(send(open, { src: '198.51.100.1', dst: '5.6.7.8', dport: 80 }).length, 3);
});

test('externalIPs: KUBE-EXT, masqueraded, every endpoint', () => {
  const rs = rules([svc({ externalIPs: ['192.168.99.33'] })]);
  const r = send(rs, { src: '198.51.100.1', dst: '192.168.99.33', dport: 80 });
  assert.deepEqual(Object.keys(endpoints(r)).sort(), [
    '10.244.1.5:8080',
    '10.244.2.6:8080',
    '10.244.2.7:8080',
  ]);
  for (const s of r) assert.ok(s.masq);
});

test('externalTrafficPolicy Local: outside clients only reach local endpoints unmasqueraded; pods and the node itself reach all', () => {
  const rs = rules([svc({ nodePort: 30080, externalTrafficPolicy: 'Local' })]);
  const ext = send(rs, { src: '203.0.113.9', dst: NODE_IP, dport: 30080 });
  assert.deepEqual(endpoints(ext), { '10.244.1.5:8080': 1 });
  assert.equal(ext[0]!.masq, undefined, 'client source IP preserved');
  const pod = send(rs, { src: '10.244.1.9', dst: NODE_IP, dport: 30080 }, { inDev: 'cni0' });
  assert.equal(pod.length, 3, 'pod traffic short-circuits to KUBE-SVC');
  const self = send(rs, { src: NODE_IP, dst: NODE_IP, dport: 30080 }, { inDev: 'local' });
  assert.equal(self.length, 3, 'LOCAL traffic is routed to KUBE-SVC');
  assert.ok(self.every((s) => s.endpoint));
});

test('externalTrafficPolicy Local without local endpoints: the NodePort is dropped in KUBE-EXTERNAL-SERVICES', () => {
  const rs = rules([svc({ nodePort: 30080, externalTrafficPolicy: 'Local', endpoints: [B, C] })]);
  const r = send(rs, { src: '203.0.113.9', dst: NODE_IP, dport: 30080 });
  assert.deepEqual(
    r.map((s) => s.verdict),
    ['DROP'],
  );
  assert.match(r[0]!.why!, /^KUBE-EXTERNAL-SERVICES: .*has no local endpoints/);
});

test('old kube-proxy (KUBE-XLB, KUBE-MARK-DROP): no local endpoints marks 0x8000 and KUBE-FIREWALL drops it', () => {
  const rs = rules([svc({ nodePort: 30080, externalTrafficPolicy: 'Local', endpoints: [B, C] })], {
    legacy: true,
  });
  const r = send(rs, { src: '203.0.113.9', dst: NODE_IP, dport: 30080 });
  assert.deepEqual(
    r.map((s) => [s.verdict, s.mark & 0x8000]),
    [['DROP', 0x8000]],
  );
  assert.match(r[0]!.why!, /^KUBE-FIREWALL: .*--mark 0x8000\/0x8000 -j DROP/);
  const withLocal = rules([svc({ nodePort: 30080, externalTrafficPolicy: 'Local' })], { legacy: true });
  assert.deepEqual(endpoints(send(withLocal, { src: '203.0.113.9', dst: NODE_IP, dport: 30080 })), {
    '10.244.1.5:8080': 1,
  });
});

test('internalTrafficPolicy Local: the ClusterIP goes to KUBE-SVL (local endpoints only); none local: REJECT', () => {
  const rs = rules([svc({ internalTrafficPolicy: 'Local' })]);
  assert.deepEqual(
    endpoints(send(rs, { src: '10.244.1.9', dst: '10.96.0.10', dport: 80 }, { inDev: 'cni0' })),
    {
      '10.244.1.5:8080': 1,
    },
  );
  const none = rules([svc({ internalTrafficPolicy: 'Local', endpoints: [B] })]);
  const r = send(none, { src: '10.244.1.9', dst: '10.96.0.10', dport: 80 }, { inDev: 'cni0' });
  assert.deepEqual(
    r.map((s) => s.verdict),
    ['REJECT'],
  );
});

test('no endpoints: ClusterIP REJECT in filter KUBE-SERVICES, NodePort REJECT in KUBE-EXTERNAL-SERVICES', () => {
  const rs = rules([svc({ endpoints: [], nodePort: 30080 })]);
  const c = send(rs, { src: '10.244.1.9', dst: '10.96.0.10', dport: 80 }, { inDev: 'cni0' });
  assert.deepEqual(
    c.map((s) => s.verdict),
    ['REJECT'],
  );
  assert.match(c[0]!.why!, /^KUBE-SERVICES: .*has no endpoints/);
  const n = send(rs, { src: '203.0.113.9', dst: NODE_IP, dport: 30080 });
  assert.deepEqual(
    n.map((s) => s.verdict),
    ['REJECT'],
  );
  assert.match(n[0]!.why!, /^KUBE-EXTERNAL-SERVICES: /);
});

test('ctstate INVALID is dropped in KUBE-FORWARD', () => {
  const rs = rules([svc({})]);
  const r = send(
    rs,
    { src: '10.244.1.9', dst: '10.244.2.6', dport: 8080 },
    { inDev: 'cni0', ctState: 'INVALID' },
  );
  assert.deepEqual(
    r.map((s) => s.verdict),
    ['DROP'],
  );
  assert.match(r[0]!.why!, /^KUBE-FORWARD: -m conntrack --ctstate INVALID -j DROP/);
});

test('session affinity: a new client is balanced (and told so); a returning client is pinned to its endpoint', () => {
  const rs = rules([svc({ affinitySeconds: 10800 })]);
  const fresh = send(rs, { src: '10.244.1.9', dst: '10.96.0.10', dport: 80 }, { inDev: 'cni0' });
  assert.equal(fresh.length, 3);
  assert.ok(fresh[0]!.notes.some((n) => /assumed a new client/.test(n)));
  const sepOf = (ep: string) =>
    Object.values(rs.tables.nat!.chains).find((c) =>
      c.rules.some((r) => r.target?.t === 'DNAT' && `${r.target.to.addrFrom}:${r.target.to.portFrom}` === ep),
    )!.name;
  const pinnedTo = sepOf('10.244.2.7:8080');
  const back = send(
    rs,
    { src: '10.244.1.9', dst: '10.96.0.10', dport: 80 },
    { inDev: 'cni0', recent: (n) => n === pinnedTo },
  );
  assert.deepEqual(endpoints(back), { '10.244.2.7:8080': 1 });
  assert.ok(back[0]!.notes.some((n) => n.includes(`--name ${pinnedTo}: a returning client`)));
});

test('flannel FLANNEL-POSTRTG / FLANNEL-FWD: pod to pod untouched, pod to the world masqueraded, forwarding accepted', () => {
  const flannel = {
    nat: {
      chains: ['FLANNEL-POSTRTG'],
      rules: [
        '-A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG',
        '-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 -m comment --comment "flanneld masq" -j RETURN',
        `-A FLANNEL-POSTRTG -s 10.244.1.0/24 -d ${CIDR} -m comment --comment "flanneld masq" -j RETURN`,
        `-A FLANNEL-POSTRTG -s ${CIDR} -d 10.244.1.0/24 -m comment --comment "flanneld masq" -j RETURN`,
        `-A FLANNEL-POSTRTG ! -s ${CIDR} -d 10.244.1.0/24 -m comment --comment "flanneld masq" -j RETURN`,
        `-A FLANNEL-POSTRTG -s ${CIDR} ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully`,
        `-A FLANNEL-POSTRTG ! -s ${CIDR} -d ${CIDR} -m comment --comment "flanneld masq" -j MASQUERADE --random-fully`,
      ],
    },
    filter: {
      chains: ['FLANNEL-FWD'],
      rules: [
        '-P FORWARD DROP',
        '-A FORWARD -m comment --comment "flanneld forward" -j FLANNEL-FWD',
        `-A FLANNEL-FWD -s ${CIDR} -m comment --comment "flanneld forward" -j ACCEPT`,
        `-A FLANNEL-FWD -d ${CIDR} -m comment --comment "flanneld forward" -j ACCEPT`,
      ].filter((l) => !l.startsWith('-P')),
    },
  };
  const text = kubeProxyServicesRuleset([svc({})], { clusterCidr: CIDR, extra: flannel }).replace(
    ':FORWARD ACCEPT [0:0]',
    ':FORWARD DROP [0:0]',
  );
  const rs = parseIptablesSave(text).value;
  const p2p = send(rs, { src: '10.244.1.9', dst: '10.244.2.6', dport: 8080 }, { inDev: 'cni0' });
  assert.deepEqual(
    p2p.map((s) => [s.verdict, s.masq]),
    [['ACCEPT', undefined]],
  );
  const out = send(rs, { src: '10.244.1.9', dst: '8.8.8.8', dport: 53 }, { inDev: 'cni0' });
  assert.deepEqual(
    out.map((s) => [s.verdict, s.masq]),
    [['ACCEPT', { randomFully: true }]],
  );
  const stranger = send(rs, { src: '198.51.100.1', dst: '8.8.8.8', dport: 53 });
  assert.deepEqual(
    stranger.map((s) => s.verdict),
    ['DROP'],
    'FORWARD policy DROP, FLANNEL-FWD does not accept it',
  );
});

test('CNI portmap: hostPort DNAT on LOCAL addresses (multiport), hairpin SETMARK 0x2000, CNI-HOSTPORT-MASQ', () => {
  const dn = 'CNI-DN-0123456789abcdef01234';
  const portmap = {
    nat: {
      chains: ['CNI-HOSTPORT-DNAT', 'CNI-HOSTPORT-SETMARK', 'CNI-HOSTPORT-MASQ', dn],
      rules: [
        '-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT',
        '-A OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT',
        '-A POSTROUTING -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ',
        `-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"cbr0\\" id: \\"abc\\"" -m multiport --dports 8443,9000 -j ${dn}`,
        '-A CNI-HOSTPORT-SETMARK -m comment --comment "CNI portfwd masquerade mark" -j MARK --set-xmark 0x2000/0x2000',
        '-A CNI-HOSTPORT-MASQ -m mark --mark 0x2000/0x2000 -j MASQUERADE',
        `-A ${dn} -s 10.244.1.0/24 -p tcp -m tcp --dport 8443 -j CNI-HOSTPORT-SETMARK`,
        `-A ${dn} -s 127.0.0.1/32 -p tcp -m tcp --dport 8443 -j CNI-HOSTPORT-SETMARK`,
        `-A ${dn} -p tcp -m tcp --dport 8443 -j DNAT --to-destination 10.244.1.5:443`,
      ],
    },
  };
  const rs = rules([svc({})], { extra: portmap });
  const ext = send(rs, { src: '203.0.113.9', dst: NODE_IP, dport: 8443 });
  assert.deepEqual(
    ext.map((s) => [s.endpoint, s.masq]),
    [['10.244.1.5:443', undefined]],
  );
  const hairpin = send(rs, { src: '10.244.1.5', dst: NODE_IP, dport: 8443 }, { inDev: 'cni0' });
  assert.deepEqual(
    hairpin.map((s) => [s.endpoint, s.masq, s.mark & 0x2000]),
    [['10.244.1.5:443', { randomFully: false }, 0x2000]],
  );
  assert.deepEqual(endpoints(send(rs, { src: '203.0.113.9', dst: NODE_IP, dport: 9001 })), { '-': 1 });
});

test('Calico cali- chains: rules with known matches run, an ipset match answers unknown naming the set', () => {
  const calico = {
    filter: {
      chains: ['cali-FORWARD', 'cali-from-wl-dispatch'],
      rules: [
        '-A FORWARD -m comment --comment "cali:wUHhoiAYhphO9Mso" -j cali-FORWARD',
        '-A cali-FORWARD -m comment --comment "cali:vjrMJCRpqwy5oRoX" -j MARK --set-xmark 0x0/0xe0000',
        '-A cali-FORWARD -i cali+ -m comment --comment "cali:A_sPAO0mcxbT9mOV" -j cali-from-wl-dispatch',
        '-A cali-FORWARD -m comment --comment "cali:8ZoYfO5HKXWbB3pk" -m mark --mark 0x10000/0x10000 -j ACCEPT',
        '-A cali-from-wl-dispatch -m comment --comment "cali:zTj6P0TIgYvgz-md" -m set --match-set cali40all-hosts-net src -j DROP',
      ],
    },
  };
  const rs = rules([svc({})], { extra: calico });
  assert.deepEqual(
    send(rs, { src: '10.244.1.9', dst: '10.244.2.6', dport: 8080 }, { inDev: 'eth0' }).map((s) => s.verdict),
    ['ACCEPT'],
  );
  const wl = send(rs, { src: '10.244.1.9', dst: '10.244.2.6', dport: 8080 }, { inDev: 'cali12345' });
  assert.deepEqual(
    wl.map((s) => s.verdict),
    ['UNKNOWN'],
  );
  assert.match(wl[0]!.why!, /^cali-from-wl-dispatch: .*cali40all-hosts-net/);
});

test('the generated rule sets are accepted by iptables-legacy-restore --test (scratch namespace)', (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root: kernel check skipped');
  const all = kubeProxyServicesRuleset(
    [
      svc({
        nodePort: 30080,
        loadBalancerIP: '5.6.7.8',
        sourceRanges: ['203.0.113.0/25'],
        externalIPs: ['192.168.99.33'],
      }),
      svc({
        name: 'ns/local:http',
        clusterIP: '10.96.0.11',
        nodePort: 30081,
        externalTrafficPolicy: 'Local',
        internalTrafficPolicy: 'Local',
        affinitySeconds: 10800,
      }),
      svc({ name: 'ns/empty:http', clusterIP: '10.96.0.12', nodePort: 30082, endpoints: [] }),
    ],
    { clusterCidr: CIDR },
  );
  const legacy = kubeProxyServicesRuleset(
    [svc({ nodePort: 30080, externalTrafficPolicy: 'Local', endpoints: [B] })],
    { clusterCidr: CIDR, legacy: true },
  );
  const ns = `ppC${randomBytes(4).toString('hex')}`;
  assert.equal(spawnSync('ip', ['netns', 'add', ns]).status, 0);
  try {
    for (const text of [all, legacy]) {
      const r = spawnSync('ip', ['netns', 'exec', ns, 'iptables-legacy-restore', '--test'], {
        input: text,
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
    }
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }
});
