/**
 * @module checks/forward-policy-drop
 * FM-12: the filter FORWARD policy is DROP (Docker >= 1.13 sets it) and no rule reachable from
 * FORWARD accepts new pod traffic, so pod traffic that is routed through the node is dropped.
 */
import type { Check, Evidence } from './types.js';
import type { Chain, Rule, Ruleset } from '../model/iptables.js';
import { podBridges, rulesets } from './util.js';
import { parseCidr, inPrefix } from '../util/ipv4.js';

interface PodNet {
  addr: number;
  len: number;
  text: string;
}

function covers(c: { addr: string; len: number }, nets: PodNet[]): boolean {
  const p = parseCidr(`${c.addr}/${c.len}`);
  return !!p && nets.some((n) => p.len <= n.len && inPrefix(n.addr, p.addr, p.len));
}

/** Does this ACCEPT rule accept new traffic from or to a pod subnet? */
function acceptsPods(r: Rule, nets: PodNet[], bridges: string[]): boolean {
  if (r.target?.t !== 'ACCEPT') return false;
  for (const m of r.matches) {
    if (m.m === 'comment' || m.m === 'nfacct') continue;
    if (m.m === 'conntrack' && m.ctstate && !m.ctstate.neg && m.ctstate.value.includes('NEW')) continue;
    if (m.m === 'physdev') continue;
    return false; // marks, ctstate ESTABLISHED only, sets, ...: not all pod traffic
  }
  if (r.proto && r.proto.value !== 'all') return false;
  const srcOk = r.src && !r.src.neg && covers(r.src.value, nets);
  const dstOk = r.dst && !r.dst.neg && covers(r.dst.value, nets);
  const ifOk = (r.inIface && !r.inIface.neg && bridges.includes(r.inIface.value)) || (r.outIface && !r.outIface.neg && bridges.includes(r.outIface.value));
  if (!r.src && !r.dst && !r.inIface && !r.outIface) return true;
  return Boolean(srcOk || dstOk || ifOk);
}

function reachable(rs: Ruleset, start: Chain): Chain[] {
  const seen = new Set<string>([start.name]);
  const out = [start];
  for (let i = 0; i < out.length; i++) {
    for (const r of out[i]!.rules) {
      const t = r.target;
      if ((t?.t === 'jump' || t?.t === 'goto') && !seen.has(t.chain)) {
        const c = rs.tables.filter?.chains[t.chain];
        if (c) {
          seen.add(t.chain);
          out.push(c);
        }
      }
    }
  }
  return out;
}

export const forwardPolicyDrop: Check = {
  id: 'forward-policy-drop',
  severity: 'critical',
  title: 'filter FORWARD policy is DROP and no rule accepts pod traffic',
  fm: ['FM-12'],
  run(node) {
    const bridges = podBridges(node);
    const nets: PodNet[] = [];
    for (const b of bridges)
      for (const a of node.host.addrs)
        if (a.ifname === b.bridge.name && a.family === 'inet') {
          const c = parseCidr(`${a.local}/${a.prefixlen}`);
          if (c) nets.push({ ...c, text: `${a.local}/${a.prefixlen}` });
        }
    const out = [];
    for (const { rs, source } of rulesets(node)) {
      const fwd = rs.tables.filter?.chains['FORWARD'];
      if (!fwd || fwd.policy !== 'DROP') continue;
      const chains = reachable(rs, fwd);
      const accepting = chains.flatMap((c) => c.rules.filter((r) => acceptsPods(r, nets, bridges.map((b) => b.bridge.name))));
      if (accepting.length > 0) continue;
      const ev: Evidence[] = [{ source, line: fwd.line, text: `:FORWARD DROP (filter table)` }];
      const partial = chains.flatMap((c) => c.rules.filter((r) => r.target?.t === 'ACCEPT').map((r) => ({ c, r })));
      for (const { c, r } of partial.slice(0, 4)) ev.push({ source, line: r.line, text: `-A ${c.name} ${r.text}  (accepts only part of the traffic)` });
      ev.push({ source, text: `no ACCEPT reachable from FORWARD covers the pod subnets ${nets.map((n) => n.text).join(', ') || '(unknown)'}` });
      out.push({
        id: this.id,
        severity: this.severity,
        node: node.name,
        title: this.title,
        symptom: 'Pod traffic routed by this node (to other nodes, and between pods when br_netfilter is on) is silently dropped: connections time out.',
        evidence: ev,
        fix: [
          { kind: 'runtime' as const, description: 'accept pod traffic in FORWARD (or set the policy to ACCEPT)', commands: nets.length ? nets.flatMap((n) => [`sudo iptables -I FORWARD -s ${n.text} -j ACCEPT`, `sudo iptables -I FORWARD -d ${n.text} -j ACCEPT`]) : ['sudo iptables -P FORWARD ACCEPT'] },
          { kind: 'persistent' as const, description: 'let the CNI own it: flannel writes FLANNEL-FWD, Calico cali-FORWARD; for Docker hosts add the rules to DOCKER-USER', commands: ['sudo iptables -I DOCKER-USER -j ACCEPT   # Docker hosts: run from a systemd unit after docker starts'] },
        ],
        references: ['kubernetes/kubernetes#40182', 'moby/moby#28257', 'flannel-io/flannel#1220'],
      });
    }
    return out;
  },
};
