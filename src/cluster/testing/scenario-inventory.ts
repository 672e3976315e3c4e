/**
 * @module cluster/testing/scenario-inventory
 * A lab scenario as `kubectl get nodes,pods,services,endpointslices -A -o json` would show
 * that cluster, so probe and doctor can be run by name inside a lab.
 */
import type { Scenario } from '../../lab/scenario/types.js';

export function scenarioKubectlList(sc: Scenario): Record<string, unknown> {
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
      metadata: { name: p.name, namespace: p.namespace },
      spec: { nodeName: p.node, containers: [{ name: 'main', image: 'lab' }] },
      status: { phase: 'Running', podIP: p.ip, podIPs: [{ ip: p.ip }] },
    });
  for (const s of sc.services) {
    const ports = s.ports.map((p) => ({
      name: p.name,
      port: p.port,
      targetPort: p.targetPort,
      protocol: p.protocol.toUpperCase(),
    }));
    items.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: s.name, namespace: s.namespace },
      spec: { type: 'ClusterIP', clusterIP: s.clusterIP, clusterIPs: [s.clusterIP], ports },
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
