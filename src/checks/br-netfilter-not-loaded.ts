/**
 * @module checks/br-netfilter-not-loaded
 * FM-01: without br_netfilter there is no net.bridge.* sysctl at all and bridged frames never
 * meet iptables. A built-in br_netfilter (keys present, module not listed) counts as loaded.
 */
import type { Check } from './types.js';
import { hasBridgeNetfilterKeys, podBridges, sysctlKnown } from './util.js';
import { REFS_FM01 } from './bridge-nf-call-iptables-disabled.js';

export const brNetfilterNotLoaded: Check = {
  id: 'br-netfilter-not-loaded',
  severity: 'critical',
  title: 'br_netfilter is not loaded: frames bridged between pods never pass iptables or conntrack',
  fm: ['FM-01'],
  run(node) {
    if (!sysctlKnown(node) || hasBridgeNetfilterKeys(node)) return [];
    if (node.modules?.has('br_netfilter')) return [];
    const bridges = podBridges(node);
    if (bridges.length === 0) return [];
    return [
      {
        id: this.id,
        severity: 'critical',
        node: node.name,
        title: this.title,
        symptom: 'Same-node pod -> ClusterIP connections time out; NetworkPolicies between pods on one node are not enforced.',
        evidence: [
          { source: node.sourceFiles['sysctl'] ?? 'sysctl', text: 'no net.bridge.* sysctl (/proc/sys/net/bridge is missing)' },
          { source: node.sourceFiles['modules'] ?? 'modules', text: node.modules ? 'br_netfilter is not in /proc/modules' : '/proc/modules not collected' },
          ...bridges.map((b) => ({ source: node.sourceFiles['ip-link'] ?? 'ip-link', line: b.bridge.line, text: `bridge ${b.bridge.name} has ${b.ports.length} pod port(s)` })),
        ],
        fix: [
          { kind: 'runtime', description: 'load the module and enable the hooks', commands: ['sudo modprobe br_netfilter', 'sudo sysctl -w net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-ip6tables=1'] },
          { kind: 'persistent', description: 'load it at boot', commands: ['echo br_netfilter | sudo tee /etc/modules-load.d/br_netfilter.conf', "printf 'net.bridge.bridge-nf-call-iptables = 1\\nnet.bridge.bridge-nf-call-ip6tables = 1\\n' | sudo tee /etc/sysctl.d/99-kubernetes.conf"] },
        ],
        references: [...REFS_FM01, 'flatcar/init#72'],
      },
    ];
  },
};
