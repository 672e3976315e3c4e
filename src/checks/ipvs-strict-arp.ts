/**
 * @module checks/ipvs-strict-arp
 * FM-25: IPVS mode binds every Service IP to kube-ipvs0 on every node; with arp_ignore = 0
 * (arp_process answers for any local address on any interface) all nodes answer ARP for
 * LoadBalancer IPs. strictARP sets arp_ignore = 1 and arp_announce = 2. Effective value:
 * max(conf.all, conf.<if>) of the interface that receives the ARP request.
 */
import type { Check } from './types.js';
import { finding, needAll, sourceOf, sysctlEvidence, sysctlInt } from './util.js';

export const check: Check = {
  id: 'ipvs-strict-arp',
  severity: 'info',
  title: 'IPVS addresses on kube-ipvs0 without strictARP: every node answers ARP for them',
  fm: ['FM-25'],
  missing: (node) => needAll(node, 'sysctl', 'ip-addr'),
  run(node) {
    const vips = node.host.addrs.filter((a) => a.ifname === 'kube-ipvs0' && a.family === 'inet');
    if (vips.length === 0) return [];
    const eff = (ifname: string, k: string) =>
      Math.max(
        sysctlInt(node, `net.ipv4.conf.all.${k}`) ?? 0,
        sysctlInt(node, `net.ipv4.conf.${ifname}.${k}`) ?? 0,
      );
    // the interfaces that face the LAN, where ARP requests for LoadBalancer IPs arrive
    const lan = new Set(
      node.host.links
        .filter((l) => l.name !== 'lo' && [undefined, 'bond', 'vlan', 'macvlan'].includes(l.kind))
        .map((l) => l.name),
    );
    const uplinks = [
      ...new Set(
        node.host.addrs
          .filter((a) => a.family === 'inet' && a.scope === 'global' && lan.has(a.ifname))
          .map((a) => a.ifname),
      ),
    ];
    const loose = uplinks.filter((i) => eff(i, 'arp_ignore') < 1 || eff(i, 'arp_announce') < 2);
    if (loose.length === 0) return [];
    return [
      finding(check, node, {
        symptom:
          "With MetalLB (L2) or keepalived: several nodes answer ARP for a LoadBalancer IP, the router's ARP entry flaps between nodes, and long-lived connections drop when it does.",
        evidence: [
          {
            source: sourceOf(node, 'ip-addr'),
            line: vips[0]!.line,
            text: `kube-ipvs0 holds ${vips.length} address(es), e.g. ${vips
              .slice(0, 3)
              .map((a) => a.local)
              .join(', ')}`,
          },
          sysctlEvidence(node, 'net.ipv4.conf.all.arp_ignore'),
          sysctlEvidence(node, 'net.ipv4.conf.all.arp_announce'),
          {
            source: sourceOf(node, 'sysctl'),
            text: `effective arp_ignore/arp_announce on ${loose.join(', ')}: ${loose.map((i) => `${eff(i, 'arp_ignore')}/${eff(i, 'arp_announce')}`).join(', ')} (strictARP needs 1/2)`,
          },
        ],
        fix: [
          {
            kind: 'runtime',
            description: 'what strictARP does',
            commands: ['sudo sysctl -w net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2'],
          },
          {
            kind: 'persistent',
            description: 'set strictARP in the kube-proxy configuration',
            commands: [
              'kubectl -n kube-system get configmap kube-proxy -o yaml | sed -e "s/strictARP: false/strictARP: true/" | kubectl apply -f -',
            ],
          },
        ],
        references: [
          'metallb/metallb#153',
          'kubermatic/kubermatic#7309',
          'kubesphere/kubekey#2005',
          'kubernetes-sigs/kubespray#5180',
          'cloudnativelabs/kube-router#561',
        ],
      }),
    ];
  },
};
