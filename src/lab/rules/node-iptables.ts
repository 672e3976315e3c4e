/**
 * @module lab/rules/node-iptables
 * The complete `iptables-restore` input of one lab node: built-in chains with their
 * policies, kubelet's canaries, kube-proxy's chains and jumps (iptables mode only), flannel's chains.
 */
import type { NodeSpec, Scenario } from '../scenario/types.js';
import { flannelRules } from './flannel-rules.js';
import { KUBE_BASE_JUMPS, kubeProxyRules } from './kube-proxy-rules.js';

const CANARIES = ['KUBE-KUBELET-CANARY', 'KUBE-PROXY-CANARY'];

function table(name: string, builtins: [string, string][], chains: string[], rules: string[]): string[] {
  const out = [`*${name}`];
  for (const [chain, policy] of builtins) out.push(`:${chain} ${policy} [0:0]`);
  for (const chain of [...new Set(chains)]) out.push(`:${chain} - [0:0]`);
  out.push(...rules, 'COMMIT');
  return out;
}

export function nodeIptablesRestore(sc: Scenario, node: NodeSpec): string {
  const nftMode = sc.proxyMode === 'nftables';
  const kp = nftMode
    ? { filter: { chains: [], rules: [] }, nat: { chains: [], rules: [] } }
    : kubeProxyRules(sc, node);
  const jumps = nftMode ? { filter: [], nat: [] } : KUBE_BASE_JUMPS;
  const fl = flannelRules(sc, node);
  const forward = node.faults.forwardPolicyDrop ? 'DROP' : 'ACCEPT';
  const lines = [
    `# podpath lab: scenario ${sc.name}, node ${node.name}`,
    ...table(
      'mangle',
      ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'].map(
        (c) => [c, 'ACCEPT'] as [string, string],
      ),
      ['KUBE-IPTABLES-HINT', ...CANARIES],
      [],
    ),
    ...table(
      'filter',
      [
        ['INPUT', 'ACCEPT'],
        ['FORWARD', forward],
        ['OUTPUT', 'ACCEPT'],
      ],
      [...CANARIES, ...kp.filter.chains, ...fl.filter.chains],
      [...jumps.filter, ...fl.filter.rules, ...kp.filter.rules],
    ),
    ...table(
      'nat',
      ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'].map((c) => [c, 'ACCEPT'] as [string, string]),
      [...CANARIES, ...kp.nat.chains, ...fl.nat.chains],
      [...jumps.nat, ...fl.nat.rules, ...kp.nat.rules],
    ),
  ];
  return lines.join('\n') + '\n';
}
