/**
 * @module lab/build/names
 * Names and addresses the lab gives to what it builds. Every namespace is `<prefix>-...`
 * with a prefix starting `pp`, so `lab down` can find everything it made, and concurrent
 * labs (tests use `ppC<random4>`) never collide.
 */
import { createHash, randomBytes } from 'node:crypto';
import { cidrHost, parseCidr } from '../scenario/ipv4.js';
import type { NodeSpec, PodSpec, Scenario } from '../scenario/types.js';

export const DEFAULT_PREFIX = 'pplab';
export const STATE_ROOT = '/run/podpath-lab';

/** `pp` + 1..12 letters or digits */
export function isValidPrefix(p: string): boolean {
  return /^pp[A-Za-z0-9]{1,12}$/.test(p);
}

export function randomTestPrefix(): string {
  return `ppC${randomBytes(4).toString('hex')}`;
}

export function underlayNetns(prefix: string): string {
  return `${prefix}-underlay`;
}

export function nodeNetns(prefix: string, node: string): string {
  return `${prefix}-${node}`;
}

export function podNetns(prefix: string, pod: PodSpec): string {
  return `${prefix}-${pod.node}-${pod.name}`;
}

/** true when a namespace name belongs to the lab with this prefix */
export function ownsNetns(prefix: string, name: string): boolean {
  return name.startsWith(`${prefix}-`);
}

function hex(s: string, n: number): string {
  return createHash('sha256').update(s).digest('hex').slice(0, n);
}

/** Host-side veth of a pod, named like the CNI bridge plugin does (`veth` + 8 hex). */
export function podVethName(pod: PodSpec): string {
  return `veth${hex(`${pod.namespace}/${pod.name}`, 8)}`;
}

/** Underlay-side veth of a node's eth0. */
export function underlayPortName(node: NodeSpec): string {
  return `u-${node.name}`;
}

/** Locally administered unicast MAC derived from a label (stable across runs). */
export function macFor(label: string): string {
  const h = hex(label, 10);
  return ['02', ...(h.match(/../g) ?? [])].join(':');
}

export function vtepMac(node: NodeSpec): string {
  return macFor(`vtep/${node.name}`);
}

/** cni0's address: the first host of the pod CIDR (10.224.1.1) */
export function gatewayIP(node: NodeSpec): string {
  const c = parseCidr(node.podCIDR);
  return c ? cidrHost(c, 1) : '0.0.0.0';
}

/** flannel.1's address: the pod CIDR's network address as a /32 (10.224.1.0) */
export function vtepIP(node: NodeSpec): string {
  return node.podCIDR.split('/')[0] ?? '0.0.0.0';
}

export function podPrefixLen(node: NodeSpec): number {
  return Number(node.podCIDR.split('/')[1] ?? 24);
}

export function underlayGateway(sc: Scenario): string {
  const c = parseCidr(sc.cluster.underlayCIDR);
  return c ? cidrHost(c, 1) : '0.0.0.0';
}

export function underlayPrefixLen(sc: Scenario): number {
  return Number(sc.cluster.underlayCIDR.split('/')[1] ?? 24);
}

/** flannel.1 and pod MTU: flannel subtracts the 50-byte VXLAN overhead from the underlay MTU */
export function vxlanMtu(sc: Scenario, node: NodeSpec): number {
  return node.faults.vxlanMtu ?? sc.cluster.nodeMtu - 50;
}
