/**
 * @module checks/bridge-nf-call-iptables-disabled
 * FM-01: with net.bridge.bridge-nf-call-iptables = 0, frames bridged between pods skip the
 * IPv4 netfilter hooks (br_nf_pre_routing never calls them), so a Service reply from a
 * same-node backend is not un-DNATed and the client resets it.
 */
import type { Check, Finding } from './types.js';
import { podBridges, sysctlEvidence, sysctlValue } from './util.js';

export const REFS_FM01 = [
  'kubernetes/kubernetes#21613',
  'kubernetes/kubernetes#122174',
  'kubernetes/kubernetes#127031',
  'kubernetes/kops#4323',
  'kelseyhightower/kubernetes-the-hard-way#561',
  'https://kubernetes.io/docs/setup/production-environment/container-runtimes/ (Forwarding IPv4 and letting iptables see bridged traffic)',
];

function make(family: 'iptables' | 'ip6tables'): Check {
  const name = `net.bridge.bridge-nf-call-${family}`;
  return {
    id: `bridge-nf-call-${family}-disabled`,
    severity: family === 'iptables' ? 'critical' : 'warning',
    title: `${name} = 0: traffic bridged between pods skips ${family}, so replies of Services are not un-NATed`,
    fm: ['FM-01'],
    run(node) {
      const v = sysctlValue(node, name);
      if (v !== '0') return [];
      const bridges = podBridges(node).filter((b) => !(family === 'iptables' ? b.bridge.bridge?.nfCallIptables : b.bridge.bridge?.nfCallIp6tables));
      if (bridges.length === 0) return [];
      const v6pods = node.pods.some((p) => p.addrs.some((a) => a.family === 'inet6' && a.scope !== 'link' && a.ifname !== 'lo'));
      const f: Finding = {
        id: this.id,
        severity: family === 'iptables' || v6pods ? 'critical' : 'warning',
        node: node.name,
        title: this.title,
        symptom:
          family === 'iptables'
            ? 'A pod calling a ClusterIP times out whenever the chosen endpoint runs on the same node (other nodes work): the SYN-ACK arrives from the pod IP instead of the Service IP and the client answers RST. DNS fails the same way when CoreDNS is on the client node.'
            : 'The same failure for IPv6 Service traffic in dual-stack clusters.',
        evidence: [
          sysctlEvidence(node, name),
          ...bridges.map((b) => ({ source: node.sourceFiles['ip-link'] ?? 'ip-link', line: b.bridge.line, text: `bridge ${b.bridge.name} has ${b.ports.length} pod port(s): ${b.ports.slice(0, 4).map((p) => p.name).join(', ')}${b.ports.length > 4 ? ', ...' : ''}` })),
        ],
        fix: [
          { kind: 'runtime', description: 'turn it back on now', commands: [`sudo sysctl -w ${name}=1`] },
          {
            kind: 'persistent',
            description: 'keep it on after reboots and module reloads',
            commands: [
              `echo '${name} = 1' | sudo tee /etc/sysctl.d/99-kubernetes-${family}.conf`,
              "echo br_netfilter | sudo tee /etc/modules-load.d/br_netfilter.conf",
              'sudo sysctl --system',
            ],
          },
          { kind: 'alternative', description: 'masquerade all Service traffic (heavier)', commands: ['kube-proxy --masquerade-all'] },
        ],
        references: REFS_FM01,
      };
      return [f];
    },
  };
}

export const bridgeNfCallIptablesDisabled = make('iptables');
export const bridgeNfCallIp6tablesDisabled = make('ip6tables');
