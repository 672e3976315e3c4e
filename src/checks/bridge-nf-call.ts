/**
 * @module checks/bridge-nf-call
 * FM-01, shared by the IPv4 and IPv6 variants: with net.bridge.bridge-nf-call-ip(6)tables = 0,
 * br_nf_pre_routing does not call the IP hooks for frames bridged between pods, so a Service
 * reply from a same-node backend never meets conntrack, is not un-DNATed, and the client
 * resets it. A bridge's own `nf_call_iptables 1` option (br_opt NF_CALL_IPTABLES) overrides.
 */
import type { Check } from './types.js';
import { finding, sourceOf, sysctlEvidence, sysctlValue, needAll } from './util.js';
import { podBridges, podsUseIpv6 } from './topology.js';

export const REFS_FM01: string[] = [
  'kubernetes/kubernetes#21613',
  'kubernetes/kubernetes#122174',
  'kubernetes/kubernetes#127031',
  'kubernetes/kops#4323',
  'kubernetes/kops#5393',
  'kelseyhightower/kubernetes-the-hard-way#561',
  'https://kubernetes.io/docs/setup/production-environment/container-runtimes/#prerequisite-ipv4-forwarding-optional',
];

export const VERSIONS_FM01: string[] = [
  'Linux >= 3.18: bridge netfilter is the separate module br_netfilter; net.bridge.* exist only once it is loaded',
  'Kubernetes >= 1.24 (dockershim removed): containerd/CRI-O nodes must load br_netfilter themselves (Docker used to)',
];

export function bridgeNfCallCheck(family: 'iptables' | 'ip6tables'): Check {
  const name = `net.bridge.bridge-nf-call-${family}`;
  const v4 = family === 'iptables';
  const check: Check = {
    id: `bridge-nf-call-${family}-disabled`,
    severity: v4 ? 'critical' : 'warning',
    title: `${name} = 0: ${v4 ? 'IPv4' : 'IPv6'} traffic bridged between pods skips ${family} and conntrack, so Service replies are not un-NATed`,
    fm: ['FM-01'],
    missing: (node) => needAll(node, 'sysctl', 'ip-link'),
    run(node) {
      if (sysctlValue(node, name) !== '0') return [];
      const bridges = podBridges(node).filter(
        (b) => !(v4 ? b.bridge.bridge?.nfCallIptables : b.bridge.bridge?.nfCallIp6tables),
      );
      if (bridges.length === 0) return [];
      const v6 = podsUseIpv6(node);
      const file = '/etc/sysctl.d/99-kubernetes.conf';
      return [
        finding(check, node, {
          severity: v4 || v6 ? 'critical' : 'warning',
          symptom: v4
            ? 'A pod calling a ClusterIP times out whenever the chosen endpoint runs on the same node (other nodes work, so it looks intermittent): the SYN-ACK reaches the client from the pod IP instead of the Service IP and the client answers RST. DNS fails the same way when CoreDNS runs on the client node.'
            : `The same failure for IPv6 Service traffic${v6 ? ' (pods here have IPv6 addresses)' : ' in dual-stack clusters (no pod on this node has an IPv6 address yet)'}.`,
          evidence: [
            sysctlEvidence(node, name),
            ...bridges.map((b) => ({
              source: sourceOf(node, 'ip-link'),
              line: b.bridge.line,
              text: `bridge ${b.bridge.name} has ${b.ports.length} pod port(s): ${b.ports
                .slice(0, 4)
                .map((p) => p.name)
                .join(', ')}${b.ports.length > 4 ? ', ...' : ''}; its own nf_call_${family} option is off`,
            })),
          ],
          fix: [
            {
              kind: 'runtime',
              description: 'turn it back on now (existing broken connections must be retried)',
              commands: [`sudo sysctl -w ${name}=1`],
            },
            {
              kind: 'persistent',
              description: `keep it on after reboots: the sysctl in ${file} and br_netfilter loaded at boot (the key only exists once the module is loaded)`,
              commands: [
                `printf 'net.bridge.bridge-nf-call-iptables = 1\\nnet.bridge.bridge-nf-call-ip6tables = 1\\n' | sudo tee ${file}`,
                'echo br_netfilter | sudo tee /etc/modules-load.d/br_netfilter.conf',
                'sudo sysctl --system',
              ],
            },
            {
              kind: 'alternative',
              description:
                'masquerade all Service traffic so replies go back through the node (heavier; loses client source IPs)',
              commands: [
                'kube-proxy --masquerade-all=true   # or masqueradeAll: true in KubeProxyConfiguration',
              ],
            },
          ],
          references: REFS_FM01,
          versions: [
            ...VERSIONS_FM01,
            'Linux >= 5.3: the bridge-nf-call-* sysctls are per network namespace (check the namespace that owns the bridge) [unconfirmed]',
          ],
        }),
      ];
    },
  };
  return check;
}
