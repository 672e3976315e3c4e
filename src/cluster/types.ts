/**
 * @module cluster/types
 * The cluster inventory podpath needs from Kubernetes: nodes, pods, Services and
 * EndpointSlices, reduced to the fields that name addresses and tie endpoints to nodes.
 * Filled from the live API (cluster/read-api) or from `kubectl get ... -o json` (cluster/read-kubectl).
 */
import type { Diagnostic } from '../parse/diagnostic.js';

export interface InvNode {
  name: string;
  /** InternalIP, ExternalIP, Hostname ... */
  addresses: { type: string; address: string }[];
  podCIDRs: string[];
}

export interface InvPod {
  namespace: string;
  name: string;
  node?: string;
  ips: string[];
  hostNetwork: boolean;
  phase?: string;
}

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface InvServicePort {
  name?: string;
  port: number;
  protocol: Protocol;
  targetPort?: number | string;
}

export interface InvService {
  namespace: string;
  name: string;
  type: string;
  /** without "None" (headless Services have none) */
  clusterIPs: string[];
  ports: InvServicePort[];
}

export interface InvEndpoint {
  ip: string;
  node?: string;
  /** `ns/name` of the targetRef pod */
  pod?: string;
  ready: boolean;
}

export interface InvEndpointSlice {
  namespace: string;
  name: string;
  /** the Service it belongs to (label kubernetes.io/service-name) */
  service: string;
  ports: { name?: string; port: number; protocol: Protocol }[];
  endpoints: InvEndpoint[];
}

export interface Inventory {
  /** where it came from: a file name or `api <server>` */
  source: string;
  nodes: InvNode[];
  pods: InvPod[];
  services: InvService[];
  slices: InvEndpointSlice[];
  diagnostics: Diagnostic[];
}

export function emptyInventory(source: string): Inventory {
  return { source, nodes: [], pods: [], services: [], slices: [], diagnostics: [] };
}
