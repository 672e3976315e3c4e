/**
 * @module checks/fixtures
 * Test fixtures for the checks, built directly as model objects (no parser involved):
 * `makeNode({...})` with a healthy flannel-style node as the default (cni0 with two pod
 * veths, flannel.1, eth0, the sysctls kubeadm asks for), `ruleset(text)` for a rule set
 * written as iptables-save text (a tiny reader of the options the checks look at), and
 * `ctEntries(text)` for `conntrack -L` lines.
 */
import { emptyNetns } from '../model/build.js';
import type { ClusterModel, NetnsModel, NodeModel, Sourced } from '../model/node.js';
import type { Addr, BridgeLink, Link, Neigh, Route } from '../model/net.js';
import type {
  Chain,
  CtState,
  Match,
  Negatable,
  Rule,
  Ruleset,
  TableName,
  Target,
} from '../model/iptables.js';
import type { CtEntry, CtStats, CtTuple } from '../model/conntrack.js';

export function link(name: string, extra: Partial<Link> = {}): Link {
  return { index: 0, name, mtu: 1500, operstate: 'UP', flags: ['UP', 'LOWER_UP'], ...extra };
}

export function bridge(name: string, extra: Partial<Link> = {}): Link {
  return link(name, { kind: 'bridge', bridge: { stp: false, vlanFiltering: false }, ...extra });
}

export function veth(name: string, master?: string, hairpin = true, extra: Partial<Link> = {}): Link {
  return link(name, {
    kind: 'veth',
    master,
    bridgePort: master
      ? { state: 'forwarding', hairpin, learning: true, flood: true, isolated: false }
      : undefined,
    ...extra,
  });
}

export function addr(ifname: string, cidr: string, extra: Partial<Addr> = {}): Addr {
  const [local, len] = cidr.split('/');
  const family = local!.includes(':') ? 'inet6' : 'inet';
  return {
    ifname,
    family,
    local: local!,
    prefixlen: Number(len ?? (family === 'inet' ? 32 : 128)),
    scope: 'global',
    ...extra,
  };
}

export function route(dst: string, dev: string, extra: Partial<Route> = {}): Route {
  return {
    table: 'main',
    type: 'unicast',
    dst,
    family: dst.includes(':') ? 'inet6' : 'inet',
    dev,
    flags: [],
    ...extra,
  };
}

/** sysctls of a healthy kubeadm node */
export const HEALTHY_SYSCTL: Record<string, string> = {
  'net.bridge.bridge-nf-call-iptables': '1',
  'net.bridge.bridge-nf-call-ip6tables': '1',
  'net.ipv4.ip_forward': '1',
  'net.ipv4.conf.all.forwarding': '1',
  'net.ipv4.conf.all.rp_filter': '0',
  'net.ipv4.conf.eth0.rp_filter': '0',
  'net.ipv4.ip_local_port_range': '32768 60999',
  'net.netfilter.nf_conntrack_count': '212',
  'net.netfilter.nf_conntrack_max': '131072',
};

export interface PodSpec {
  name: string;
  addrs: Addr[];
  links?: Link[];
  sysctl?: Record<string, string>;
}

export interface NodeSpec {
  name?: string;
  kernel?: string;
  /** `null`: the sysctl source was not collected */
  sysctl?: Record<string, string> | null;
  /** merged over the default sysctls; `undefined` value deletes a key */
  sysctlPatch?: Record<string, string | undefined>;
  /** `null`: /proc/modules not collected */
  modules?: string[] | null;
  links?: Link[];
  addrs?: Addr[];
  routes?: Route[];
  neighs?: Neigh[];
  bridgeLinks?: BridgeLink[];
  iptables?: NetnsModel['iptables'];
  ip6tables?: NetnsModel['ip6tables'];
  conntrack?: CtEntry[];
  ctStats?: CtStats[];
  raw?: Record<string, string>;
  sourceFiles?: Record<string, string>;
  pods?: PodSpec[];
  /** extra source ids to mark as known */
  known?: string[];
}

