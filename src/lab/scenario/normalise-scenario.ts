/**
 * @module lab/scenario/normalise-scenario
 * Shape-checked YAML data -> Scenario with every default filled in. Shorthands:
 * listeners `tcp:8080`, Service `name: ns/name`, flow targets `svc:ns/name:port`,
 * `pod:ns/name:port`, `IP:port`.
 */
import type { Reporter } from './parse-scenario.js';
import type {
  ClusterSpec,
  ExpectedCheck,
  FlowExpect,
  FlowSpec,
  FlowTarget,
  Listener,
  NodeFaults,
  NodeSpec,
  PodSpec,
  Proto,
  Scenario,
  ServicePortSpec,
  ServiceSpec,
} from './types.js';

type Raw = Record<string, unknown>;

export const DEFAULT_CLUSTER: Omit<ClusterSpec, 'faults' | 'servicesWithoutEndpoints'> = {
  clusterCIDR: '10.224.0.0/16',
  serviceCIDR: '10.233.0.0/16',
  underlayCIDR: '192.168.50.0/24',
  nodeMtu: 1500,
  fabricMtu: 1500,
};

function arr(v: unknown): Raw[] {
  return Array.isArray(v) ? (v as Raw[]) : [];
}

function listener(v: unknown): Listener {
  if (typeof v === 'string') {
    const [proto, port] = v.split(':');
    return { proto: proto as Proto, port: Number(port) };
  }
  const o = v as Raw;
  return { proto: (o.proto as Proto | undefined) ?? 'tcp', port: Number(o.port) };
}

function expectedCheck(text: string): ExpectedCheck {
  const [id, severity] = String(text).split(':');
  return severity ? { id: id!, severity: severity as ExpectedCheck['severity'] } : { id: id! };
}

export function parseTarget(text: string): FlowTarget | undefined {
  let m = /^svc:([a-z0-9-]+\/[a-z0-9.-]+):([A-Za-z0-9-]+)$/.exec(text);
  if (m) return { kind: 'service', ref: m[1]!, port: m[2]! };
  m = /^pod:((?:[a-z0-9-]+\/)?[a-z0-9-]+):(\d{1,5})$/.exec(text);
  if (m) return { kind: 'pod', ref: m[1]!, port: Number(m[2]) };
  m = /^(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}):(\d{1,5})$/.exec(text);
  if (m) return { kind: 'ip', ip: m[1]!, port: Number(m[2]) };
  return undefined;
}

function service(o: Raw, i: number, report: Reporter): ServiceSpec {
  let name = String(o.name);
  let namespace = (o.namespace as string | undefined) ?? 'default';
  if (name.includes('/')) {
    const [ns, n, extra] = name.split('/');
    if (!ns || !n || extra !== undefined || o.namespace !== undefined) {
      report('BAD_VALUE', `service name must be 'name' or 'namespace/name'`, `/services/${i}/name`);
    }
    namespace = ns ?? namespace;
    name = n ?? name;
  }
  const ports: ServicePortSpec[] = arr(o.ports).map((p) => ({
    name: (p.name as string | undefined) ?? '',
    port: Number(p.port),
    targetPort: Number(p.targetPort ?? p.port),
    protocol: String(p.protocol ?? 'TCP').toLowerCase() as Proto,
  }));
  return {
    namespace,
    name,
    clusterIP: String(o.clusterIP),
    ports,
    endpoints: ((o.endpoints as string[] | undefined) ?? []).map(String),
    sessionAffinity: (o.sessionAffinity as 'None' | 'ClientIP' | undefined) ?? 'None',
  };
}

/** Always returns a flow (a placeholder target on error) so indexes match the file. */
function flow(o: Raw, i: number, services: ServiceSpec[], report: Reporter): FlowSpec {
  const toText = String(o.to);
  let to = parseTarget(toText);
  if (!to) {
    report(
      'BAD_VALUE',
      `flow target must be svc:ns/name:port, pod:ns/name:port or IP:port, got '${toText}'`,
      `/flows/${i}/to`,
    );
    to = { kind: 'ip', ip: '0.0.0.0', port: 0 };
  }
  let proto = o.proto as Proto | undefined;
  if (!proto && to.kind === 'service') {
    const svc = services.find((s) => `${s.namespace}/${s.name}` === to.ref);
    const sp = svc?.ports.find((p) =>
      /^\d+$/.test(to.port) ? p.port === Number(to.port) : p.name === to.port,
    );
    proto = sp?.protocol;
  }
  const f: FlowSpec = {
    name: (o.name as string | undefined) ?? `flow-${i + 1}`,
    from: String(o.from),
    to,
    toText,
    proto: proto ?? 'tcp',
    replyBytes: Number(o.replyBytes ?? 0),
    differential: (o.differential as boolean | undefined) ?? true,
  };
  if (o.attempts !== undefined) f.attempts = Number(o.attempts);
  if (o.expect !== undefined) f.expect = o.expect as FlowExpect;
  if (o.note !== undefined) f.note = String(o.note);
  return f;
}

export function normaliseScenario(raw: Raw, report: Reporter): Scenario {
  const c = (raw.cluster as Raw | undefined) ?? {};
  const nodeMtu = Number(c.nodeMtu ?? DEFAULT_CLUSTER.nodeMtu);
  const cluster: ClusterSpec = {
    clusterCIDR: (c.clusterCIDR as string | undefined) ?? DEFAULT_CLUSTER.clusterCIDR,
    serviceCIDR: (c.serviceCIDR as string | undefined) ?? DEFAULT_CLUSTER.serviceCIDR,
    underlayCIDR: (c.underlayCIDR as string | undefined) ?? DEFAULT_CLUSTER.underlayCIDR,
    nodeMtu,
    fabricMtu: Number(c.fabricMtu ?? nodeMtu),
    faults: (c.faults as NodeFaults | undefined) ?? {},
    servicesWithoutEndpoints: ((c.servicesWithoutEndpoints as string[] | undefined) ?? []).map(String),
  };
  const nodes: NodeSpec[] = arr(raw.nodes).map((n) => ({
    name: String(n.name),
    podCIDR: String(n.podCIDR),
    underlayIP: String(n.underlayIP),
    faults: { ...cluster.faults, ...((n.faults as NodeFaults | undefined) ?? {}) },
  }));
  const pods: PodSpec[] = arr(raw.pods).map((p) => ({
    name: String(p.name),
    namespace: (p.namespace as string | undefined) ?? 'default',
    node: String(p.node),
    ip: String(p.ip),
    listeners: ((p.listeners as unknown[] | undefined) ?? []).map(listener),
  }));
  const services = arr(raw.services).map((s, i) => service(s, i, report));
  const flows = arr(raw.flows).map((f, i) => flow(f, i, services, report));
  return {
    name: String(raw.name),
    description: (raw.description as string | undefined)?.trim() ?? '',
    expectChecks: ((raw.expectChecks as string[] | undefined) ?? []).map(expectedCheck),
    iptablesBackend: (raw.iptablesBackend as 'legacy' | 'nft' | undefined) ?? 'legacy',
    proxyMode: (raw.proxyMode as 'iptables' | 'nftables' | undefined) ?? 'iptables',
    cluster,
    nodes,
    pods,
    services,
    flows,
  };
}
