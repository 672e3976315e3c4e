/**
 * @module checks/ct-invalid-not-dropped
 * FM-08: a TCP segment outside the window tracked by nf_conntrack_tcp (tcp_in_window) is
 * INVALID: not associated with its entry, so the reply is not un-DNATed, reaches the client
 * from the pod IP and the client resets the connection. kube-proxy >= 1.15 drops INVALID in
 * KUBE-FORWARD; nf_conntrack_tcp_be_liberal = 1 avoids marking them INVALID.
 */
import type { Check } from './types.js';
import { finding, needAll, sysctlEvidence, sysctlValue, sourceOf } from './util.js';
import { chainEvidence, chainOf, ctStates, iptablesCommand, reachableChains, rulesets } from './rules.js';

export const check: Check = {
  id: 'ct-invalid-not-dropped',
  severity: 'warning',
  title: 'conntrack INVALID packets are forwarded un-NATed (no ctstate INVALID DROP, tcp_be_liberal = 0)',
  fm: ['FM-08'],
  missing: (node) => needAll(node, 'iptables'),
  run(node) {
    if (sysctlValue(node, 'net.netfilter.nf_conntrack_tcp_be_liberal') === '1') return [];
    for (const src of rulesets(node)) {
      if (!chainOf(src.rs, 'nat', 'KUBE-SERVICES')) continue; // no kube-proxy Services in this rule set
      const fwd = chainOf(src.rs, 'filter', 'FORWARD');
      if (!fwd) continue;
      const drops = reachableChains(src.rs, 'filter', fwd).some((c) =>
        c.rules.some((r) => r.target?.t === 'DROP' && ctStates(r)?.includes('INVALID')),
      );
      if (drops) continue;
      const ipt = iptablesCommand(node, src);
      return [
        finding(check, node, {
          symptom:
            'Long-lived or large transfers through a ClusterIP die now and then with "connection reset by peer", mostly under load or packet loss.',
          evidence: [
            chainEvidence(
              src,
              'filter',
              fwd,
              '(no `-m conntrack --ctstate INVALID -j DROP` in FORWARD or the chains it jumps to)',
            ),
            node.host.sysctl.has('net.netfilter.nf_conntrack_tcp_be_liberal')
              ? sysctlEvidence(node, 'net.netfilter.nf_conntrack_tcp_be_liberal')
              : {
                  source: sourceOf(node, 'sysctl'),
                  text: 'net.netfilter.nf_conntrack_tcp_be_liberal absent: kernel default 0',
                },
          ],
          fix: [
            {
              kind: 'runtime',
              description: 'drop INVALID packets before they are forwarded',
              commands: [`sudo ${ipt} -I FORWARD -m conntrack --ctstate INVALID -j DROP`],
            },
            {
              kind: 'persistent',
              description: 'upgrade kube-proxy (>= 1.15 installs the rule) or make conntrack liberal',
              commands: [
                "echo 'net.netfilter.nf_conntrack_tcp_be_liberal = 1' | sudo tee /etc/sysctl.d/99-conntrack-liberal.conf",
                'sudo sysctl --system',
              ],
            },
          ],
          references: [
            'kubernetes/kubernetes#74839',
            'kubernetes/kubernetes#74840',
            'kubernetes/kubernetes#94861',
            'kubernetes/kubernetes#117924',
            'kubernetes/kubernetes#120412',
            'https://kubernetes.io/blog/2019/03/29/kube-proxy-subtleties-debugging-an-intermittent-connection-reset/',
          ],
          versions: [
            'kube-proxy >= 1.15 adds the INVALID DROP rule (PR #74840)',
            'kube-proxy >= 1.29 [unconfirmed] skips it when tcp_be_liberal = 1 (PR #120412)',
          ],
        }),
      ];
    }
    return [];
  },
};