export const DEFAULT_LINKS: Link[] = [
  link('lo', { mtu: 65536, linkType: 'loopback' }),
  link('eth0', { index: 2 }),
  link('flannel.1', {
    index: 3,
    mtu: 1450,
    kind: 'vxlan',
    vxlan: { id: 1, local: '192.168.0.11', dev: 'eth0', port: 8472, learning: false },
  }),
  bridge('cni0', { index: 4, mtu: 1450 }),
  veth('vetha1b2c3d4', 'cni0', true, { index: 5, mtu: 1450 }),
  veth('vethe5f6a7b8', 'cni0', true, { index: 6, mtu: 1450 }),
];

export const DEFAULT_ADDRS: Addr[] = [
  addr('lo', '127.0.0.1/8', { scope: 'host' }),
  addr('eth0', '192.168.0.11/24'),
  addr('flannel.1', '10.224.1.0/32'),
  addr('cni0', '10.224.1.1/24'),
];

export const DEFAULT_ROUTES: Route[] = [
  route('default', 'eth0', { gateway: '192.168.0.1' }),
  route('10.224.1.0/24', 'cni0', { scope: 'link', protocol: 'kernel' }),
  route('10.224.2.0/24', 'flannel.1', { gateway: '10.224.2.0', flags: ['onlink'] }),
  route('192.168.0.0/24', 'eth0', { scope: 'link', protocol: 'kernel' }),
];

function sysctlMap(values: Record<string, string>, file: string): Map<string, Sourced<string>> {
  const m = new Map<string, Sourced<string>>();
  Object.entries(values).forEach(([k, v], i) => m.set(k, { value: v, source: file, line: i + 1 }));
  return m;
}

const netns = emptyNetns;

export function makeNode(spec: NodeSpec = {}): NodeModel {
  const name = spec.name ?? 'node1';
  const host = netns('host', 'host', name);
  host.links = spec.links ?? DEFAULT_LINKS;
  host.addrs = spec.addrs ?? DEFAULT_ADDRS;
  host.routes = spec.routes ?? DEFAULT_ROUTES;
  host.neighs = spec.neighs ?? [];
  host.bridgeLinks = spec.bridgeLinks ?? [];
  for (const id of ['ip-link', 'ip-addr', 'ip-route', 'ip-neigh']) host.known.add(id);
  const files: Record<string, string> = { sysctl: 'sysctl.txt', ...(spec.sourceFiles ?? {}) };
  if (spec.sysctl !== null) {
    const values: Record<string, string> = { ...(spec.sysctl ?? HEALTHY_SYSCTL) };
    for (const [k, v] of Object.entries(spec.sysctlPatch ?? {})) {
      if (v === undefined) delete values[k];
      else values[k] = v;
    }
    host.sysctl = sysctlMap(values, files['sysctl']!);
    host.known.add('sysctl');
  }
  host.iptables = spec.iptables ?? {};
  host.ip6tables = spec.ip6tables ?? {};
  if (host.iptables.legacy) host.known.add('iptables-legacy-save');
  if (host.iptables.nft) host.known.add('iptables-nft-save');
  if (host.iptables.unknown) host.known.add('iptables-save');
  if (spec.conntrack) {
    host.conntrack = spec.conntrack;
    host.known.add('conntrack');
  }
  for (const k of spec.known ?? []) host.known.add(k);
  const pods = (spec.pods ?? []).map((p) => {
    const ns = netns('pod', p.name, name);
    ns.addrs = p.addrs;
    ns.links = p.links ?? [];
    if (p.sysctl) ns.sysctl = sysctlMap(p.sysctl, `netns/${p.name}/sysctl`);
    return ns;
  });
  const node: NodeModel = {
    name,
    kernel: spec.kernel ?? '6.1.0-18-amd64',
    host,
    pods,
    raw: { ...(spec.raw ?? {}) },
    sourceFiles: files,
    diagnostics: [],
  };
  if (spec.modules !== null)
    node.modules = new Set(spec.modules ?? ['br_netfilter', 'bridge', 'vxlan', 'nf_conntrack', 'overlay']);
  if (spec.ctStats) node.ctStats = spec.ctStats;
  return node;
}

