/**
 * @module checks/forward-accept
 * Which rules of the filter FORWARD path (FORWARD and the chains it jumps to: KUBE-FORWARD,
 * FLANNEL-FWD, DOCKER-USER, cali-FORWARD, ...) accept new pod traffic. Used by the checks
 * of a dropping FORWARD policy (FM-12) and of a catch-all REJECT before the CNI rules (FM-13).
 */
import type { Chain, Rule, Ruleset } from '../model/iptables.js';
import type { Link } from '../model/net.js';
import { coversNet, ifaceMatches, type PodNet } from './topology.js';
import { ctStates, hasMark, reachableChains } from './rules.js';

export type AcceptKind = 'pod' | 'unconditional' | 'mark' | 'established';

export interface Accepting {
  kind: AcceptKind;
  chain: Chain;
  rule: Rule;
}

/** What kind of traffic an ACCEPT rule lets through, from the FORWARD point of view. */
export function acceptKind(chain: Chain, r: Rule, nets: PodNet[], podLinks: Link[]): AcceptKind | undefined {
  if (r.target?.t !== 'ACCEPT') return undefined;
  const states = ctStates(r);
  if (states && !states.includes('NEW')) return states.includes('ESTABLISHED') ? 'established' : undefined;
  let calicoMark = false;
  for (const m of r.matches) {
    if (m.m === 'comment' || m.m === 'nfacct' || m.m === 'conntrack' || m.m === 'state') continue;
    if (m.m === 'mark' && !m.mark.neg && hasMark(r, 0x4000)) return 'mark';
    // Calico accepts what its policy chains allowed by a mark (cali-FORWARD ... --mark 0x10000/0x10000)
    if (m.m === 'mark' && !m.mark.neg && chain.name.startsWith('cali-')) {
      calicoMark = true;
      continue;
    }
    return undefined; // sets, physdev, addresses ranges ...: only part of the traffic
  }
  if (r.proto && !r.proto.neg && r.proto.value !== 'all') return undefined;
  if (calicoMark) return 'pod';
  if (!r.src && !r.dst && !r.inIface && !r.outIface) return 'unconditional';
  const src = r.src && !r.src.neg && nets.some((n) => coversNet(r.src!.value, n));
  const dst = r.dst && !r.dst.neg && nets.some((n) => coversNet(r.dst!.value, n));
  const iface =
    (r.inIface && !r.inIface.neg && ifaceMatches(r.inIface.value, podLinks)) ||
    (r.outIface && !r.outIface.neg && ifaceMatches(r.outIface.value, podLinks));
  return src || dst || iface ? 'pod' : undefined;
}

/**
 * ACCEPT rules in the FORWARD path. `before` limits FORWARD itself to its first `before`
 * rules (the rules a packet meets before a catch-all REJECT at that position).
 */
export function forwardAccepts(rs: Ruleset, nets: PodNet[], podLinks: Link[], before?: number): Accepting[] {
  const fwd = rs.tables.filter?.chains['FORWARD'];
  if (!fwd) return [];
  const head: Chain = before === undefined ? fwd : { ...fwd, rules: fwd.rules.slice(0, before) };
  const out: Accepting[] = [];
  for (const chain of reachableChains(rs, 'filter', head))
    for (const rule of chain.rules) {
      const kind = acceptKind(chain, rule, nets, podLinks);
      if (kind) out.push({ kind, chain, rule });
    }
  return out;
}
