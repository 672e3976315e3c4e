/**
 * @module lab/probe/resolve-flow
 * Scenario flow -> addresses, namespaces and the endpoint table the probe needs.
 */
import { nodeNetns, podNetns } from '../build/names.js';
import {
  activeEndpoints,
  findPod,
  findService,
  findServicePort,
  findSource,
  podKey,
} from '../scenario/refs.js';
import type { FlowSpec, Scenario } from '../scenario/types.js';
import { endpointChainName, servicePortName } from '../rules/kube-hash.js';
import type { ResolvedFlow } from './types.js';

export function resolveFlow(sc: Scenario, flow: FlowSpec, prefix: string): ResolvedFlow {
  const source = findSource(sc, flow.from);
  if (!source) throw new Error(`flow ${flow.name}: unknown source ${flow.from}`);
  let dst: string;
  let dport: number;
  const endpoints: Record<string, string> = {};
  const sepChains: Record<string, string> = {};
  let targetPod: string | undefined;
  const t = flow.to;
  if (t.kind === 'service') {
    const svc = findService(sc, t.ref);
    const sp = svc && findServicePort(svc, t.port);
    if (!svc || !sp) throw new Error(`flow ${flow.name}: unknown Service port ${t.ref}:${t.port}`);
    dst = svc.clusterIP;
    dport = sp.port;
    const spn = servicePortName(svc.namespace, svc.name, sp.name);
    for (const p of activeEndpoints(sc, svc)) {
      const ep = `${p.ip}:${sp.targetPort}`;
      endpoints[ep] = podKey(p);
      sepChains[endpointChainName(spn, sp.protocol, ep)] = ep;
    }
  } else if (t.kind === 'pod') {
    const pod = findPod(sc, t.ref);
    if (!pod) throw new Error(`flow ${flow.name}: unknown pod ${t.ref}`);
    dst = pod.ip;
    dport = t.port;
    targetPod = podKey(pod);
    endpoints[`${pod.ip}:${t.port}`] = targetPod;
  } else {
    dst = t.ip;
    dport = t.port;
    const pod = sc.pods.find((p) => p.ip === t.ip);
    if (pod) {
      targetPod = podKey(pod);
      endpoints[`${pod.ip}:${t.port}`] = targetPod;
    }
  }
  const n = Object.keys(endpoints).length;
  const attempts = flow.attempts ?? (t.kind === 'service' && n > 1 ? Math.max(12, 8 * n) : 1);
  const r: ResolvedFlow = {
    scenario: sc.name,
    name: flow.name,
    proto: flow.proto,
    from: flow.from,
    to: flow.toText,
    netns: source.kind === 'pod' ? podNetns(prefix, source.pod) : nodeNetns(prefix, source.node.name),
    node: source.node.name,
    src: source.kind === 'pod' ? source.pod.ip : source.node.underlayIP,
    dst,
    dport,
    attempts,
    replyBytes: flow.replyBytes,
    endpoints,
    sepChains,
    backend: sc.iptablesBackend,
    differential: flow.differential,
  };
  if (targetPod) r.targetPod = targetPod;
  if (flow.expect !== undefined) r.expect = flow.expect;
  if (flow.note !== undefined) r.note = flow.note;
  return r;
}