export function cluster(...nodes: NodeModel[]): ClusterModel {
  return { nodes };
}

// ---------------------------------------------------------------------------------------
// rule sets written as iptables-save text

function tokens(s: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(s); m; m = re.exec(s))
    out.push(m[1] !== undefined ? m[1].replace(/\\"/g, '"') : m[2]!);
  return out;
}

function cidr(s: string): { addr: string; len: number } {
  const [a, l] = s.split('/');
  return { addr: a!, len: Number(l ?? 32) };
}

function ports(s: string): { from: number; to: number } {
  const [a, b] = s.split(':');
  return { from: Number(a), to: Number(b ?? a) };
}

function markOf(s: string): { value: number; mask: number } {
  const [v, m] = s.split('/');
  return { value: Number(v), mask: m === undefined ? 0xffffffff : Number(m) };
}

function target(name: string, args: string[]): Target {
  const has = (o: string) => args.includes(o);
  const val = (o: string) => args[args.indexOf(o) + 1];
  switch (name) {
    case 'ACCEPT':
    case 'DROP':
    case 'RETURN':
    case 'NOTRACK':
      return { t: name };
    case 'REJECT':
      return { t: 'REJECT', with: val('--reject-with') ?? 'icmp-port-unreachable' };
    case 'MASQUERADE':
      return { t: 'MASQUERADE', random: has('--random'), randomFully: has('--random-fully') };
    case 'SNAT':
      return {
        t: 'SNAT',
        to: { addrFrom: val('--to-source') },
        random: has('--random'),
        randomFully: has('--random-fully'),
        persistent: false,
      };
    case 'DNAT': {
      const [a, p] = (val('--to-destination') ?? '').split(':');
      return {
        t: 'DNAT',
        to: {
          addrFrom: a,
          addrTo: a,
          portFrom: p ? Number(p) : undefined,
          portTo: p ? Number(p) : undefined,
        },
        random: false,
        persistent: false,
      };
    }
    case 'MARK':
      return { t: 'MARK', op: markOf(val('--set-xmark') ?? '0/0') };
    case 'CT':
      return { t: 'CT', notrack: has('--notrack'), raw: args.join(' ') };
    default:
      return { t: 'jump', chain: name };
  }
}

/** One rule from the text after `-A CHAIN `. Supports the options the checks read. */
export function parseRuleText(text: string, line: number): Rule {
  const t = tokens(text);
  const r: Rule = { line, text, matches: [] };
  let neg = false;
  let mod = '';
  const nv = <T>(value: T): Negatable<T> => {
    const x = { neg, value };
    neg = false;
    return x;
  };
  for (let i = 0; i < t.length; i++) {
    const w = t[i]!;
    const next = () => t[++i] ?? '';
    if (w === '!') {
      neg = true;
      continue;
    }
    if (w === '-s') r.src = nv(cidr(next()));
    else if (w === '-d') r.dst = nv(cidr(next()));
    else if (w === '-i') r.inIface = nv(next());
    else if (w === '-o') r.outIface = nv(next());
    else if (w === '-p') r.proto = nv(next().toLowerCase());
    else if (w === '-m') mod = next();
    else if (w === '-j' || w === '-g') {
      const name = next();
      const args = t.slice(i + 1);
      const tg = target(name, args);
      r.target = w === '-g' && tg.t === 'jump' ? { t: 'goto', chain: tg.chain } : tg;
      break;
    } else if (w === '--comment') r.matches.push({ m: 'comment', comment: next() });
    else if (w === '--mark')
      r.matches.push({ m: mod === 'connmark' ? 'connmark' : 'mark', mark: nv(markOf(next())) });
    else if (w === '--ctstate')
      r.matches.push({ m: 'conntrack', ctstate: nv(next().split(',') as CtState[]) });
    else if (w === '--state') r.matches.push({ m: 'state', state: nv(next().split(',') as CtState[]) });
    else if (w === '--dport' || w === '--sport') {
      const p = nv(ports(next()));
      const m: Match = {
        m: (mod === 'udp' ? 'udp' : 'tcp') as 'tcp' | 'udp',
        ...(w === '--dport' ? { dport: p } : { sport: p }),
      };
      r.matches.push(m);
    } else if (w === '--dst-type' || w === '--src-type')
      r.matches.push({
        m: 'addrtype',
        [w === '--dst-type' ? 'dstType' : 'srcType']: nv(next().split(',')),
      } as Match);
    else if (w === '--match-set') {
      const setName = nv(next());
      r.matches.push({ m: 'set', setName, flags: next().split(',') as ('src' | 'dst')[] });
    } else if (w === '--physdev-is-bridged') r.matches.push({ m: 'physdev', isBridged: nv(true as const) });
    else if (w === '--nfacct-name') r.matches.push({ m: 'nfacct', name: next() });
    else if (w === '--probability')
      r.matches.push({ m: 'statistic', mode: 'random', probability: Number(next()), neg: false });
    else if (w === '--mode') next();
    else if (w.startsWith('--')) r.matches.push({ m: 'unsupported', module: mod, raw: w });
  }
  return r;
}

/**
 * A rule set from iptables-save text: `*table`, `:CHAIN POLICY [p:b]`, `-A CHAIN ...`,
 * `COMMIT`. Built-in chains without a declaration are created with policy ACCEPT.
 */
export function ruleset(text: string, backend: Ruleset['backend'] = 'legacy'): Ruleset {
  const rs: Ruleset = { family: 'ipv4', backend, tables: {} };
  let table: TableName | undefined;
  const chainOf = (name: string, line: number): Chain => {
    const t = rs.tables[table!]!;
    t.chains[name] ??= {
      name,
      builtin:
        name === name.toUpperCase() &&
        ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'].includes(name),
      policy: undefined,
      rules: [],
      line,
    };
    const c = t.chains[name]!;
    if (c.builtin) c.policy ??= 'ACCEPT';
    return c;
  };
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const s = raw.trim();
    if (s.startsWith('*')) {
      table = s.slice(1) as TableName;
      rs.tables[table] = { name: table, chains: {}, line };
    } else if (s.startsWith(':') && table) {
      const [name, policy] = s.slice(1).split(/\s+/);
      const c = chainOf(name!, line);
      if (policy === 'ACCEPT' || policy === 'DROP') c.policy = policy;
    } else if (s.startsWith('-A ') && table) {
      const rest = s.slice(3);
      const sp = rest.indexOf(' ');
      const name = sp < 0 ? rest : rest.slice(0, sp);
      chainOf(name, line).rules.push(parseRuleText(sp < 0 ? '' : rest.slice(sp + 1), line));
    } else if (s.startsWith('# Warning: iptables-legacy tables present')) rs.legacyTablesPresent = true;
  });
  return rs;
}

