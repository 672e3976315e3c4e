/**
 * @module checks/topology
 * Where the pods are on a node: Linux bridges with veth ports, the IPv4 pod subnets (bridge
 * addresses, routes to veth/cali devices, pod namespace addresses) and the pod-facing links.
 */
import type { NodeModel } from '../model/node.js';
import type { Link } from '../model/net.js';
import { intToIp, maskOf, parseCidr } from '../util/ipv4.js';

export interface PodBridge {
  bridge: Link;
  ports: Link[];
}

/** Linux bridges of the node that have veth ports (pods behind them). */
export function podBridges(node: NodeModel): PodBridge[] {
  const out: PodBridge[] = [];
  for (const br of node.host.links) {
    if (br.kind !== 'bridge') continue;
    const ports = node.host.links.filter((l) => l.master === br.name && l.kind === 'veth');
    if (ports.length) out.push({ bridge: br, ports });
  }
  return out;
}

export interface PodNet {
  /** network address as an unsigned integer */
  addr: number;
  len: number;
  /** `10.224.1.0/24` */
  text: string;
  /** where it was learnt: `cni0 address`, `route via cali12`, `pod eth0` */
  from: string;
  /** bridge that holds it (same L2 segment) */
  bridge?: string;
}

function net(ip: string, len: number, from: string, bridge?: string): PodNet | undefined {
  const c = parseCidr(`${ip}/${len}`);
  if (!c) return undefined;
  const addr = (c.addr & maskOf(len)) >>> 0;
  return { addr, len, text: `${intToIp(addr)}/${len}`, from, bridge };
}

/** IPv4 pod subnets of the node (deduplicated). */
export function podNets(node: NodeModel): PodNet[] {
  const out: PodNet[] = [];
  const add = (n: PodNet | undefined) => {
    if (n && !out.some((o) => o.addr === n.addr && o.len === n.len)) out.push(n);
  };
  for (const { bridge } of podBridges(node))
    for (const a of node.host.addrs)
      if (a.ifname === bridge.name && a.family === 'inet')
        add(net(a.local, a.prefixlen, `${bridge.name} address`, bridge.name));
  const veths = new Set(node.host.links.filter((l) => l.kind === 'veth' && !l.master).map((l) => l.name));
  for (const r of node.host.routes)
    if (r.family === 'inet' && r.dev && veths.has(r.dev) && r.dst !== 'default' && r.table === 'main') {
      const [ip, len] = r.dst.split('/');
      if (ip) add(net(ip, Number(len ?? 32), `route via ${r.dev}`));
    }
  for (const p of node.pods)
    for (const a of p.addrs)
      if (a.family === 'inet' && a.ifname !== 'lo' && a.scope !== 'host')
        add(net(a.local, 32, `pod ${p.pod ? `${p.pod.namespace}/${p.pod.name}` : p.name} ${a.ifname}`));
  return out;
}

/** Does prefix `c` cover the whole pod net `n`? */
export function coversNet(c: { addr: string; len: number }, n: PodNet): boolean {
  const p = parseCidr(`${c.addr}/${c.len}`);
  return !!p && p.len <= n.len && (n.addr & maskOf(p.len)) >>> 0 === p.addr;
}

/** Links that carry pod traffic: bridges with pods, their ports, routed veths, tunnels. */
export function podFacingLinks(node: NodeModel): Link[] {
  const names = new Set<string>();
  for (const b of podBridges(node)) {
    names.add(b.bridge.name);
    for (const p of b.ports) names.add(p.name);
  }
  for (const l of node.host.links)
    if ((l.kind === 'veth' && !l.master) || l.kind === 'vxlan' || l.kind === 'ipip' || l.kind === 'wireguard')
      names.add(l.name);
  return node.host.links.filter((l) => names.has(l.name));
}

/** Does an iptables interface pattern (`cni0`, `veth+`, `cali+`) name one of `links`? */
export function ifaceMatches(pattern: string, links: Link[]): boolean {
  if (pattern.endsWith('+')) return links.some((l) => l.name.startsWith(pattern.slice(0, -1)));
  return links.some((l) => l.name === pattern);
}

/** IPv6 global addresses inside pods (or on pod bridges): the node runs IPv6 pod traffic. */
export function podsUseIpv6(node: NodeModel): boolean {
  const global = (a: { family: string; scope?: string; ifname: string; local: string }) =>
    a.family === 'inet6' &&
    a.scope !== 'link' &&
    a.scope !== 'host' &&
    a.ifname !== 'lo' &&
    !a.local.toLowerCase().startsWith('fe80');
  if (node.pods.some((p) => p.addrs.some(global))) return true;
  const bridges = new Set(podBridges(node).map((b) => b.bridge.name));
  return node.host.addrs.some((a) => bridges.has(a.ifname) && global(a));
}
