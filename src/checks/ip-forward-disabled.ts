/**
 * @module checks/ip-forward-disabled
 * FM-02: ip_forward = 0 makes ip_route_input refuse every forwarded packet (ip_error drops it
 * without an ICMP), so pods cannot reach other nodes or Services with remote endpoints.
 */
import type { Check } from './types.js';
import { sysctlEvidence, sysctlValue } from './util.js';

export const ipForwardDisabled: Check = {
  id: 'ip-forward-disabled',
  severity: 'critical',
  title: 'net.ipv4.ip_forward = 0: the node does not route pod traffic',
  fm: ['FM-02'],
  run(node) {
    if (sysctlValue(node, 'net.ipv4.ip_forward') !== '0') return [];
    return [
      {
        id: this.id,
        severity: 'critical',
        node: node.name,
        title: this.title,
        symptom: 'Pods cannot reach pods on other nodes, Services whose endpoints are elsewhere, or the internet; connections time out without any ICMP.',
        evidence: [sysctlEvidence(node, 'net.ipv4.ip_forward')],
        fix: [
          { kind: 'runtime', description: 'enable forwarding', commands: ['sudo sysctl -w net.ipv4.ip_forward=1'] },
          { kind: 'persistent', description: 'keep it', commands: ["echo 'net.ipv4.ip_forward = 1' | sudo tee /etc/sysctl.d/99-kubernetes-ipforward.conf", 'sudo sysctl --system'] },
        ],
        references: ['kubernetes/kubeadm#580', 'kubernetes/kubeadm#1062', 'Azure/acs-engine#3394', 'openshift/origin#9931', 'kubernetes-sigs/kubespray#747'],
      },
    ];
  },
};
