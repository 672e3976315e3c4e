/**
 * @module checks/ip-forward-ipv6-disabled
 * FM-02, IPv6: pods have global IPv6 addresses but net.ipv6.conf.all.forwarding = 0, so
 * ip6_forward never runs (ip6_route_input delivers locally or drops).
 */
import type { Check } from './types.js';
import { finding, needAll, sourceOf, sysctlEvidence, sysctlFix, sysctlValue } from './util.js';
import { podsUseIpv6 } from './topology.js';

export const check: Check = {
  id: 'ip-forward-ipv6-disabled',
  severity: 'critical',
  title: 'pods have IPv6 addresses but net.ipv6.conf.all.forwarding = 0',
  fm: ['FM-02'],
  missing: (node) => needAll(node, 'sysctl', 'ip-addr'),
  run(node) {
    if (sysctlValue(node, 'net.ipv6.conf.all.forwarding') !== '0' || !podsUseIpv6(node)) return [];
    return [
      finding(check, node, {
        symptom:
          'IPv6 traffic of pods to other nodes, IPv6 Services with remote endpoints and IPv6 egress time out (dual-stack clusters: IPv4 works, IPv6 does not).',
        evidence: [
          sysctlEvidence(node, 'net.ipv6.conf.all.forwarding'),
          { source: sourceOf(node, 'ip-addr'), text: 'pods on this node have global IPv6 addresses' },
        ],
        fix: sysctlFix(
          { 'net.ipv6.conf.all.forwarding': '1' },
          '/etc/sysctl.d/99-kubernetes-ipv6.conf',
          'enable IPv6 forwarding now',
        ),
        references: ['kubernetes/kubeadm#1062', 'Azure/acs-engine#3394'],
        versions: [
          'IPv4 and IPv6 forwarding are separate switches; kubeadm preflight checks both on dual-stack clusters',
        ],
      }),
    ];
  },
};
