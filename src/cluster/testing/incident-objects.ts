/**
 * @module cluster/testing/incident-objects
 * The seed incident's cluster as the API server returns it (two nodes, the client and two
 * frontend pods, the Service and its EndpointSlice), with the fields real objects carry.
 */
type Obj = Record<string, unknown>;

const created = '2026-12-01T08:00:00Z';

function node(name: string, ip: string, podCIDR: string): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      uid: `0b0c${name}`,
      resourceVersion: '512',
      creationTimestamp: created,
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' },
    },
    spec: { podCIDR, podCIDRs: [podCIDR] },
    status: {
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: name },
      ],
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          lastHeartbeatTime: created,
          lastTransitionTime: created,
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
        },
      ],
      nodeInfo: { kernelVersion: '5.10.0', kubeProxyVersion: 'v1.28.2', osImage: 'Debian GNU/Linux 12' },
    },
  };
}

function pod(ns: string, name: string, nodeName: string, ip: string, hostIP: string, port?: number): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: ns,
      uid: `7f3a${name}`,
      resourceVersion: '640',
      creationTimestamp: created,
      labels: { app: name.startsWith('frontend') ? 'panorama-v2-frontend' : name },
    },
    spec: {
      nodeName,
      containers: [
        {
          name: 'main',
          image: 'registry.local/app:1.0',
          ...(port ? { ports: [{ containerPort: port, protocol: 'TCP' }] } : {}),
        },
      ],
    },
    status: { phase: 'Running', hostIP, podIP: ip, podIPs: [{ ip }], startTime: created },
  };
}

export function incidentObjects(): Record<string, Obj[]> {
  const ns = 'spring-prod';
  return {
    nodes: [node('node1', '192.168.50.11', '10.224.1.0/24'), node('node2', '192.168.50.12', '10.224.2.0/24')],
    pods: [
      pod(ns, 'client', 'node1', '10.224.1.34', '192.168.50.11'),
      pod(ns, 'frontend-a', 'node1', '10.224.1.56', '192.168.50.11', 8080),
      pod(ns, 'frontend-b', 'node2', '10.224.2.23', '192.168.50.12', 8080),
    ],
    services: [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {
          name: 'panorama-v2-frontend-service',
          namespace: ns,
          uid: 'svc1',
          resourceVersion: '700',
          creationTimestamp: created,
        },
        spec: {
          type: 'ClusterIP',
          clusterIP: '10.233.53.172',
          clusterIPs: ['10.233.53.172'],
          ipFamilies: ['IPv4'],
          selector: { app: 'panorama-v2-frontend' },
          ports: [{ name: 'http', port: 8080, protocol: 'TCP', targetPort: 8080 }],
          sessionAffinity: 'None',
        },
        status: { loadBalancer: {} },
      },
    ],
    endpointslices: [
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        addressType: 'IPv4',
        metadata: {
          name: 'panorama-v2-frontend-service-x7k2p',
          namespace: ns,
          generateName: 'panorama-v2-frontend-service-',
          uid: 'eps1',
          resourceVersion: '701',
          creationTimestamp: created,
          labels: {
            'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
            'kubernetes.io/service-name': 'panorama-v2-frontend-service',
          },
        },
        endpoints: [
          {
            addresses: ['10.224.1.56'],
            conditions: { ready: true, serving: true, terminating: false },
            nodeName: 'node1',
            targetRef: { kind: 'Pod', namespace: ns, name: 'frontend-a', uid: '7f3afrontend-a' },
          },
          {
            addresses: ['10.224.2.23'],
            conditions: { ready: true, serving: true, terminating: false },
            nodeName: 'node2',
            targetRef: { kind: 'Pod', namespace: ns, name: 'frontend-b', uid: '7f3afrontend-b' },
          },
        ],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ],
  };
}

/** `kubectl get nodes,pods,services,endpointslices -A -o json`: one List of every object. */
export function incidentKubectlList(): Obj {
  const o = incidentObjects();
  return {
    apiVersion: 'v1',
    kind: 'List',
    metadata: { resourceVersion: '' },
    items: [...o['nodes']!, ...o['pods']!, ...o['services']!, ...o['endpointslices']!],
  };
}
