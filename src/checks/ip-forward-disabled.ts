/**
 * @module checks/ip-forward-disabled
 * FM-02: with net.ipv4.ip_forward = 0, ip_route_input_slow refuses to forward
 * (IN_DEV_FORWARD is off for every device) and ip_error drops the packet without an ICMP,
 * so pods cannot reach other nodes or Services with remote endpoints.
 */
import type { Check } from './types.js';
import { finding, needAll, sysctlEvidence, sysctlFix, sysctlValue } from './util.js';

export const check: Check = {
  id: 'ip-forward-disabled',
  severity: 'critical',
  title: 'net.ipv4.ip_forward = 0: the node does not route pod traffic',
  fm: ['FM-02'],
  missing: (node) => needAll(node, 'sysctl'),
  run(node) {
    if (sysctlValue(node, 'net.ipv4.ip_forward') !== '0') return [];
    return [
      finding(check, node, {
        symptom:
          'Pods cannot reach pods on other nodes, Services whose endpoints are elsewhere, or the internet; connections time out without any ICMP. Same-node pod-to-pod over the bridge still works.',
        evidence: [sysctlEvidence(node, 'net.ipv4.ip_forward')],
        fix: sysctlFix(
          { 'net.ipv4.ip_forward': '1' },
          '/etc/sysctl.d/99-kubernetes-ipforward.conf',
          'enable forwarding now',
        ),
        references: [
          'kubernetes/kubeadm#580',
          'kubernetes/kubeadm#1062',
          'Azure/acs-engine#3394',
          'openshift/origin#9931',
          'kubernetes-sigs/kubespray#747',
          'kubernetes/kops#3977',
        ],
        versions: [
          'Docker set ip_forward=1 when it started; containerd/CRI-O nodes must set it themselves',
          'RHEL `service network restart` and some cloud images reset it to 0',
        ],
      }),
    ];
  },
};
