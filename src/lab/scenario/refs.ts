/**
 * @module lab/scenario/refs
 * Resolves the references a scenario uses: pods (`ns/name` or a unique `name`), Services
 * (`ns/name`), Service ports (number or name) and flow sources (`node:<name>`).
 */
import type { NodeSpec, PodSpec, Scenario, ServicePortSpec, ServiceSpec } from './types.js';

export function podKey(p: PodSpec): string {
  return `${p.namespace}/${p.name}`;
}

export function serviceKey(s: ServiceSpec): string {
  return `${s.namespace}/${s.name}`;
}

export function findPod(sc: Scenario, ref: string): PodSpec | undefined {
  if (ref.includes('/')) return sc.pods.find((p) => podKey(p) === ref);
  const byName = sc.pods.filter((p) => p.name === ref);
  return byName.length === 1 ? byName[0] : undefined;
}

export function findService(sc: Scenario, ref: string): ServiceSpec | undefined {
  return sc.services.find((s) => serviceKey(s) === ref);
}

export function findServicePort(svc: ServiceSpec, port: string): ServicePortSpec | undefined {
  return /^\d+$/.test(port)
    ? svc.ports.find((p) => p.port === Number(port))
    : svc.ports.find((p) => p.name === port);
}

export function findNode(sc: Scenario, name: string): NodeSpec | undefined {
  return sc.nodes.find((n) => n.name === name);
}

/** A flow source: a pod, or a node's host network namespace (`node:node1`). */
export type FlowSource = { kind: 'pod'; pod: PodSpec; node: NodeSpec } | { kind: 'node'; node: NodeSpec };

export function findSource(sc: Scenario, from: string): FlowSource | undefined {
  if (from.startsWith('node:')) {
    const node = findNode(sc, from.slice(5));
    return node ? { kind: 'node', node } : undefined;
  }
  const pod = findPod(sc, from);
  const node = pod ? findNode(sc, pod.node) : undefined;
  return pod && node ? { kind: 'pod', pod, node } : undefined;
}

/** The endpoints kube-proxy would program for a Service (none when a fault empties it). */
export function activeEndpoints(sc: Scenario, svc: ServiceSpec): PodSpec[] {
  if (sc.cluster.servicesWithoutEndpoints.includes(serviceKey(svc))) return [];
  return svc.endpoints.map((r) => findPod(sc, r)).filter((p): p is PodSpec => p !== undefined);
}
