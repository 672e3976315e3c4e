/**
 * @module parse/iptables-save/kube-proxy-services-fixture
 * Generates, in iptables-save normal form, every rule shape kube-proxy (iptables mode)
 * writes for a Service port (pkg/proxy/iptables/proxier.go `syncProxyRules`, golden test
 * TestOverallIPTablesRules; notes in design/kube-proxy-rules.md §A.1): ClusterIP,
 * externalIPs, LoadBalancer IP with and without source ranges (KUBE-FW- +
 * KUBE-PROXY-FIREWALL), NodePorts (KUBE-NODEPORTS behind `addrtype --dst-type LOCAL`),
 * externalTrafficPolicy / internalTrafficPolicy Local (KUBE-EXT- short-circuits, KUBE-SVL-),
 * ClientIP affinity (`-m recent`), "has no endpoints" REJECTs and "has no local endpoints"
 * DROPs, and — with `legacy` — the pre-1.24 shapes (KUBE-XLB-, KUBE-MARK-DROP 0x8000).
 * Chain names are kube-proxy's own hashes (lab/rules/kube-hash). For simulator tests.
 */
import { endpointChainName, portProtoHash } from '../../lab/rules/kube-hash.js';

export interface FixtureEndpoint {
  ip: string;
  port: number;
  /** on this node (counts for the Local policies) */
  local: boolean;
}

export interface FixtureService {
  /** `ns/name:port` */
  name: string;
  proto: 'tcp' | 'udp';
  clusterIP: string;
  port: number;
  endpoints: FixtureEndpoint[];
  nodePort?: number;
  externalIPs?: string[];
  loadBalancerIP?: string;
  sourceRanges?: string[];
  externalTrafficPolicy?: 'Cluster' | 'Local';
  internalTrafficPolicy?: 'Cluster' | 'Local';
  /** ClientIP session affinity timeout, seconds */
  affinitySeconds?: number;
}

export interface ServicesFixtureOptions {
  clusterCidr: string;
  /** pre-1.24 kube-proxy: KUBE-XLB- local chains, KUBE-MARK-DROP and its KUBE-FIREWALL rule */
  legacy?: boolean;
  /** extra `-A` lines (flannel, portmap ...) per table, with their chains */
  extra?: { nat?: { chains: string[]; rules: string[] }; filter?: { chains: string[]; rules: string[] } };
}

const chainFor = (prefix: string, spn: string, proto: string) => `${prefix}-${portProtoHash(spn, proto)}`;

/** kube-proxy's probability for rule i of n: 1/(n-i), printed as iptables-save does (11 digits of a u32 fraction). */
export function savedProbability(left: number): string {
  // xt_statistic keeps lround(0x80000000 * p); iptables prints it back with %.11f
  return (Math.round((1 / left) * 0x80000000) / 0x80000000).toFixed(11);
}

