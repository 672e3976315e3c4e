/**
 * @module lab/rules/kube-proxy-rules
 * The nat and filter rules kube-proxy (iptables mode, v1.28+) writes for ClusterIP
 * Services, in its own argument order (pkg/proxy/iptables/proxier.go `syncProxyRules`;
 * golden: TestOverallIPTablesRules). The kernel hands them back normalised by
 * iptables-save (`/32`, `--set-xmark`, 11-digit probabilities).
 */
import { activeEndpoints, serviceKey } from '../scenario/refs.js';
import type { NodeSpec, Scenario, ServicePortSpec, ServiceSpec } from '../scenario/types.js';
import { endpointChainName, serviceChainName, servicePortName } from './kube-hash.js';

export interface TableRules {
  /** chains to declare (`:NAME - [0:0]`) */
  chains: string[];
  /** `-A ...` lines */
  rules: string[];
}

export interface KubeProxyRules {
  filter: TableRules;
  nat: TableRules;
}

/** proxier.go `probability`: fmt.Sprintf("%0.10f", 1.0/float64(n)) */
export function probability(n: number): string {
  return (1 / n).toFixed(10);
}

const q = (s: string): string => (/\s/.test(s) ? `"${s}"` : s);

interface PortCtx {
  svc: ServiceSpec;
  port: ServicePortSpec;
  spn: string;
  proto: string;
  svcChain: string;
}

function servicePortRules(sc: Scenario, ctx: PortCtx, out: KubeProxyRules): void {
  const { svc, port, spn, proto, svcChain } = ctx;
  const match = `-m ${proto} -p ${proto} -d ${svc.clusterIP} --dport ${port.port}`;
  const eps = activeEndpoints(sc, svc);
  if (eps.length === 0) {
    // "has no endpoints": filter KUBE-SERVICES REJECT (reached from FORWARD/OUTPUT with ctstate NEW)
    out.filter.rules.push(
      `-A KUBE-SERVICES -m comment --comment ${q(`${spn} has no endpoints`)} ${match} -j REJECT`,
    );
    return;
  }
  out.nat.chains.push(svcChain);
  out.nat.rules.push(
    `-A KUBE-SERVICES -m comment --comment ${q(`${spn} cluster IP`)} ${match} -j ${svcChain}`,
  );
  out.nat.rules.push(
    `-A ${svcChain} -m comment --comment ${q(`${spn} cluster IP`)} ${match} ! -s ${sc.cluster.clusterCIDR} -j KUBE-MARK-MASQ`,
  );
  const affinity = svc.sessionAffinity === 'ClientIP';
  const seps = eps.map((p) => {
    const endpoint = `${p.ip}:${port.targetPort}`;
    return { ip: p.ip, endpoint, chain: endpointChainName(spn, proto, endpoint) };
  });
  if (affinity) {
    for (const e of seps) {
      out.nat.rules.push(
        `-A ${svcChain} -m comment --comment ${q(`${spn} -> ${e.endpoint}`)} -m recent --name ${e.chain} --rcheck --seconds 10800 --reap -j ${e.chain}`,
      );
    }
  }
  seps.forEach((e, i) => {
    const n = seps.length - i;
    const stat = n > 1 ? ` -m statistic --mode random --probability ${probability(n)}` : '';
    out.nat.rules.push(
      `-A ${svcChain} -m comment --comment ${q(`${spn} -> ${e.endpoint}`)}${stat} -j ${e.chain}`,
    );
  });
  for (const e of seps) {
    out.nat.chains.push(e.chain);
    out.nat.rules.push(`-A ${e.chain} -m comment --comment ${q(spn)} -s ${e.ip} -j KUBE-MARK-MASQ`);
    const recent = affinity ? ` -m recent --name ${e.chain} --set` : '';
    out.nat.rules.push(
      `-A ${e.chain} -m comment --comment ${q(spn)}${recent} -m ${proto} -p ${proto} -j DNAT --to-destination ${e.endpoint}`,
    );
  }
}

/** Everything kube-proxy owns on `node` (all nodes get the same Service rules in ClusterIP-only clusters). */
export function kubeProxyRules(sc: Scenario, node: NodeSpec): KubeProxyRules {
  const out: KubeProxyRules = {
    filter: {
      chains: [
        'KUBE-NODEPORTS',
        'KUBE-SERVICES',
        'KUBE-EXTERNAL-SERVICES',
        'KUBE-FIREWALL',
        'KUBE-FORWARD',
        'KUBE-PROXY-FIREWALL',
      ],
      rules: [],
    },
    nat: { chains: ['KUBE-NODEPORTS', 'KUBE-SERVICES', 'KUBE-MARK-MASQ', 'KUBE-POSTROUTING'], rules: [] },
  };
  const services = [...sc.services].sort((a, b) => serviceKey(a).localeCompare(serviceKey(b)));
  for (const svc of services) {
    for (const port of svc.ports) {
      const spn = servicePortName(svc.namespace, svc.name, port.name);
      servicePortRules(
        sc,
        { svc, port, spn, proto: port.protocol, svcChain: serviceChainName(spn, port.protocol) },
        out,
      );
    }
  }
  out.nat.rules.push(
    '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
    '-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000',
    '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
    '-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000',
  );
  if (!node.faults.masqueradeMissing) {
    out.nat.rules.push(
      '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
    );
  }
  out.filter.rules.push(
    '-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
    '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  );
  return out;
}

/** The jumps kube-proxy and kubelet insert into the built-in chains (order as on a real node). */
export const KUBE_BASE_JUMPS = {
  filter: [
    '-A INPUT -j KUBE-FIREWALL',
    '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    '-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS',
    '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
    '-A OUTPUT -j KUBE-FIREWALL',
    '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
  ],
  nat: [
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
  ],
} as const;
