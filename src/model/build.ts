/**
 * @module model/build
 * Snapshot -> NodeModel: runs every parser on the raw sources it knows, records what is
 * known and what is missing, and keeps the diagnostics (positioned, with the source file).
 */
import type { Diagnostic, ParseResult } from '../parse/diagnostic.js';
import type { LoadedSnapshot, SourceOutput } from '../snapshot/types.js';
import type { ClusterModel, NetnsModel, NodeModel, Sourced } from './node.js';
import {
  parseIpLink,
  parseIpAddrAuto,
  parseIpRouteAuto,
  parseIpRule,
  parseIpNeighAuto,
  parseBridgeLink,
  parseBridgeFdbAuto,
} from '../parse/iproute/index.js';
import { parseSysctl } from '../parse/sysctl/index.js';
import { parseConntrackList, parseConntrackStats } from '../parse/conntrack/index.js';
import { parseModules, parseUname } from '../parse/proc/index.js';
import { parseIptablesSave } from '../parse/iptables-save/index.js';
import { parseSsListeners } from '../parse/ss/parse-ss.js';
import { parseNftJson } from '../parse/nft/index.js';
import { parseIpvsadm } from '../parse/ipvs/index.js';
import { parseIpset } from '../parse/ipset/index.js';

type Sources = Record<string, SourceOutput>;

function usable(s: SourceOutput | undefined): s is SourceOutput {
  return s !== undefined && s.exitCode === 0 && typeof s.stdout === 'string';
}

function take<T>(out: Diagnostic[], file: string, r: ParseResult<T>): T {
  for (const d of r.diagnostics) out.push({ ...d, source: d.source ?? file });
  return r.value;
}

/** A namespace with nothing known yet (the builder fills it; tests start from it). */
export function emptyNetns(kind: 'host' | 'pod', name: string, node: string): NetnsModel {
  return {
    name,
    kind,
    node,
    links: [],
    addrs: [],
    routes: [],
    rules: [],
    neighs: [],
    fdb: [],
    bridgeLinks: [],
    sysctl: new Map(),
    iptables: {},
    ip6tables: {},
    known: new Set(),
    assumptions: [],
    synthetic: false,
  };
}