export function kubeProxyServicesRuleset(services: FixtureService[], opts: ServicesFixtureOptions): string {
  const nat = { chains: new Set<string>(), rules: [] as string[] };
  const filter = { chains: new Set<string>(), rules: [] as string[] };
  const cidr = opts.clusterCidr;
  const N = (chain: string, rest: string) => {
    nat.chains.add(chain);
    nat.rules.push(`-A ${chain} ${rest}`);
  };
  const F = (chain: string, rest: string) => {
    filter.chains.add(chain);
    filter.rules.push(`-A ${chain} ${rest}`);
  };
  for (const c of ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ'])
    nat.chains.add(c);
  for (const c of [
    'KUBE-EXTERNAL-SERVICES',
    'KUBE-FIREWALL',
    'KUBE-FORWARD',
    'KUBE-NODEPORTS',
    'KUBE-PROXY-FIREWALL',
    'KUBE-SERVICES',
  ])
    filter.chains.add(c);
  N('PREROUTING', '-m comment --comment "kubernetes service portals" -j KUBE-SERVICES');
  N('OUTPUT', '-m comment --comment "kubernetes service portals" -j KUBE-SERVICES');
  N('POSTROUTING', '-m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING');
  const tail: string[] = [];
  for (const s of services) {
    const { name: spn, proto: p } = s;
    const c = (text: string) => `-m comment --comment "${text}"`;
    const svc = chainFor('KUBE-SVC', spn, p);
    const ext = chainFor('KUBE-EXT', spn, p);
    const fw = chainFor('KUBE-FW', spn, p);
    const svl = chainFor(opts.legacy ? 'KUBE-XLB' : 'KUBE-SVL', spn, p);
    const local = s.endpoints.filter((e) => e.local);
    const itpLocal = s.internalTrafficPolicy === 'Local';
    const etpLocal = s.externalTrafficPolicy === 'Local';
    const internal = itpLocal ? svl : svc;
    const hasInternal = (itpLocal ? local : s.endpoints).length > 0;
    // old kube-proxy wrote the KUBE-XLB chain (ending in KUBE-MARK-DROP) even without local endpoints
    const hasExternal = (etpLocal && !opts.legacy ? local : s.endpoints).length > 0;
    const external = Boolean(s.nodePort || s.externalIPs?.length || s.loadBalancerIP);
    const port = `-m ${p} --dport ${s.port}`;
    // ClusterIP
    if (hasInternal) {
      N(
        internal,
        `! -s ${cidr} -d ${s.clusterIP}/32 -p ${p} ${c(`${spn} cluster IP`)} ${port} -j KUBE-MARK-MASQ`,
      );
      N('KUBE-SERVICES', `-d ${s.clusterIP}/32 -p ${p} ${c(`${spn} cluster IP`)} ${port} -j ${internal}`);
    } else {
      F(
        'KUBE-SERVICES',
        `-d ${s.clusterIP}/32 -p ${p} ${c(`${spn} has no endpoints`)} ${port} -j REJECT --reject-with icmp-port-unreachable`,
      );
    }
    // external addresses
    const extTarget = hasExternal ? ext : undefined;
    for (const ip of s.externalIPs ?? []) {
      if (extTarget)
        N('KUBE-SERVICES', `-d ${ip}/32 -p ${p} ${c(`${spn} external IP`)} ${port} -j ${extTarget}`);
      else
        F(
          'KUBE-EXTERNAL-SERVICES',
          `-d ${ip}/32 -p ${p} ${c(`${spn} has no ${etpLocal ? 'local ' : ''}endpoints`)} ${port} -j ${etpLocal ? 'DROP' : 'REJECT --reject-with icmp-port-unreachable'}`,
        );
    }
    if (s.loadBalancerIP) {
      const lb = s.loadBalancerIP;
      if (extTarget) {
        if (s.sourceRanges?.length) {
          N('KUBE-SERVICES', `-d ${lb}/32 -p ${p} ${c(`${spn} loadbalancer IP`)} ${port} -j ${fw}`);
          for (const r of s.sourceRanges) N(fw, `-s ${r} ${c(`${spn} loadbalancer IP`)} -j ${ext}`);
          nat.chains.add(fw);
          nat.rules.push(`-A ${fw} ${c(`other traffic to ${spn} will be dropped by KUBE-PROXY-FIREWALL`)}`);
          F(
            'KUBE-PROXY-FIREWALL',
            `-d ${lb}/32 -p ${p} ${c(`${spn} traffic not accepted by ${fw}`)} ${port} -j DROP`,
          );
        } else N('KUBE-SERVICES', `-d ${lb}/32 -p ${p} ${c(`${spn} loadbalancer IP`)} ${port} -j ${ext}`);
      } else
        F(
          'KUBE-EXTERNAL-SERVICES',
          `-d ${lb}/32 -p ${p} ${c(`${spn} has no ${etpLocal ? 'local ' : ''}endpoints`)} ${port} -j ${etpLocal ? 'DROP' : 'REJECT --reject-with icmp-port-unreachable'}`,
        );
    }
    if (s.nodePort) {
      if (extTarget) N('KUBE-NODEPORTS', `-p ${p} ${c(spn)} -m ${p} --dport ${s.nodePort} -j ${ext}`);
      else
        F(
          'KUBE-EXTERNAL-SERVICES',
          `-p ${p} ${c(`${spn} has no ${etpLocal ? 'local ' : ''}endpoints`)} -m addrtype --dst-type LOCAL -m ${p} --dport ${s.nodePort} -j ${etpLocal ? 'DROP' : 'REJECT --reject-with icmp-port-unreachable'}`,
        );
    }
    if (external && hasExternal) {
      if (etpLocal && !opts.legacy) {
        N(ext, `-s ${cidr} ${c(`pod traffic for ${spn} external destinations`)} -j ${svc}`);
        N(
          ext,
          `${c(`masquerade LOCAL traffic for ${spn} external destinations`)} -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`,
        );
        N(
          ext,
          `${c(`route LOCAL traffic for ${spn} external destinations`)} -m addrtype --src-type LOCAL -j ${svc}`,
        );
        N(ext, `-j ${svl}`);
      } else if (etpLocal) {
        N(ext, `-j ${svl}`);
      } else {
        N(ext, `${c(`masquerade traffic for ${spn} external destinations`)} -j KUBE-MARK-MASQ`);
        N(ext, `-j ${svc}`);
      }
    }
    // load-balancing chains
    const sep = (e: FixtureEndpoint) => endpointChainName(spn, p, `${e.ip}:${e.port}`);
    const balance = (chain: string, eps: FixtureEndpoint[]) => {
      nat.chains.add(chain);
      if (s.affinitySeconds)
        for (const e of eps)
          N(
            chain,
            `${c(`${spn} -> ${e.ip}:${e.port}`)} -m recent --rcheck --seconds ${s.affinitySeconds} --reap --name ${sep(e)} --mask 255.255.255.255 --rsource -j ${sep(e)}`,
          );
      eps.forEach((e, i) => {
        const left = eps.length - i;
        const stat = left > 1 ? ` -m statistic --mode random --probability ${savedProbability(left)}` : '';
        N(chain, `${c(`${spn} -> ${e.ip}:${e.port}`)}${stat} -j ${sep(e)}`);
      });
    };
    // the cluster-wide chain: ClusterIP with the Cluster policy, and every external path (the
    // Local policy's pod / LOCAL short-circuits jump to it too)
    if (s.endpoints.length && ((!itpLocal && hasInternal) || (external && hasExternal)))
      balance(svc, s.endpoints);
    const needsSvl = (itpLocal && hasInternal) || (external && etpLocal);
    if (needsSvl) {
      if (opts.legacy) {
        nat.chains.add(svl);
        N(
          svl,
          `-s ${cidr} ${c(`Redirect pods trying to reach external loadbalancer VIP to clusterIP`)} -j ${svc}`,
        );
        N(
          svl,
          `${c(`masquerade LOCAL traffic for ${spn} LB IP`)} -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`,
        );
        N(
          svl,
          `${c(`route LOCAL traffic for ${spn} LB IP to service chain`)} -m addrtype --src-type LOCAL -j ${svc}`,
        );
        if (local.length === 0) N(svl, `${c(`${spn} has no local endpoints`)} -j KUBE-MARK-DROP`);
      }
      if (local.length) balance(svl, local);
      else nat.chains.add(svl);
    }
    for (const e of s.endpoints) {
      const ch = sep(e);
      N(ch, `-s ${e.ip}/32 ${c(spn)} -j KUBE-MARK-MASQ`);
      const recent = s.affinitySeconds
        ? ` -m recent --set --name ${ch} --mask 255.255.255.255 --rsource`
        : '';
      N(ch, `-p ${p} ${c(spn)}${recent} -m ${p} -j DNAT --to-destination ${e.ip}:${e.port}`);
    }
  }
  tail.push(
    '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
  );
  nat.rules.push(
    ...tail,
    '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
    '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
    '-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0',
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
  );
  if (opts.legacy) {
    nat.chains.add('KUBE-MARK-DROP');
    nat.rules.push('-A KUBE-MARK-DROP -j MARK --set-xmark 0x8000/0x8000');
    filter.rules.push(
      '-A KUBE-FIREWALL -m comment --comment "kubernetes firewall for dropping marked packets" -m mark --mark 0x8000/0x8000 -j DROP',
    );
  }
  filter.rules.unshift(
    '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    '-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS',
    '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
    '-A INPUT -j KUBE-FIREWALL',
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
    '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -j KUBE-FIREWALL',
  );
  filter.rules.push(
    '-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
    '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  );
  for (const [t, x] of [
    [nat, opts.extra?.nat],
    [filter, opts.extra?.filter],
  ] as const) {
    if (!x) continue;
    for (const ch of x.chains) t.chains.add(ch);
    t.rules.push(...x.rules);
  }
  const builtin: Record<string, string[]> = {
    nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
    filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  };
  const block = (name: 'nat' | 'filter', t: { chains: Set<string>; rules: string[] }) => [
    `*${name}`,
    ...builtin[name]!.map((b) => `:${b} ACCEPT [0:0]`),
    ...[...t.chains].filter((ch) => !builtin[name]!.includes(ch)).map((ch) => `:${ch} - [0:0]`),
    ...t.rules,
    'COMMIT',
  ];
  return [
    '# Generated by iptables-save v1.8.9 on Thu Jan  1 00:00:00 2026',
    ...block('nat', nat),
    ...block('filter', filter),
    '# Completed on Thu Jan  1 00:00:00 2026',
    '',
  ].join('\n');
}
