/**
 * @module sim/world
 * The simulator's view of a cluster: every network namespace (node hosts and pods) with
 * links wired to their peers, addresses, routes, neighbours and rule sets, indexed for the
 * walk. Pods that are not in the snapshot are synthesised from the usual CNI layout
 * (pod subnet on-link, default route via the bridge address), and the trace says so.
 */
import type { ClusterModel, NetnsModel, NodeModel } from '../model/node.js';
import type { Link, Route } from '../model/net.js';
import type { Ruleset } from '../model/iptables.js';
import type { NftRuleset } from '../model/nft.js';
import { ipToInt, parseCidr, inPrefix, maskOf } from '../util/ipv4.js';

export interface SimLink {
  name: string;
  index: number;
  mac: string;
  mtu: number;
  up: boolean;
  kind: string; // veth, bridge, vxlan, loopback, dummy, phys
  master?: string;
  hairpin?: boolean;
  hairpinAssumed?: boolean;
  nfCallIptables?: boolean;
  vxlan?: { id: number; local?: string; port: number };
  peer?: { ns: SimNs; link: SimLink };
  ns: SimNs;
}

export interface SimAddr {
  ifname: string;
  ip: number;
  ipStr: string;
  len: number;
}

export interface SimRoute {
  table: string;
  type: string;
  addr: number;
  len: number;
  gateway?: string;
  dev?: string;
  prefsrc?: string;
  metric: number;
  line?: number;
}

export interface Netfilter {
  rulesets: { rs: Ruleset; source: string }[];
  /** native nf_tables rule set (`nft -j list ruleset`), when collected */
  nft?: { rs: NftRuleset; source: string };
  /** false when no iptables source was collected for a host namespace */
  known: boolean;
}

export interface SimNs {
  id: string; // node or node/pod
  node: string;
  name: string;
  kind: 'host' | 'pod';
  synthetic: boolean;
  pod?: { namespace: string; name: string };
  links: SimLink[];
  byName: Map<string, SimLink>;
  addrs: SimAddr[];
  routes: SimRoute[];
  rules: {
    priority: number;
    table: string;
    src?: { addr: number; len: number };
    dst?: { addr: number; len: number };
    fwmark?: { value: number; mask: number };
    iif?: string;
    action: string;
    not: boolean;
  }[];
  neigh: Map<string, string>; // `${dev}|${ip}` -> mac
  fdb: { mac: string; ifname: string; dst?: string }[];
  sysctl: (name: string) => string | undefined;
  sysctlLine: (name: string) => number | undefined;
  netfilter: Netfilter;
  model?: NetnsModel;
  nodeModel: NodeModel;
  assumptions: string[];
}

export interface World {
  namespaces: SimNs[];
  hosts: SimNs[];
  /** ip -> namespace owning it (pods first, then hosts) */
  owner(ip: string): SimNs | undefined;
  /** finds or synthesises the pod namespace for a pod IP */
  podFor(ip: string): SimNs | undefined;
  cluster: ClusterModel;
}

let macCounter = 0;
function synthMac(): string {
  macCounter++;
  const h = macCounter.toString(16).padStart(6, '0');
  return `02:50:50:${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}`;
}

function linkKind(l: Link): string {
  if (l.linkType === 'loopback' || l.name === 'lo') return 'loopback';
  return l.kind ?? 'phys';
}

function toRoute(r: Route): SimRoute | undefined {
  if (r.family !== 'inet') return undefined;
  const c = parseCidr(r.dst);
  if (!c) return undefined;
  return {
    table: r.table,
    type: r.type,
    addr: c.addr,
    len: c.len,
    gateway: r.gateway,
    dev: r.dev,
    prefsrc: r.prefsrc,
    metric: r.metric ?? 0,
    line: r.line,
  };
}

