/**
 * @module lab/scenario/validate-scenario
 * The meaning of a scenario: unique names, address plans that add up (pod IPs inside
 * their node's podCIDR, podCIDRs inside clusterCIDR, ClusterIPs inside serviceCIDR),
 * and references that resolve (pods, nodes, Services, ports, expected endpoints, expected
 * check ids).
 */
import type { Reporter } from './parse-scenario.js';
import { cidrContains, cidrWithin, parseCidr, parseIPv4, type Cidr } from './ipv4.js';
import {
  activeEndpoints,
  findPod,
  findService,
  findServicePort,
  findSource,
  podKey,
  serviceKey,
} from './refs.js';
import type { Scenario } from './types.js';
import { checkById } from '../../checks/index.js';

function duplicates<T>(items: T[], key: (t: T) => string, report: (i: number, k: string) => void): void {
  const seen = new Set<string>();
  items.forEach((t, i) => {
    const k = key(t);
    if (seen.has(k)) report(i, k);
    seen.add(k);
  });
}

function cidrOf(text: string, pointer: string, report: Reporter): Cidr | undefined {
  const c = parseCidr(text);
  if (!c) report('BAD_VALUE', `'${text}' is not an IPv4 network address with a prefix length`, pointer);
  return c;
}

function ipOf(text: string, pointer: string, report: Reporter): number | undefined {
  const n = parseIPv4(text);
  if (n === undefined) report('BAD_VALUE', `'${text}' is not an IPv4 address`, pointer);
  return n;
}

function validateAddressing(sc: Scenario, report: Reporter): void {
  const cluster = cidrOf(sc.cluster.clusterCIDR, '/cluster/clusterCIDR', report);
  const services = cidrOf(sc.cluster.serviceCIDR, '/cluster/serviceCIDR', report);
  const underlay = cidrOf(sc.cluster.underlayCIDR, '/cluster/underlayCIDR', report);
  if (sc.cluster.fabricMtu > sc.cluster.nodeMtu) {
    report(
      'BAD_VALUE',
      `fabricMtu ${sc.cluster.fabricMtu} is larger than nodeMtu ${sc.cluster.nodeMtu}`,
      '/cluster/fabricMtu',
    );
  }
  const podCidrs: (Cidr | undefined)[] = [];
  sc.nodes.forEach((n, i) => {
    const c = cidrOf(n.podCIDR, `/nodes/${i}/podCIDR`, report);
    podCidrs.push(c);
    if (c && cluster && !cidrWithin(c, cluster)) {
      report(
        'BAD_VALUE',
        `podCIDR ${n.podCIDR} is not inside clusterCIDR ${sc.cluster.clusterCIDR}`,
        `/nodes/${i}/podCIDR`,
      );
    }
    if (c && c.len > 30) report('BAD_VALUE', `podCIDR ${n.podCIDR} is too small`, `/nodes/${i}/podCIDR`);
    podCidrs.slice(0, i).forEach((o) => {
      if (c && o && (cidrWithin(c, o) || cidrWithin(o, c))) {
        report('DUPLICATE', `podCIDR ${n.podCIDR} overlaps ${o.text}`, `/nodes/${i}/podCIDR`);
      }
    });
    const u = ipOf(n.underlayIP, `/nodes/${i}/underlayIP`, report);
    if (u !== undefined && underlay) {
      if (!cidrContains(underlay, u)) {
        report(
          'BAD_VALUE',
          `underlayIP ${n.underlayIP} is not inside underlayCIDR ${sc.cluster.underlayCIDR}`,
          `/nodes/${i}/underlayIP`,
        );
      } else if (
        u === underlay.base ||
        u === underlay.base + 1 ||
        u === underlay.base + 2 ** (32 - underlay.len) - 1
      ) {
        report(
          'BAD_VALUE',
          `underlayIP ${n.underlayIP} is the network, gateway or broadcast address`,
          `/nodes/${i}/underlayIP`,
        );
      }
    }
  });
  sc.pods.forEach((p, i) => {
    const ip = ipOf(p.ip, `/pods/${i}/ip`, report);
    const ni = sc.nodes.findIndex((n) => n.name === p.node);
    if (ni < 0) {
      report('BAD_VALUE', `pod ${podKey(p)} is on unknown node '${p.node}'`, `/pods/${i}/node`);
      return;
    }
    const c = podCidrs[ni];
    if (ip === undefined || !c) return;
    if (!cidrContains(c, ip)) {
      report('BAD_VALUE', `pod IP ${p.ip} is not inside ${p.node}'s podCIDR ${c.text}`, `/pods/${i}/ip`);
    } else if (ip === c.base || ip === c.base + 1 || ip === c.base + 2 ** (32 - c.len) - 1) {
      report(
        'BAD_VALUE',
        `pod IP ${p.ip} is the network, gateway (cni0) or broadcast address`,
        `/pods/${i}/ip`,
      );
    }
  });
  sc.services.forEach((s, i) => {
    const ip = ipOf(s.clusterIP, `/services/${i}/clusterIP`, report);
    if (ip !== undefined && services && !cidrContains(services, ip)) {
      report(
        'BAD_VALUE',
        `clusterIP ${s.clusterIP} is not inside serviceCIDR ${sc.cluster.serviceCIDR}`,
        `/services/${i}/clusterIP`,
      );
    }
  });
}