// ---------------------------------------------------------------------------------------
// conntrack -L lines

function tuple(kv: [string, string][]): CtTuple {
  const t: CtTuple = { src: '', dst: '' };
  for (const [k, v] of kv) {
    if (k === 'src' || k === 'dst') t[k] = v;
    else if (k === 'sport' || k === 'dport') t[k] = Number(v);
  }
  return t;
}

/** `conntrack -L` lines -> entries (line = position in `text`). */
export function ctEntries(text: string): CtEntry[] {
  const out: CtEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const w = raw.trim().split(/\s+/);
    if (w.length < 4) return;
    const e: CtEntry = {
      l3: 'ipv4',
      proto: w[0]!,
      protoNum: Number(w[1]),
      timeout: Number(w[2]),
      orig: { src: '', dst: '' },
      reply: { src: '', dst: '' },
      flags: [],
      line: i + 1,
    };
    let k = 3;
    if (/^[A-Z_]+$/.test(w[k]!)) e.state = w[k++];
    const dirs: [string, string][][] = [];
    for (; k < w.length; k++) {
      const x = w[k]!;
      if (x.startsWith('[')) e.flags.push(x.slice(1, -1));
      else if (x.includes('=')) {
        const [key, val] = x.split('=') as [string, string];
        if (key === 'src') dirs.push([]);
        if (key === 'mark') e.mark = Number(val);
        else if (key === 'use') e.use = Number(val);
        else dirs[dirs.length - 1]?.push([key, val]);
      }
    }
    e.orig = tuple(dirs[0] ?? []);
    e.reply = tuple(dirs[1] ?? []);
    out.push(e);
  });
  return out;
}

