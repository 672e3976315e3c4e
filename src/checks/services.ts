/**
 * @module checks/services
 * The Services a node's kube-proxy programmed, read back from its rules: iptables mode
 * (nat KUBE-SERVICES `-d VIP -p P --dport N -j KUBE-SVC-*` -> KUBE-SEP-* DNAT targets; filter
 * `... has no endpoints` REJECT), IPVS mode (virtual services and real servers) and nftables
 * mode (checks/nft-services).
 */
import type { NodeModel } from '../model/node.js';
import type { Rule } from '../model/iptables.js';
import { chainOf, commentOf, rulesets, type SourcedRuleset } from './rules.js';
import { parseIpvs } from './ipvs-raw.js';
import { sourceOf } from './util.js';
import { nftKubeServices } from './nft-services.js';

export interface ServicePort {
  /** `ns/svc:port` from the kube-proxy comment, when there is one */
  name?: string;
  proto: string;
  vip: string;
  port: number;
  /** `ip:port` of the endpoints (DNAT targets / real servers) */
  endpoints: string[];
  source: string;
  line: number;
  /** a filter REJECT rule says the service has no endpoints */
  noEndpoints?: boolean;
}

function dport(r: Rule): number | undefined {
  for (const m of r.matches)
    if (
      (m.m === 'tcp' || m.m === 'udp' || m.m === 'sctp') &&
      m.dport &&
      !m.dport.neg &&
      m.dport.value.from === m.dport.value.to
    )
      return m.dport.value.from;
  return undefined;
}

function dnatTargets(src: SourcedRuleset, chain: string, depth = 0): string[] {
  const c = chainOf(src.rs, 'nat', chain);
  if (!c || depth > 3) return [];
  const out: string[] = [];
  for (const r of c.rules) {
    const t = r.target;
    if (t?.t === 'DNAT' && t.to.addrFrom)
      out.push(`${t.to.addrFrom}${t.to.portFrom !== undefined ? `:${t.to.portFrom}` : ''}`);
    else if ((t?.t === 'jump' || t?.t === 'goto') && /^KUBE-(SEP|SVL|SVC)-/.test(t.chain))
      out.push(...dnatTargets(src, t.chain, depth + 1));
  }
  return [...new Set(out)];
}

export function kubeServices(node: NodeModel): ServicePort[] {
  const out: ServicePort[] = [];
  for (const src of rulesets(node)) {
    for (const r of chainOf(src.rs, 'nat', 'KUBE-SERVICES')?.rules ?? []) {
      const t = r.target;
      const port = dport(r);
      if (
        t?.t !== 'jump' ||
        !t.chain.startsWith('KUBE-SVC-') ||
        !r.dst ||
        r.dst.neg ||
        r.dst.value.len !== 32 ||
        port === undefined
      )
        continue;
      const comment = commentOf(r);
      out.push({
        name: comment?.replace(/ cluster IP$/, ''),
        proto: r.proto?.value ?? 'tcp',
        vip: r.dst.value.addr,
        port,
        endpoints: dnatTargets(src, t.chain),
        source: src.source,
        line: r.line,
      });
    }
    for (const r of chainOf(src.rs, 'filter', 'KUBE-SERVICES')?.rules ?? []) {
      const comment = commentOf(r);
      const port = dport(r);
      if (r.target?.t !== 'REJECT' || !comment?.includes('has no endpoints') || !r.dst || port === undefined)
        continue;
      out.push({
        name: comment.replace(/ has no endpoints$/, ''),
        proto: r.proto?.value ?? 'tcp',
        vip: r.dst.value.addr,
        port,
        endpoints: [],
        source: src.source,
        line: r.line,
        noEndpoints: true,
      });
    }
  }
  for (const s of parseIpvs(node.raw['ipvsadm']).services) {
    const i = s.vip.lastIndexOf(':');
    if (s.proto === 'fwmark' || i < 0) continue;
    out.push({
      proto: s.proto,
      vip: s.vip.slice(0, i),
      port: Number(s.vip.slice(i + 1)),
      endpoints: s.reals.map((r) => r.addr),
      source: sourceOf(node, 'ipvsadm'),
      line: s.line,
    });
  }
  out.push(...nftKubeServices(node));
  return out;
}

/** Is IPVS in use on the node (kube-ipvs0, virtual services, or net.ipv4.vs.* sysctls)? */
export function ipvsInUse(node: NodeModel): { used: boolean; why: string } {
  const svc = parseIpvs(node.raw['ipvsadm']).services.length;
  if (svc > 0) return { used: true, why: `${svc} IPVS virtual service(s) in ipvsadm` };
  if (node.host.links.some((l) => l.name === 'kube-ipvs0'))
    return { used: true, why: 'kube-ipvs0 (kube-proxy IPVS mode) exists' };
  return { used: false, why: '' };
}
