/**
 * @module checks/br-netfilter-not-loaded
 * FM-01: without br_netfilter there is no net.bridge.* sysctl at all and frames bridged
 * between pods never meet iptables or conntrack (br_nf_pre_routing is not registered).
 * A built-in br_netfilter (keys present, module not listed in /proc/modules) counts as loaded.
 */
import type { Check } from './types.js';
import { finding, hasBridgeNetfilterKeys, needAll, sourceOf, sysctlKnown } from './util.js';
import { podBridges } from './topology.js';
import { REFS_FM01, VERSIONS_FM01 } from './bridge-nf-call.js';

export const check: Check = {
  id: 'br-netfilter-not-loaded',
  severity: 'critical',
  title: 'br_netfilter is not loaded: frames bridged between pods never pass iptables or conntrack',
  fm: ['FM-01'],
  missing: (node) => needAll(node, 'sysctl', 'ip-link'),
  run(node) {
    if (!sysctlKnown(node) || hasBridgeNetfilterKeys(node)) return [];
    if (node.modules?.has('br_netfilter')) return [];
    const bridges = podBridges(node);
    if (bridges.length === 0) return [];
    return [
      finding(check, node, {
        symptom:
          'Same-node pod -> ClusterIP connections time out (the reply is bridged without reverse NAT); NetworkPolicies between pods of one node are not enforced.',
        evidence: [
          {
            source: sourceOf(node, 'sysctl'),
            text: 'no net.bridge.* sysctl: /proc/sys/net/bridge does not exist',
          },
          {
            source: sourceOf(node, 'modules'),
            text: node.modules ? 'br_netfilter is not in /proc/modules' : '/proc/modules not collected',
          },
          ...bridges.map((b) => ({
            source: sourceOf(node, 'ip-link'),
            line: b.bridge.line,
            text: `bridge ${b.bridge.name} has ${b.ports.length} pod port(s)`,
          })),
        ],
        fix: [
          {
            kind: 'runtime',
            description: 'load the module and make sure the hooks are on',
            commands: [
              'sudo modprobe br_netfilter',
              'sudo sysctl -w net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-ip6tables=1',
            ],
          },
          {
            kind: 'persistent',
            description: 'load it at every boot and keep the sysctls',
            commands: [
              'echo br_netfilter | sudo tee /etc/modules-load.d/br_netfilter.conf',
              "printf 'net.bridge.bridge-nf-call-iptables = 1\\nnet.bridge.bridge-nf-call-ip6tables = 1\\n' | sudo tee /etc/sysctl.d/99-kubernetes.conf",
              'sudo sysctl --system',
            ],
          },
        ],
        references: [...REFS_FM01, 'flatcar/init#72'],
        versions: VERSIONS_FM01,
      }),
    ];
  },
};