/** `conntrack -S` rows from `{ insert_failed: 3, drop: 1 }` per CPU. */
export function ctStats(...cpus: Record<string, number>[]): CtStats[] {
  return cpus.map((values, cpu) => ({ cpu, values, line: cpu + 1 }));
}

/** A node whose FORWARD chain and nat rules look like the bundled incident's (kube-proxy + flannel). */
export const KUBE_FLANNEL_RULES = `*nat
:PREROUTING ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-MARK-MASQ - [0:0]
:FLANNEL-POSTRTG - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A POSTROUTING -m comment --comment "flanneld masq" -j FLANNEL-POSTRTG
-A FLANNEL-POSTRTG -s 10.224.0.0/16 ! -d 224.0.0.0/4 -m comment --comment "flanneld masq" -j MASQUERADE --random-fully
-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-SERVICES -d 10.233.53.172/32 -p tcp -m comment --comment "spring-prod/frontend:http cluster IP" -m tcp --dport 8080 -j KUBE-SVC-SFYPIQDA5NATOP5V
-A KUBE-SVC-SFYPIQDA5NATOP5V ! -s 10.224.0.0/16 -d 10.233.53.172/32 -p tcp -m comment --comment "spring-prod/frontend:http cluster IP" -m tcp --dport 8080 -j KUBE-MARK-MASQ
-A KUBE-SVC-SFYPIQDA5NATOP5V -m comment --comment "spring-prod/frontend:http -> 10.224.1.56:8080" -j KUBE-SEP-DSBEMC2ETZGLILCA
-A KUBE-SEP-DSBEMC2ETZGLILCA -s 10.224.1.56/32 -m comment --comment "spring-prod/frontend:http" -j KUBE-MARK-MASQ
-A KUBE-SEP-DSBEMC2ETZGLILCA -p tcp -m comment --comment "spring-prod/frontend:http" -m tcp -j DNAT --to-destination 10.224.1.56:8080
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:KUBE-FIREWALL - [0:0]
:KUBE-FORWARD - [0:0]
:FLANNEL-FWD - [0:0]
-A INPUT -j KUBE-FIREWALL
-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
-A FORWARD -m comment --comment "flanneld forward" -j FLANNEL-FWD
-A FLANNEL-FWD -s 10.224.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT
-A FLANNEL-FWD -d 10.224.0.0/16 -m comment --comment "flanneld forward" -j ACCEPT
-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
COMMIT
`;

/** Run one check on one node (a cluster of that node unless given). */
export function run(
  c: { run: (n: NodeModel, cl: ClusterModel) => import('./types.js').Finding[] },
  node: NodeModel,
  cl?: ClusterModel,
): import('./types.js').Finding[] {
  return c.run(node, cl ?? cluster(node));
}

/** Evidence texts of a finding joined by newlines, for `assert.match`. */
export function evidenceText(f: { evidence: { text: string; source: string; line?: number }[] }): string {
  return f.evidence
    .map((e) => `${e.text} [${e.source}${e.line !== undefined ? `:${e.line}` : ''}]`)
    .join('\n');
}
