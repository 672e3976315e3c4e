/**
 * @module cluster/resolve-name
 * Names in `--from` / `--to`: `ns/pod` (or `pod:ns/pod`) for a pod, `svc:ns/name:port` or
 * `ns/name:port` for a Service port (a number or the port's name), `pod:ns/name:port` for a
 * pod port, and plain `IP` / `IP:PORT`. Errors say what was expected and what exists.
 */
import { isIPv4 } from '../util/ipv4.js';
import type { Inventory, InvService, Protocol } from './types.js';

export class NameError extends Error {
  override name = 'NameError';
}

export interface ResolvedSource {
  ip: string;
  /** `ns/pod` when given by name or known */
  label?: string;
  node?: string;
}

export interface ResolvedTarget {
  ip: string;
  port: number;
  proto?: 'tcp' | 'udp';
  label?: string;
}

function need(inv: Inventory | undefined, what: string): Inventory {
  if (!inv)
    throw new NameError(
      `${what}: names need an inventory (--cluster FILE, or --kubeconfig / a reachable API)`,
    );
  return inv;
}

function podIPv4(inv: Inventory, ref: string, flag: string): { ip: string; node?: string } {
  const [ns, name] = ref.split('/');
  const pod = inv.pods.find((p) => p.namespace === ns && p.name === name);
  if (!pod) {
    const near = inv.pods.filter((p) => p.name === name || p.namespace === ns).slice(0, 3);
    throw new NameError(
      `${flag} ${ref}: no pod ${ref} in ${inv.source}${near.length ? ` (did you mean ${near.map((p) => `${p.namespace}/${p.name}`).join(', ')}?)` : ''}`,
    );
  }
  const ip = pod.ips.find(isIPv4);
  if (!ip)
    throw new NameError(
      `${flag} ${ref}: pod has no IPv4 address in ${inv.source} (phase ${pod.phase ?? '?'})`,
    );
  return pod.node ? { ip, node: pod.node } : { ip };
}

export function findService(inv: Inventory, ref: string): InvService | undefined {
  const [ns, name] = ref.split('/');
  return inv.services.find((s) => s.namespace === ns && s.name === name);
}

export function resolveSource(spec: string, inv: Inventory | undefined, flag = '--from'): ResolvedSource {
  if (isIPv4(spec)) {
    const pod = inv?.pods.find((p) => p.ips.includes(spec) && !p.hostNetwork);
    return pod
      ? { ip: spec, label: `${pod.namespace}/${pod.name}`, ...(pod.node ? { node: pod.node } : {}) }
      : { ip: spec };
  }
  const ref = spec.replace(/^pod:/, '');
  if (!/^[a-z0-9.-]+\/[a-zA-Z0-9.-]+$/.test(ref))
    throw new NameError(`${flag} ${spec}: expected a pod IP or ns/pod (e.g. spring-prod/client)`);
  const p = podIPv4(need(inv, `${flag} ${spec}`), ref, flag);
  return { ...p, label: ref };
}

function lowerProto(p: Protocol): 'tcp' | 'udp' | undefined {
  return p === 'TCP' ? 'tcp' : p === 'UDP' ? 'udp' : undefined;
}

export function resolveTarget(spec: string, inv: Inventory | undefined, flag = '--to'): ResolvedTarget {
  const hp = spec.match(/^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/);
  if (hp) {
    if (!isIPv4(hp[1]!) || Number(hp[2]) > 65535 || Number(hp[2]) === 0)
      throw new NameError(`${flag} ${spec}: expected IP:PORT, e.g. 10.233.53.172:8080`);
    return { ip: hp[1]!, port: Number(hp[2]) };
  }
  const m = spec.match(/^(svc:|pod:)?([a-z0-9.-]+\/[a-zA-Z0-9.-]+):([A-Za-z0-9-]+)$/);
  if (!m)
    throw new NameError(
      `${flag} ${spec}: expected IP:PORT, svc:ns/name:port, ns/name:port or pod:ns/name:port`,
    );
  const [, kind, ref, portSpec] = m as unknown as [string, string | undefined, string, string];
  const i = need(inv, `${flag} ${spec}`);
  if (kind !== 'pod:') {
    const svc = findService(i, ref);
    if (svc) {
      const port = /^\d+$/.test(portSpec)
        ? svc.ports.find((p) => p.port === Number(portSpec))
        : svc.ports.find((p) => p.name === portSpec);
      if (!port)
        throw new NameError(
          `${flag} ${spec}: Service ${ref} has no port ${portSpec} (ports: ${svc.ports.map((p) => (p.name ? `${p.name}=${p.port}` : String(p.port))).join(', ') || 'none'})`,
        );
      const ip = svc.clusterIPs.find(isIPv4);
      if (!ip) throw new NameError(`${flag} ${spec}: Service ${ref} has no IPv4 ClusterIP (headless?)`);
      const proto = lowerProto(port.protocol);
      return { ip, port: port.port, label: `${ref}:${port.name ?? port.port}`, ...(proto ? { proto } : {}) };
    }
    if (kind === 'svc:') throw new NameError(`${flag} ${spec}: no Service ${ref} in ${i.source}`);
  }
  if (!/^\d+$/.test(portSpec) || Number(portSpec) > 65535)
    throw new NameError(`${flag} ${spec}: a pod port must be a number`);
  const p = podIPv4(i, ref, flag);
  return { ip: p.ip, port: Number(portSpec), label: ref };
}
