/**
 * @module report/path-graph
 * One simulated path (request and reply hops) -> the boxes and arrows of its diagram:
 * a box per node, inside it the pods, veths, the bridge, the netfilter hooks with their
 * tables (raw, conntrack, mangle, nat, filter, confirm), routing, VXLAN and the NIC. Every
 * hop is mapped to the box of the kernel part it models; the request and the reply become
 * two chains of arrows, and the hop where the path breaks marks its box. Pure: no layout.
 */
import type { ClusterModel, NodeModel } from '../model/node.js';
import type { Hop, PathResult } from '../sim/types.js';

export type ElementKind =
  'node' | 'pod' | 'veth' | 'bridge' | 'hook' | 'table' | 'routing' | 'vxlan' | 'nic' | 'socket' | 'callout';

export interface Element {
  id: string;
  kind: ElementKind;
  /** first line (the name), second line (detail) */
  label: string;
  sub?: string;
  parent?: string;
  /** hop numbers (1-based, 'q' request / 'r' reply) that visit it */
  visits: string[];
  broken?: boolean;
}

export interface Arrow {
  id: string;
  from: string;
  to: string;
  leg: 'request' | 'reply' | 'callout';
  /** the arrow ends at the box where the path breaks */
  broken?: boolean;
}

export interface PathGraph {
  elements: Element[];
  arrows: Arrow[];
}

/** IPv4 tables per hook, in priority order (ARCHITECTURE §2; 'conntrack' is nf_conntrack_in, 'confirm' nf_confirm). */
export const HOOK_TABLES: Record<string, string[]> = {
  PREROUTING: ['raw', 'conntrack', 'mangle', 'nat'],
  INPUT: ['mangle', 'filter', 'nat', 'confirm'],
  FORWARD: ['mangle', 'filter'],
  OUTPUT: ['raw', 'conntrack', 'mangle', 'nat', 'filter'],
  POSTROUTING: ['mangle', 'nat', 'confirm'],
};
const ALWAYS_HOOKS = ['PREROUTING', 'FORWARD', 'POSTROUTING'];

interface Place {
  elems: string[];
  /** the element that stands for the hop (highlighted when it breaks) */
  main: string;
}

function hookOf(detail: string | undefined): { hook?: string; table?: string } {
  if (!detail) return {};
  const parts = detail.split(/\s+/);
  const hook = parts.find((p) => p in HOOK_TABLES);
  const table = parts.find((p) => !(p in HOOK_TABLES));
  return { hook, table };
}

class GraphBuilder {
  readonly elements = new Map<string, Element>();
  readonly arrows = new Map<string, Arrow>();

  private readonly cluster: ClusterModel;

  constructor(cluster: ClusterModel) {
    this.cluster = cluster;
  }

  node(name: string): NodeModel | undefined {
    return this.cluster.nodes.find((n) => n.name === name);
  }

  add(id: string, kind: ElementKind, label: string, parent?: string, sub?: string): string {
    if (!this.elements.has(id)) this.elements.set(id, { id, kind, label, sub, parent, visits: [] });
    return id;
  }

  nodeBox(node: string): string {
    const n = this.node(node);
    const addr = n?.host.addrs.find(
      (a) =>
        a.family === 'inet' &&
        a.ifname !== 'lo' &&
        !a.ifname.startsWith('cni') &&
        !a.ifname.startsWith('flannel'),
    );
    const id = this.add(
      `node:${node}`,
      'node',
      `node ${node}`,
      undefined,
      addr ? `${addr.local}${n?.kernel ? `  kernel ${n.kernel}` : ''}` : n?.kernel,
    );
    for (const hook of ALWAYS_HOOKS) this.hook(node, hook);
    return id;
  }

  hook(node: string, hook: string): string {
    const parent = `node:${node}`;
    const id = this.add(`hook:${node}:${hook}`, 'hook', hook, parent);
    for (const t of HOOK_TABLES[hook] ?? []) this.add(`table:${node}:${hook}:${t}`, 'table', t, id);
    return id;
  }

  table(node: string, hook: string, table: string): string {
    this.hook(node, hook);
    const known = HOOK_TABLES[hook]?.includes(table);
    return known
      ? `table:${node}:${hook}:${table}`
      : this.add(`table:${node}:${hook}:${table}`, 'table', table, `hook:${node}:${hook}`);
  }

  pod(node: string, ns: string): string {
    const n = this.node(node);
    const p = n?.pods.find((x) => x.name === ns);
    const name = p?.pod ? `${p.pod.namespace}/${p.pod.name}` : ns;
    const ip = p?.addrs.find((a) => a.family === 'inet' && a.ifname !== 'lo')?.local;
    return this.add(`pod:${node}:${ns}`, 'pod', `pod ${name}`, `node:${node}`, ip ? `${ip} eth0` : undefined);
  }

  device(node: string, dev: string): string {
    const n = this.node(node);
    const link = n?.host.links.find((l) => l.name === dev);
    const kind: ElementKind =
      link?.kind === 'bridge'
        ? 'bridge'
        : link?.kind === 'veth'
          ? 'veth'
          : link?.kind === 'vxlan'
            ? 'vxlan'
            : dev.startsWith('veth')
              ? 'veth'
              : 'nic';
    const addr = n?.host.addrs.find((a) => a.family === 'inet' && a.ifname === dev)?.local;
    const label = kind === 'bridge' ? `bridge ${dev}` : kind === 'vxlan' ? `VXLAN ${dev}` : dev;
    const sub =
      kind === 'vxlan'
        ? `VNI ${link?.vxlan?.id ?? '?'}${addr ? ` ${addr}` : ''}`
        : kind === 'veth'
          ? `veth${link?.master ? ` on ${link.master}` : ''}`
          : addr;
    return this.add(`dev:${node}:${dev}`, kind, label, `node:${node}`, sub);
  }