function makeNs(m: NetnsModel, node: NodeModel): SimNs {
  const ns: SimNs = {
    id: m.kind === 'host' ? node.name : `${node.name}/${m.name}`,
    node: node.name,
    name: m.name,
    kind: m.kind,
    synthetic: m.synthetic,
    pod: m.pod,
    links: [],
    byName: new Map(),
    addrs: [],
    routes: [],
    rules: [],
    neigh: new Map(),
    fdb: [],
    sysctl: (n) => m.sysctl.get(n)?.value,
    sysctlLine: (n) => m.sysctl.get(n)?.line,
    netfilter: { rulesets: [], known: false },
    model: m,
    nodeModel: node,
    assumptions: [...m.assumptions],
  };
  const bridgeHairpin = new Map(m.bridgeLinks.map((b) => [b.ifname, b.hairpin]));
  for (const l of m.links) {
    const sl: SimLink = {
      name: l.name,
      index: l.index,
      mac: l.mac ?? synthMac(),
      mtu: l.mtu,
      up: l.flags.includes('UP') || l.operstate === 'UP' || l.operstate === 'UNKNOWN',
      kind: linkKind(l),
      master: l.master,
      hairpin: l.bridgePort?.hairpin ?? bridgeHairpin.get(l.name),
      nfCallIptables: l.bridge?.nfCallIptables,
      vxlan: l.vxlan ? { id: l.vxlan.id, local: l.vxlan.local, port: l.vxlan.port } : undefined,
      ns,
    };
    ns.links.push(sl);
    ns.byName.set(sl.name, sl);
  }
  for (const a of m.addrs) {
    if (a.family !== 'inet') continue;
    const ip = ipToInt(a.local);
    if (ip !== undefined) ns.addrs.push({ ifname: a.ifname, ip, ipStr: a.local, len: a.prefixlen });
  }
  for (const r of m.routes) {
    const sr = toRoute(r);
    if (sr) ns.routes.push(sr);
  }
  // The kernel adds local/connected routes for every address; snapshots of pods often list
  // only `ip route` (main). Add what is missing so lookups behave like the kernel.
  for (const a of ns.addrs) {
    if (!ns.routes.some((r) => r.table === 'local' && r.len === 32 && r.addr === a.ip))
      ns.routes.push({ table: 'local', type: 'local', addr: a.ip, len: 32, dev: a.ifname, metric: 0 });
    const net = (a.ip & maskOf(a.len)) >>> 0;
    if (
      a.len < 32 &&
      !ns.routes.some((r) => r.table === 'main' && r.len === a.len && r.addr === net && r.dev === a.ifname)
    )
      ns.routes.push({
        table: 'main',
        type: 'unicast',
        addr: net,
        len: a.len,
        dev: a.ifname,
        prefsrc: a.ipStr,
        metric: 0,
      });
  }
  if (!ns.routes.some((r) => r.table === 'local' && r.addr === ipToInt('127.0.0.0') && r.len === 8))
    ns.routes.push({
      table: 'local',
      type: 'local',
      addr: ipToInt('127.0.0.0')!,
      len: 8,
      dev: 'lo',
      metric: 0,
    });
  if (m.rules.length === 0) {
    ns.rules = [
      { priority: 0, table: 'local', action: 'lookup', not: false },
      { priority: 32766, table: 'main', action: 'lookup', not: false },
      { priority: 32767, table: 'default', action: 'lookup', not: false },
    ];
  } else {
    for (const r of m.rules) {
      if (r.family !== 'inet') continue;
      ns.rules.push({
        priority: r.priority,
        table: r.table ?? 'main',
        src: r.src && r.src !== 'all' ? parseCidr(r.src) : undefined,
        dst: r.dst && r.dst !== 'all' ? parseCidr(r.dst) : undefined,
        fwmark: r.fwmark,
        iif: r.iif,
        action: r.action,
        not: r.not,
      });
    }
    ns.rules.sort((a, b) => a.priority - b.priority);
  }
  for (const n of m.neighs)
    if (n.lladdr && !n.state.includes('FAILED')) ns.neigh.set(`${n.dev}|${n.dst}`, n.lladdr);
  for (const f of m.fdb) ns.fdb.push({ mac: f.mac.toLowerCase(), ifname: f.ifname, dst: f.dst });
  const nf = m.iptables;
  if (nf.legacy)
    ns.netfilter.rulesets.push({
      rs: nf.legacy,
      source: node.sourceFiles['iptables-legacy-save'] ?? 'iptables-legacy-save',
    });
  if (nf.nft)
    ns.netfilter.rulesets.push({
      rs: nf.nft,
      source: node.sourceFiles['iptables-nft-save'] ?? 'iptables-nft-save',
    });
  if (nf.unknown)
    ns.netfilter.rulesets.push({
      rs: nf.unknown,
      source: node.sourceFiles['iptables-save'] ?? 'iptables-save',
    });
  if (m.nft) {
    const id = m.kind === 'host' ? 'nft-ruleset' : `netns/${m.name}/nft-ruleset`;
    ns.netfilter.nft = { rs: m.nft, source: node.sourceFiles[id] ?? id };
  }
  ns.netfilter.known = m.kind === 'pod' || ns.netfilter.rulesets.length > 0 || ns.netfilter.nft !== undefined;
  return ns;
}

/** Wires veth peers: host veth (peerIndex = pod link index) <-> pod link (peerIndex = host veth index). */
function wirePeers(host: SimNs, pods: SimNs[]): void {
  const hostModel = host.model!;
  for (const hl of hostModel.links) {
    if (hl.kind !== 'veth') continue;
    const hs = host.byName.get(hl.name)!;
    if (hs.peer) continue;
    for (const p of pods) {
      for (const pl of p.model?.links ?? []) {
        if (pl.kind !== 'veth') continue;
        const byIndex = pl.peerIndex === hl.index && hl.peerIndex === pl.index;
        if (byIndex) {
          const ps = p.byName.get(pl.name)!;
          hs.peer = { ns: p, link: ps };
          ps.peer = { ns: host, link: hs };
        }
      }
    }
  }
}

