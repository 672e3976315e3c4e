/**
 * @module lab/cluster-inventory
 * A lab scenario as `kubectl get nodes,pods,services,endpointslices -A -o json` would print
 * it (the fields podpath reads: names, pod IPs, cluster IPs, node addresses, endpoints), so
 * commands that take `--cluster` (pcap, probe, doctor) can be run against a lab as against a
 * real cluster.
 */
import type { Scenario } from './scenario/types.js';

export interface KubeList {
  apiVersion: 'v1';
  kind: 'List';
  items: Record<string, unknown>[];
}

export function clusterInventory(sc: Scenario): KubeList {
  const items: Record<string, unknown>[] = [];
  for (const n of sc.nodes)
    items.push({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: n.name },
      spec: { podCIDR: n.podCIDR, podCIDRs: [n.podCIDR] },
      status: {
        addresses: [
          { type: 'InternalIP', address: n.underlayIP },
          { type: 'Hostname', address: n.name },
        ],
      },
    });
  for (const p of sc.pods)
    items.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { namespace: p.namespace, name: p.name },
      spec: { nodeName: p.node },
      status: { phase: 'Running', podIP: p.ip, podIPs: [{ ip: p.ip }] },
    });
  for (const s of sc.services) {
    items.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { namespace: s.namespace, name: s.name },
      spec: {
        type: 'ClusterIP',
        clusterIP: s.clusterIP,
        clusterIPs: [s.clusterIP],
        sessionAffinity: s.sessionAffinity,
        ports: s.ports.map((p) => ({
          name: p.name || undefined,
          port: p.port,
          targetPort: p.targetPort,
          protocol: p.protocol.toUpperCase(),
        })),
      },
    });
    items.push({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      addressType: 'IPv4',
      metadata: {
        name: `${s.name}-lab`,
        namespace: s.namespace,
        labels: { 'kubernetes.io/service-name': s.name },
      },
      ports: s.ports.map((p) => ({ name: p.name, port: p.targetPort, protocol: p.protocol.toUpperCase() })),
      endpoints: s.endpoints.flatMap((ref) => {
        const pod = sc.pods.find((p) => `${p.namespace}/${p.name}` === ref);
        return pod
          ? [
              {
                addresses: [pod.ip],
                nodeName: pod.node,
                conditions: { ready: true },
                targetRef: { kind: 'Pod', namespace: pod.namespace, name: pod.name },
              },
            ]
          : [];
      }),
    });
  }
  return { apiVersion: 'v1', kind: 'List', items };
}