  bridgeOf(node: string, dev: string | undefined): string | undefined {
    if (!dev) return undefined;
    const link = this.node(node)?.host.links.find((l) => l.name === dev);
    if (link?.kind === 'bridge') return dev;
    return link?.master;
  }

  /** the routing decision for received packets (ip_route_input, ip_forward) or for locally sent ones (ip_route_output) */
  routing(node: string, output = false): string {
    return output
      ? this.add(`routing-out:${node}`, 'routing', 'routing (output)', `node:${node}`, 'ip_route_output')
      : this.add(`routing:${node}`, 'routing', 'routing', `node:${node}`, 'ip_route_input / ip_forward');
  }

  place(h: Hop): Place {
    const node = h.node;
    this.nodeBox(node);
    if (h.ns !== 'host') {
      const id = this.pod(node, h.ns);
      return { elems: [id], main: id };
    }
    const st = h.stage;
    const { hook, table } = hookOf(h.detail);
    if (st.includes('nf_conntrack_in') && hook) {
      const id = this.table(node, hook, 'conntrack');
      return { elems: [id], main: id };
    }
    if ((st === 'ipt_do_table' || st.startsWith('nft_do_chain')) && hook) {
      const id = this.table(node, hook, table ?? 'filter');
      return { elems: [id], main: id };
    }
    if (st.startsWith('nf_nat_') && hook) {
      const id = this.table(node, hook, 'nat');
      return { elems: [id], main: id };
    }
    if (st === 'nf_confirm' && hook) {
      const id = this.table(node, hook, 'confirm');
      return { elems: [id], main: id };
    }
    const br = this.bridgeOf(node, h.device);
    if (st === 'br_handle_frame' && h.device) {
      const port = this.device(node, h.device);
      const bridge = br && br !== h.device ? this.device(node, br) : port;
      return { elems: [port, bridge], main: bridge };
    }
    if ((st === 'br_forward' || st === 'br_dev_xmit') && h.device) {
      const bridge = br && br !== h.device ? this.device(node, br) : undefined;
      const port = this.device(node, h.device);
      return { elems: bridge ? [bridge, port] : [port], main: bridge ?? port };
    }
    if (st.startsWith('br_nf') || st.startsWith('br_')) {
      const id = br ? this.device(node, br) : this.routing(node);
      return { elems: [id], main: id };
    }
    if (st.startsWith('vxlan_') && h.device) {
      const id = this.device(node, h.device);
      return { elems: [id], main: id };
    }
    if (st === 'dev_queue_xmit' && h.device) {
      const id = this.device(node, h.device);
      return { elems: [id], main: id };
    }
    if (st === 'ip_rcv' && h.device) {
      // entering the IP stack by a device: the bridge itself (routed from a pod) or a NIC / VXLAN device
      const id = this.device(node, h.device);
      return { elems: [id], main: id };
    }
    if (st === 'tcp_v4_rcv' || st === 'udp_rcv' || st === 'ip_local_deliver') {
      const id = this.add(`socket:${node}`, 'socket', 'host sockets', `node:${node}`);
      return { elems: [id], main: id };
    }
    const id = this.routing(node, /output|neigh_|me_harder/.test(st));
    return { elems: [id], main: id };
  }

  leg(hops: Hop[], leg: 'request' | 'reply', broken?: number): void {
    let prev: string | undefined;
    hops.forEach((h, i) => {
      const p = this.place(h);
      const tag = `${leg === 'request' ? 'q' : 'r'}${i + 1}`;
      for (const e of p.elems) {
        const el = this.elements.get(e)!;
        if (!el.visits.includes(tag)) el.visits.push(tag);
        if (prev && prev !== e) {
          const key = `${leg}:${prev}>${e}`;
          if (!this.arrows.has(key))
            this.arrows.set(key, { id: `a${this.arrows.size}`, from: prev, to: e, leg });
        }
        prev = e;
      }
      if (broken === i) {
        this.elements.get(p.main)!.broken = true;
        const into = [...this.arrows.values()].find((a) => a.leg === leg && a.to === p.main);
        if (into) into.broken = true;
      }
    });
  }
}

/** The diagram graph of one path; `callout` (e.g. the finding's evidence) is attached to the breaking box. */
export function pathGraph(
  cluster: ClusterModel,
  path: PathResult,
  callout?: { title: string; text?: string },
): PathGraph {
  const b = new GraphBuilder(cluster);
  const at = path.breaksAt && path.outcome !== 'connected' ? path.breaksAt : undefined;
  b.leg(path.request, 'request', at?.leg === 'request' ? at.index : undefined);
  b.leg(path.reply, 'reply', at?.leg === 'reply' ? at.index : undefined);
  const brokenEl = [...b.elements.values()].find((e) => e.broken);
  if (brokenEl && callout) {
    const node = brokenEl.id.split(':')[1]!;
    const id = b.add('callout', 'callout', callout.title, `node:${node}`, callout.text);
    b.arrows.set('callout', { id: 'callout', from: brokenEl.id, to: id, leg: 'callout' });
  }
  return { elements: [...b.elements.values()], arrows: [...b.arrows.values()] };
}
