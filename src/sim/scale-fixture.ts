/**
 * @module sim/scale-fixture
 * The bundled two-node example with its nat table replaced by a generated kube-proxy rule
 * set of any size (parse/iptables-save/kube-proxy-fixture): endpoints alternate between
 * the pod subnets of node1 (10.224.1.0/24) and node2 (10.224.2.0/24), so every path of a
 * fan-out ends somewhere real. For scale tests and `npm run bench`.
 */
import type { NodeSnapshot } from '../snapshot/types.js';
import type { ClusterModel } from '../model/node.js';
import { kubeProxyRuleset, type KubeProxyFixture } from '../parse/iptables-save/kube-proxy-fixture.js';
import { clusterOf, exampleSnapshots } from './testing.js';

/** the n-th endpoint: even n on node1, odd n on node2, hosts .2 to .101 (a kubelet runs at most 110 pods) */
export function scaleEndpointIp(n: number): string {
  return `10.224.${1 + (n & 1)}.${2 + ((n >> 1) % 100)}`;
}

/** A client pod on node1 that is not an endpoint address pattern's first hit. */
export const SCALE_CLIENT = '10.224.1.34';

export interface ScaleFixture {
  fixture: KubeProxyFixture;
  snapshots: NodeSnapshot[];
}

/** Replaces the `*nat ... COMMIT` block of an iptables-save text. */
export function replaceNatTable(text: string, natBlock: string): string {
  const from = text.indexOf('*nat\n');
  const to = text.indexOf('COMMIT\n', from);
  if (from < 0 || to < 0) return text + natBlock;
  return text.slice(0, from) + natBlock + text.slice(to + 'COMMIT\n'.length);
}

export function scaleSnapshots(services: number, endpoints: number): ScaleFixture {
  const fixture = kubeProxyRuleset(services, endpoints, {
    clusterCidr: '10.224.0.0/16',
    endpointIp: scaleEndpointIp,
  });
  const nat = fixture.text.slice(fixture.text.indexOf('*nat\n'), fixture.text.lastIndexOf('COMMIT\n') + 7);
  const snapshots = exampleSnapshots();
  for (const s of snapshots) {
    const src = s.sources['iptables-legacy-save']!;
    src.stdout = replaceNatTable(src.stdout, nat);
  }
  return { fixture, snapshots };
}

export function scaleCluster(services: number, endpoints: number): ClusterModel {
  return clusterOf(scaleSnapshots(services, endpoints).snapshots);
}