function validateNames(sc: Scenario, report: Reporter): void {
  duplicates(
    sc.nodes,
    (n) => n.name,
    (i, k) => report('DUPLICATE', `node '${k}' declared twice`, `/nodes/${i}/name`),
  );
  duplicates(
    sc.nodes,
    (n) => n.underlayIP,
    (i, k) => report('DUPLICATE', `underlay IP ${k} used twice`, `/nodes/${i}/underlayIP`),
  );
  duplicates(sc.pods, podKey, (i, k) => report('DUPLICATE', `pod '${k}' declared twice`, `/pods/${i}/name`));
  duplicates(
    sc.pods,
    (p) => p.ip,
    (i, k) => report('DUPLICATE', `pod IP ${k} used twice`, `/pods/${i}/ip`),
  );
  sc.pods.forEach((p, i) =>
    duplicates(
      p.listeners,
      (l) => `${l.proto}:${l.port}`,
      (j, k) => report('DUPLICATE', `listener ${k} twice`, `/pods/${i}/listeners/${j}`),
    ),
  );
  duplicates(sc.services, serviceKey, (i, k) =>
    report('DUPLICATE', `service '${k}' declared twice`, `/services/${i}/name`),
  );
  duplicates(
    sc.services,
    (s) => s.clusterIP,
    (i, k) => report('DUPLICATE', `clusterIP ${k} used twice`, `/services/${i}/clusterIP`),
  );
  duplicates(
    sc.flows,
    (f) => f.name,
    (i, k) => report('DUPLICATE', `flow '${k}' declared twice`, `/flows/${i}/name`),
  );
}

function validateServices(sc: Scenario, report: Reporter): void {
  sc.services.forEach((s, i) => {
    if (s.ports.length > 1) {
      s.ports.forEach((p, j) => {
        if (!p.name)
          report(
            'BAD_VALUE',
            'a Service with several ports must name each port',
            `/services/${i}/ports/${j}`,
          );
      });
    }
    duplicates(
      s.ports,
      (p) => `${p.protocol}/${p.port}`,
      (j, k) => report('DUPLICATE', `port ${k} twice`, `/services/${i}/ports/${j}/port`),
    );
    s.endpoints.forEach((ref, j) => {
      if (!findPod(sc, ref))
        report(
          'BAD_VALUE',
          `endpoint '${ref}' is not a pod of this scenario`,
          `/services/${i}/endpoints/${j}`,
        );
    });
  });
  sc.cluster.servicesWithoutEndpoints.forEach((ref, j) => {
    if (!findService(sc, ref))
      report(
        'BAD_VALUE',
        `'${ref}' is not a Service of this scenario`,
        `/cluster/servicesWithoutEndpoints/${j}`,
      );
  });
}

function validateFlows(sc: Scenario, report: Reporter): void {
  sc.flows.forEach((f, i) => {
    const at = `/flows/${i}`;
    if (!findSource(sc, f.from))
      report('BAD_VALUE', `flow source '${f.from}' is neither a pod nor node:<name>`, `${at}/from`);
    const t = f.to;
    if (t.kind === 'service') {
      const svc = findService(sc, t.ref);
      const sp = svc && findServicePort(svc, t.port);
      if (!svc) report('BAD_VALUE', `flow target Service '${t.ref}' does not exist`, `${at}/to`);
      else if (!sp) report('BAD_VALUE', `Service ${t.ref} has no port '${t.port}'`, `${at}/to`);
      else if (sp.protocol !== f.proto)
        report(
          'BAD_VALUE',
          `Service port ${t.ref}:${t.port} is ${sp.protocol}, flow is ${f.proto}`,
          `${at}/proto`,
        );
      if (svc && f.expect && typeof f.expect === 'object') {
        const eps = activeEndpoints(sc, svc);
        for (const k of Object.keys(f.expect)) {
          const pod = findPod(sc, k);
          if (!pod || !eps.includes(pod))
            report('BAD_VALUE', `'${k}' is not an endpoint of ${t.ref}`, `${at}/expect`, k);
        }
      }
    } else {
      const placeholder = t.kind === 'ip' && t.ip === '0.0.0.0' && t.port === 0;
      if (f.expect && typeof f.expect === 'object' && !placeholder) {
        report('BAD_VALUE', 'per-endpoint expectations need a Service target', `${at}/expect`);
      }
      if (t.kind === 'pod' && !findPod(sc, t.ref))
        report('BAD_VALUE', `flow target pod '${t.ref}' does not exist`, `${at}/to`);
      if (t.kind === 'ip' && !placeholder && parseIPv4(t.ip) === undefined) {
        report('BAD_VALUE', `'${t.ip}' is not an IPv4 address`, `${at}/to`);
      }
      if (!placeholder && (t.port < 1 || t.port > 65535))
        report('BAD_VALUE', `port ${t.port} out of range`, `${at}/to`);
    }
  });
}

function validateExpectChecks(sc: Scenario, report: Reporter): void {
  duplicates(
    sc.expectChecks,
    (e) => e.id,
    (i, k) => report('DUPLICATE', `check '${k}' expected twice`, `/expectChecks/${i}`),
  );
  sc.expectChecks.forEach((e, i) => {
    if (!checkById(e.id))
      report(
        'BAD_VALUE',
        `'${e.id}' is not a check id (see podpath check --help, ALL_CHECKS)`,
        `/expectChecks/${i}`,
      );
  });
}

export function validateScenario(sc: Scenario, report: Reporter): void {
  validateAddressing(sc, report);
  validateExpectChecks(sc, report);
  validateNames(sc, report);
  validateServices(sc, report);
  validateFlows(sc, report);
}
