/**
 * @module checks/ip-forward-interface-disabled
 * FM-02, per device: ip_forward = 1 but net.ipv4.conf.<if>.forwarding = 0. ip_route_input_slow
 * checks IN_DEV_FORWARD of the *input* device, so packets arriving on that interface are
 * not forwarded (ip_error drops them silently, no ICMP when forwarding is off).
 */
import type { Check } from './types.js';
import { finding, needAll, sourceOf, sysctlEvidence, sysctlFix, sysctlValue } from './util.js';
import { podFacingLinks } from './topology.js';

export const check: Check = {
  id: 'ip-forward-interface-disabled',
  severity: 'critical',
  title: 'forwarding is off on an interface that carries pod traffic (net.ipv4.conf.<if>.forwarding = 0)',
  fm: ['FM-02'],
  missing: (node) => needAll(node, 'sysctl', 'ip-link'),
  run(node) {
    if (sysctlValue(node, 'net.ipv4.ip_forward') !== '1') return [];
    const pod = new Set(podFacingLinks(node).map((l) => l.name));
    const uplinks = new Set(
      node.host.routes.filter((r) => r.dst === 'default' && r.family === 'inet' && r.dev).map((r) => r.dev!),
    );
    const off = node.host.links.filter(
      (l) =>
        l.name !== 'lo' &&
        sysctlValue(node, `net.ipv4.conf.${l.name}.forwarding`) === '0' &&
        (pod.has(l.name) || uplinks.has(l.name)),
    );
    if (off.length === 0) return [];
    return [
      finding(check, node, {
        symptom: `Packets that arrive on ${off.map((l) => l.name).join(', ')} and must be routed onwards (pod -> other node, other node -> pod, NodePort to a remote endpoint) are dropped silently.`,
        evidence: [
          sysctlEvidence(node, 'net.ipv4.ip_forward'),
          ...off.map((l) => sysctlEvidence(node, `net.ipv4.conf.${l.name}.forwarding`)),
          ...off.map((l) => ({
            source: sourceOf(node, 'ip-link'),
            line: l.line,
            text: `${l.name} carries ${pod.has(l.name) ? 'pod' : 'uplink (default route)'} traffic`,
          })),
        ],
        fix: sysctlFix(
          Object.fromEntries(off.map((l) => [`net.ipv4.conf.${l.name}.forwarding`, '1'])),
          '/etc/sysctl.d/99-kubernetes-forwarding.conf',
          'turn forwarding on for those interfaces',
        ),
        references: ['kubernetes/kubernetes#45022', 'Azure/acs-engine#3394'],
        versions: [
          'writing net.ipv4.ip_forward resets every conf.*.forwarding; a later per-interface write (systemd-networkd IPForward=, NetworkManager) can turn one off again',
        ],
      }),
    ];
  },
};