export function buildNetns(
  kind: 'host' | 'pod',
  name: string,
  node: string,
  sources: Sources,
  files: Record<string, string>,
  diagnostics: Diagnostic[],
  prefix = '',
): NetnsModel {
  const m = emptyNetns(kind, name, node);
  const file = (id: string) => files[`${prefix}${id}`] ?? `${prefix}${id}`;
  const run = <T>(id: string, parse: (t: string) => ParseResult<T>, set: (v: T) => void) => {
    const s = sources[id];
    if (!usable(s)) return;
    set(take(diagnostics, file(id), parse(s.stdout)));
    m.known.add(id);
  };
  run('ip-link', parseIpLink, (v) => (m.links = v));
  run('ip-addr', parseIpAddrAuto, (v) => (m.addrs = v));
  run(
    'ip-route',
    (t) => parseIpRouteAuto(t),
    (v) => (m.routes = v),
  );
  run(
    'ip-rule',
    (t) => parseIpRule(t),
    (v) => (m.rules = v),
  );
  run('ip-neigh', parseIpNeighAuto, (v) => (m.neighs = v));
  run('bridge-link', parseBridgeLink, (v) => (m.bridgeLinks = v));
  run('bridge-fdb', parseBridgeFdbAuto, (v) => (m.fdb = v));
  run('sysctl', parseSysctl, (v) => {
    const map = new Map<string, Sourced<string>>();
    for (const [k, x] of v) map.set(k, { value: x.value, source: file('sysctl'), line: x.line });
    m.sysctl = map;
  });
  // iptables: legacy and nft may both be present (a mixed node); empty output = no tables
  const ipt = (id: string, fam: 'ipv4' | 'ipv6') => {
    const s = sources[id];
    if (!usable(s)) return undefined;
    m.known.add(id);
    if (s.stdout.trim() === '') return undefined;
    // only comments (iptables-nft-save's warnings on a legacy node): no tables; anything else
    // without a `*table` line is parsed for its diagnostics (an nft dump, binary data)
    if (!/^\*/m.test(s.stdout)) {
      if (!/^[ \t]*[^#\s]/m.test(s.stdout.slice(0, 1 << 16))) return undefined;
      take(diagnostics, file(id), parseIptablesSave(s.stdout, { family: fam }));
      return undefined;
    }
    return take(diagnostics, file(id), parseIptablesSave(s.stdout, { family: fam }));
  };
  m.iptables.legacy = ipt('iptables-legacy-save', 'ipv4');
  m.iptables.nft = ipt('iptables-nft-save', 'ipv4');
  m.iptables.unknown = ipt('iptables-save', 'ipv4');
  if (m.iptables.unknown && !m.iptables.legacy && !m.iptables.nft) {
    const b = m.iptables.unknown.backend;
    if (b === 'legacy') [m.iptables.legacy, m.iptables.unknown] = [m.iptables.unknown, undefined];
    else if (b === 'nft') [m.iptables.nft, m.iptables.unknown] = [m.iptables.unknown, undefined];
  }
  m.ip6tables.legacy = ipt('ip6tables-legacy-save', 'ipv6');
  m.ip6tables.nft = ipt('ip6tables-nft-save', 'ipv6');
  m.ip6tables.unknown = ipt('ip6tables-save', 'ipv6');
  // nft: empty output = no nf_tables tables at all
  const nft = sources['nft-ruleset'];
  if (usable(nft)) {
    m.known.add('nft-ruleset');
    if (nft.stdout.trim() !== '') m.nft = take(diagnostics, file('nft-ruleset'), parseNftJson(nft.stdout));
  }
  run('conntrack', parseConntrackList, (v) => (m.conntrack = v));
  run('ss-listen', parseSsListeners, (v) => (m.listeners = v));
  run('ipvsadm', parseIpvsadm, (v) => (m.ipvs = v));
  run('ipset', parseIpset, (v) => (m.ipsets = v));
  return m;
}

export function buildNodeModel(loaded: LoadedSnapshot): NodeModel {
  const snap = loaded.snapshot;
  const diagnostics: Diagnostic[] = [];
  const files = loaded.sourceFiles ?? {};
  const nodeName = snap.metadata.node;
  const host = buildNetns('host', 'host', nodeName, snap.sources, files, diagnostics);
  const pods: NetnsModel[] = [];
  for (const ns of snap.netns ?? []) {
    const m = buildNetns('pod', ns.name, nodeName, ns.sources, files, diagnostics, `netns/${ns.name}/`);
    if (ns.pod) m.pod = ns.pod;
    pods.push(m);
  }
  const raw: Record<string, string> = {};
  for (const [id, s] of Object.entries(snap.sources)) if (usable(s)) raw[id] = s.stdout;
  const node: NodeModel = { name: nodeName, host, pods, raw, sourceFiles: files, diagnostics };
  const mods = snap.sources['modules'];
  if (usable(mods))
    node.modules = new Set(
      take(diagnostics, files['modules'] ?? 'modules', parseModules(mods.stdout)).map((x) => x.name),
    );
  const un = snap.sources['uname'];
  if (usable(un)) node.kernel = take(diagnostics, files['uname'] ?? 'uname', parseUname(un.stdout)).release;
  node.kernel ??= snap.metadata.kernel;
  const cs = snap.sources['conntrack-stats'];
  if (usable(cs))
    node.ctStats = take(
      diagnostics,
      files['conntrack-stats'] ?? 'conntrack-stats',
      parseConntrackStats(cs.stdout),
    );
  return node;
}

export function buildCluster(loaded: LoadedSnapshot[]): ClusterModel {
  return { nodes: loaded.map(buildNodeModel) };
}
