/**
 * @module checks/util
 * Small readers shared by the checks: sysctl evidence, the effective rule sets, bridges
 * with pod ports.
 */
import type { NodeModel } from '../model/node.js';
import type { Evidence } from './types.js';
import type { Ruleset } from '../model/iptables.js';
import type { Link } from '../model/net.js';

export function sysctlValue(node: NodeModel, name: string): string | undefined {
  return node.host.sysctl.get(name)?.value;
}

export function sysctlEvidence(node: NodeModel, name: string): Evidence {
  const s = node.host.sysctl.get(name);
  return { source: node.sourceFiles['sysctl'] ?? 'sysctl', line: s?.line, text: `${name} = ${s?.value ?? '(absent)'}` };
}

export function sysctlKnown(node: NodeModel): boolean {
  return node.host.known.has('sysctl');
}

/** Rule sets that the kernel runs for IPv4 on this node, with the source id they came from. */
export function rulesets(node: NodeModel): { rs: Ruleset; source: string }[] {
  const out: { rs: Ruleset; source: string }[] = [];
  const ipt = node.host.iptables;
  if (ipt.legacy) out.push({ rs: ipt.legacy, source: node.sourceFiles['iptables-legacy-save'] ?? 'iptables-legacy-save' });
  if (ipt.nft) out.push({ rs: ipt.nft, source: node.sourceFiles['iptables-nft-save'] ?? 'iptables-nft-save' });
  if (ipt.unknown) out.push({ rs: ipt.unknown, source: node.sourceFiles['iptables-save'] ?? 'iptables-save' });
  return out;
}

/** Linux bridges of the node that have veth ports (pods behind them). */
export function podBridges(node: NodeModel): { bridge: Link; ports: Link[] }[] {
  const out: { bridge: Link; ports: Link[] }[] = [];
  for (const br of node.host.links) {
    if (br.kind !== 'bridge') continue;
    const ports = node.host.links.filter((l) => l.master === br.name && l.kind === 'veth');
    if (ports.length) out.push({ bridge: br, ports });
  }
  return out;
}

export function hasBridgeNetfilterKeys(node: NodeModel): boolean {
  for (const k of node.host.sysctl.keys()) if (k.startsWith('net.bridge.')) return true;
  return false;
}

export const persistentFix = (lines: string[], file: string) =>
  `printf '${lines.join('\\n')}\\n' | sudo tee ${file} && sudo sysctl --system`;