export function buildWorld(cluster: ClusterModel): World {
  const namespaces: SimNs[] = [];
  const hosts: SimNs[] = [];
  for (const node of cluster.nodes) {
    const host = makeNs(node.host, node);
    const pods = node.pods.map((p) => makeNs(p, node));
    wirePeers(host, pods);
    hosts.push(host);
    namespaces.push(host, ...pods);
  }
  // address -> owner (pods first, then hosts), rebuilt when a synthesised pod joins
  let owners = new Map<number, SimNs>();
  let indexed = -1;
  const owner = (ip: string): SimNs | undefined => {
    const n = ipToInt(ip);
    if (n === undefined) return undefined;
    if (indexed !== namespaces.length) {
      owners = new Map();
      for (const ns of namespaces)
        if (ns.kind === 'pod')
          for (const a of ns.addrs) if (a.ifname !== 'lo' && !owners.has(a.ip)) owners.set(a.ip, ns);
      for (const ns of hosts)
        for (const a of ns.addrs) if (a.ifname !== 'lo' && !owners.has(a.ip)) owners.set(a.ip, ns);
      indexed = namespaces.length;
    }
    return owners.get(n);
  };
  const world: World = {
    namespaces,
    hosts,
    cluster,
    owner,
    podFor(ip: string) {
      const o = owner(ip);
      if (o?.kind === 'pod') return o;
      if (o) return undefined; // a host address
      return synthesisePod(world, ip);
    },
  };
  return world;
}

/** Finds the bridge (on any node) whose subnet holds `ip`, and synthesises a pod behind it. */
function synthesisePod(world: World, ip: string): SimNs | undefined {
  const n = ipToInt(ip);
  if (n === undefined) return undefined;
  for (const host of world.hosts) {
    for (const a of host.addrs) {
      const br = host.byName.get(a.ifname);
      if (!br || br.kind !== 'bridge' || a.len >= 32 || !inPrefix(n, a.ip, a.len)) continue;
      // which port? neighbour (ip -> mac) + fdb (mac -> port), else a synthetic port
      const mac = host.neigh.get(`${br.name}|${ip}`);
      const fdbPort = mac
        ? host.fdb.find((f) => f.mac === mac.toLowerCase() && f.ifname !== br.name)
        : undefined;
      let port = fdbPort ? host.byName.get(fdbPort.ifname) : undefined;
      if (port?.peer) port = undefined;
      const assumptions: string[] = [];
      const podMac = mac ?? synthMac();
      const ns: SimNs = {
        id: `${host.node}/pod:${ip}`,
        node: host.node,
        name: `pod:${ip}`,
        kind: 'pod',
        synthetic: true,
        links: [],
        byName: new Map(),
        addrs: [{ ifname: 'eth0', ip: n, ipStr: ip, len: a.len }],
        routes: [
          { table: 'local', type: 'local', addr: n, len: 32, dev: 'eth0', metric: 0 },
          {
            table: 'main',
            type: 'unicast',
            addr: (a.ip & maskOf(a.len)) >>> 0,
            len: a.len,
            dev: 'eth0',
            prefsrc: ip,
            metric: 0,
          },
          { table: 'main', type: 'unicast', addr: 0, len: 0, gateway: a.ipStr, dev: 'eth0', metric: 0 },
        ],
        rules: [
          { priority: 0, table: 'local', action: 'lookup', not: false },
          { priority: 32766, table: 'main', action: 'lookup', not: false },
        ],
        neigh: new Map(),
        fdb: [],
        sysctl: () => undefined,
        sysctlLine: () => undefined,
        netfilter: { rulesets: [], known: true },
        nodeModel: host.nodeModel,
        assumptions,
      };
      assumptions.push(
        `pod ${ip} is not in the snapshot of ${host.node}: assumed the usual CNI layout (eth0 ${ip}/${a.len} on bridge ${br.name}, default route via ${a.ipStr}, no iptables rules, a listener on the traced port)`,
      );
      if (!port) {
        const ports = host.links.filter((l) => l.master === br.name && l.kind === 'veth');
        const hp = ports.map((p) => p.hairpin).filter((h) => h !== undefined);
        const all = hp.length > 0 && hp.every((h) => h === hp[0]);
        port = {
          name: `veth-${ip}`,
          index: -1,
          mac: synthMac(),
          mtu: br.mtu,
          up: true,
          kind: 'veth',
          master: br.name,
          hairpin: all ? hp[0] : true,
          hairpinAssumed: true,
          ns: host,
        };
        host.links.push(port);
        host.byName.set(port.name, port);
        assumptions.push(
          all
            ? `the bridge port of pod ${ip} is unknown: assumed hairpin ${hp[0] ? 'on' : 'off'} like the other ${hp.length} pod ports of ${br.name}`
            : `the bridge port of pod ${ip} is unknown: assumed hairpin on (kubelet's default)`,
        );
      } else {
        assumptions.push(`pod ${ip} sits behind ${port.name} (neighbour ${mac} + bridge fdb)`);
      }
      const eth0: SimLink = {
        name: 'eth0',
        index: 2,
        mac: podMac,
        mtu: br.mtu,
        up: true,
        kind: 'veth',
        ns,
        peer: { ns: host, link: port },
      };
      ns.links.push(eth0);
      ns.byName.set('eth0', eth0);
      port.peer = { ns, link: eth0 };
      world.namespaces.push(ns);
      return ns;
    }
  }
  return undefined;
}
