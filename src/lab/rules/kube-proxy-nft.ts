/**
 * @module lab/rules/kube-proxy-nft
 * The `nft -f` input kube-proxy's nftables proxier (pkg/proxy/nftables/proxier.go) writes
 * for ClusterIP Services, in the shape of current releases (a real k3s node's `nft list
 * table ip kube-proxy`; per-Service chains as in the upstream golden
 * TestOverallNFTablesRules): table `ip kube-proxy` with its sets and verdict maps
 * (cluster-ips, nodeport-ips, service-ips, service-nodeports, no-endpoint-services,
 * no-endpoint-nodeports, firewall-ips), its base chains (filter at dstnat-10 = -110 on
 * every hook and filter-output-post-dnat at -90, nat at dstnat/srcnat), one
 * `service-<hash>-ns/name/proto/port` chain
 * per Service port with `numgen random mod N vmap`, one `endpoint-<hash>-...__ip/port`
 * chain per endpoint, and `masquerade fully-random`. Written in load order (table, sets,
 * chains, rules, elements) so that every reference exists when it is read.
 */
import { createHash } from 'node:crypto';
import { activeEndpoints, serviceKey } from '../scenario/refs.js';
import type { NodeSpec, Scenario } from '../scenario/types.js';
import { base32 } from './kube-hash.js';

const T = 'ip kube-proxy';

/** proxier.go `hashAndTruncate`: base32(sha256(name))[:8] + "-" + name (names are short here) */
export function hashAndTruncate(name: string): string {
  const h = base32(createHash('sha256').update(name).digest()).slice(0, 8);
  const out = `${h}-${name}`;
  return out.length > 200 ? `${out.slice(0, 197)}...` : out;
}

/** `ns/name/proto/portname` (servicePortChainNameBase) */
export function serviceChainBase(ns: string, name: string, proto: string, portName: string): string {
  return hashAndTruncate(`${ns}/${name}/${proto.toLowerCase()}/${portName}`);
}

/** `ns/name/proto/portname__ip/port` (servicePortEndpointChainNameBase) */
export function endpointChainBase(
  ns: string,
  name: string,
  proto: string,
  portName: string,
  ip: string,
  port: number,
): string {
  return hashAndTruncate(`${ns}/${name}/${proto.toLowerCase()}/${portName}__${ip}/${port}`);
}

