/**
 * @module checks/ipvs-conntrack-disabled
 * FM-07: with net.ipv4.vs.conntrack = 0, IPVS (ip_vs_in at LOCAL_IN, its own xmit path)
 * does not keep netfilter conntrack entries for the connections it schedules, so
 * kube-proxy's MASQUERADE in POSTROUTING cannot SNAT them and replies are not un-NATed.
 */
import type { Check } from './types.js';
import { finding, needAll, sysctlEvidence, sysctlFix, sysctlValue } from './util.js';
import { ipvsInUse } from './services.js';

export const check: Check = {
  id: 'ipvs-conntrack-disabled',
  severity: 'critical',
  title: 'IPVS is in use but net.ipv4.vs.conntrack = 0: masqueraded Service traffic is not SNATed',
  fm: ['FM-07'],
  missing: (node) => needAll(node, 'sysctl'),
  run(node) {
    if (sysctlValue(node, 'net.ipv4.vs.conntrack') !== '0') return [];
    const u = ipvsInUse(node);
    if (!u.used) return [];
    return [
      finding(check, node, {
        symptom:
          'IPVS mode: NodePort / LoadBalancer / externalIP traffic to a remote backend and pod-to-own-Service (hairpin) traffic times out or is reset; ClusterIP from pods may still work.',
        evidence: [sysctlEvidence(node, 'net.ipv4.vs.conntrack'), { source: 'inference', text: u.why }],
        fix: sysctlFix(
          { 'net.ipv4.vs.conntrack': '1' },
          '/etc/sysctl.d/99-ipvs.conf',
          'let IPVS keep conntrack entries (kube-proxy sets this at start: find what resets it)',
        ),
        references: [
          'aledbf/kube-keepalived-vip#108',
          'kube-vip/kube-vip#782',
          'kubernetes/kubernetes#17470',
          'kubernetes/kubernetes#70398',
        ],
      }),
    ];
  },
};