/** The whole kube-proxy table of `node`, as `nft -f` reads it. */
export function kubeProxyNft(sc: Scenario, node: NodeSpec): string {
  const sets: string[] = [];
  const chains: string[] = [];
  const rules: string[] = [];
  const elements: string[] = [];
  const chain = (name: string, spec = '') =>
    chains.push(`add chain ${T} ${name}${spec ? ` { ${spec} ; }` : ''}`);
  const rule = (c: string, r: string) => rules.push(`add rule ${T} ${c} ${r}`);
  const elem = (set: string, e: string) => elements.push(`add element ${T} ${set} { ${e} }`);

  sets.push(
    `add set ${T} cluster-ips { type ipv4_addr ; comment "Active ClusterIPs" ; }`,
    `add set ${T} nodeport-ips { type ipv4_addr ; comment "IPs that accept NodePort traffic" ; }`,
    `add map ${T} firewall-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }`,
    `add map ${T} no-endpoint-nodeports { type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ; }`,
    `add map ${T} no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }`,
    `add map ${T} service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }`,
    `add map ${T} service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }`,
  );
  chain('filter-prerouting', 'type filter hook prerouting priority dstnat - 10');
  chain('filter-input', 'type filter hook input priority -110');
  chain('filter-forward', 'type filter hook forward priority -110');
  chain('filter-output', 'type filter hook output priority -110');
  chain('filter-output-post-dnat', 'type filter hook output priority -90');
  chain('nat-prerouting', 'type nat hook prerouting priority dstnat');
  chain('nat-output', 'type nat hook output priority -100');
  chain('nat-postrouting', 'type nat hook postrouting priority srcnat');
  chain('cluster-ips-check');
  chain('firewall-check');
  chain('mark-for-masquerade');
  chain('masquerading');
  chain('nodeport-endpoints-check');
  chain('reject-chain', 'comment "helper for @no-endpoint-services / @no-endpoint-nodeports"');
  chain('services');
  chain('service-endpoints-check');

  rule(
    'cluster-ips-check',
    'ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"',
  );
  rule(
    'cluster-ips-check',
    `ip daddr { ${sc.cluster.serviceCIDR} } drop comment "Drop traffic to unallocated ClusterIPs"`,
  );
  rule('filter-input', 'ct state new jump nodeport-endpoints-check');
  rule('filter-input', 'ct state new jump service-endpoints-check');
  rule('filter-forward', 'ct state new jump service-endpoints-check');
  rule('filter-forward', 'ct state new jump cluster-ips-check');
  rule('filter-output', 'ct state new jump service-endpoints-check');
  rule('filter-output-post-dnat', 'ct state new jump cluster-ips-check');
  rule('filter-prerouting', 'ct state new jump firewall-check');
  rule('filter-output', 'ct state new jump firewall-check');
  rule('firewall-check', 'ip daddr . meta l4proto . th dport vmap @firewall-ips');
  rule('mark-for-masquerade', 'mark set mark or 0x4000');
  rule('masquerading', 'mark and 0x4000 == 0 return');
  rule('masquerading', 'mark set mark xor 0x4000');
  if (!node.faults.masqueradeMissing) rule('masquerading', 'masquerade fully-random');
  rule('nat-output', 'jump services');
  rule('nat-postrouting', 'jump masquerading');
  rule('nat-prerouting', 'jump services');
  rule(
    'nodeport-endpoints-check',
    'ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports',
  );
  rule('reject-chain', 'reject');
  rule('services', 'ip daddr . meta l4proto . th dport vmap @service-ips');
  rule('services', 'ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports');
  rule('service-endpoints-check', 'ip daddr . meta l4proto . th dport vmap @no-endpoint-services');
  elem('nodeport-ips', node.underlayIP);

  const services = [...sc.services].sort((a, b) => serviceKey(a).localeCompare(serviceKey(b)));
  for (const svc of services) {
    elem('cluster-ips', svc.clusterIP);
    for (const port of svc.ports) {
      const proto = port.protocol.toLowerCase();
      const spn = port.name ? `${svc.namespace}/${svc.name}:${port.name}` : `${svc.namespace}/${svc.name}`;
      const eps = activeEndpoints(sc, svc);
      const key = `${svc.clusterIP} . ${proto} . ${port.port}`;
      if (eps.length === 0) {
        elem('no-endpoint-services', `${key} comment "${spn}" : goto reject-chain`);
        continue;
      }
      const svcChain = `service-${serviceChainBase(svc.namespace, svc.name, proto, port.name)}`;
      chain(svcChain);
      rule(
        svcChain,
        `ip daddr ${svc.clusterIP} ${proto} dport ${port.port} ip saddr != ${sc.cluster.clusterCIDR} jump mark-for-masquerade`,
      );
      const affinity = svc.sessionAffinity === 'ClientIP';
      const epChains = eps.map((p) => {
        const base = endpointChainBase(svc.namespace, svc.name, proto, port.name, p.ip, port.targetPort);
        return { ip: p.ip, base, chain: `endpoint-${base}` };
      });
      if (affinity)
        for (const e of epChains) {
          sets.push(
            `add set ${T} affinity-${e.base} { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }`,
          );
          rule(svcChain, `ip saddr @affinity-${e.base} goto ${e.chain}`);
        }
      rule(
        svcChain,
        `numgen random mod ${epChains.length} vmap { ${epChains.map((e, i) => `${i} : goto ${e.chain}`).join(' , ')} }`,
      );
      for (const e of epChains) {
        chain(e.chain);
        rule(e.chain, `ip saddr ${e.ip} jump mark-for-masquerade`);
        if (affinity) rule(e.chain, `update @affinity-${e.base} { ip saddr }`);
        rule(e.chain, `meta l4proto ${proto} dnat to ${e.ip}:${port.targetPort}`);
      }
      elem('service-ips', `${key} : goto ${svcChain}`);
    }
  }
  return [
    `# podpath lab: kube-proxy (nftables mode), scenario ${sc.name}, node ${node.name}`,
    `add table ${T} { comment "rules for kube-proxy" ; }`,
    ...sets,
    ...chains,
    ...rules,
    ...elements,
    '',
  ].join('\n');
}
