/**
 * @module collect/pod-netns
 * Finds the pod network namespaces whose veth peer is a port of a bridge in this
 * namespace. A bridge port shows its peer as `link_netnsid` N and `link_index` I; the
 * peer is the interface with ifindex I, whose own `link_index` is the port's ifindex,
 * in the namespace that has netns id N as seen from here. Ifindexes repeat across
 * namespaces (each has its own counter), so the netns id decides when it is known.
 * Named namespaces (/run/netns, or --netns-dir) are entered with `ip -n` / `nsenter`,
 * which only read; containers' namespaces (/proc/PID/ns/net) best effort.
 */
import { readFile, readdir } from 'node:fs/promises';
import { readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { NetnsSnapshot, SourceOutput } from '../snapshot/types.js';
import { mapLimit } from './pool.js';
import { runCommand } from './run-command.js';
import { POD_EXTRA_SOURCES, POD_SOURCES } from './sources.js';

export const DEFAULT_NETNS_DIR = '/run/netns';
/** where `podpath lab` leaves pod identities (pods.json per lab prefix) */
export const LAB_MARKER_ROOT = '/run/podpath-lab';

interface JsonLink {
  ifindex?: number;
  ifname?: string;
  link_index?: number;
  link_netnsid?: number;
  master?: string;
  address?: string;
  linkinfo?: { info_kind?: string; info_slave_kind?: string };
}

export interface BridgePort {
  ifname: string;
  ifindex: number;
  master: string;
  peerIndex: number;
  peerNetnsId?: number;
}

function parseLinks(text: string): JsonLink[] {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? (v as JsonLink[]) : [];
  } catch {
    return [];
  }
}

/** veth ports of bridges in `ip -j -d link show` output */
export function bridgePorts(ipLinkJson: string): BridgePort[] {
  const links = parseLinks(ipLinkJson);
  const bridges = new Set(links.filter((l) => l.linkinfo?.info_kind === 'bridge').map((l) => l.ifname));
  const out: BridgePort[] = [];
  for (const l of links) {
    if (l.linkinfo?.info_kind !== 'veth' || !l.master || !bridges.has(l.master)) continue;
    if (l.ifindex === undefined || l.link_index === undefined || !l.ifname) continue;
    const p: BridgePort = { ifname: l.ifname, ifindex: l.ifindex, master: l.master, peerIndex: l.link_index };
    if (l.link_netnsid !== undefined) p.peerNetnsId = l.link_netnsid;
    out.push(p);
  }
  return out;
}

/** The port whose peer is in `candidateLinks` (ifindex/link_index pair, and netns id when known). */
export function matchPort(
  ports: BridgePort[],
  candidateLinks: string,
  nsid: number | undefined,
): BridgePort | undefined {
  const links = parseLinks(candidateLinks);
  return ports.find(
    (p) =>
      (nsid === undefined || p.peerNetnsId === nsid) &&
      links.some(
        (l) => l.ifindex === p.peerIndex && l.link_index === p.ifindex && l.link_netnsid !== undefined,
      ),
  );
}

interface Candidate {
  name: string;
  via: 'named' | 'container';
  /** how to run `ip` inside it */
  enter: { file: string; prefix: string[] };
  /** how to run another program inside it */
  run: { file: string; prefix: string[] };
  nsid?: number;
}

async function namedIds(dir: string): Promise<Map<string, number> | undefined> {
  if (dir !== DEFAULT_NETNS_DIR) return undefined;
  const r = await runCommand('ip', ['-j', 'netns', 'list'], { timeoutMs: 10_000 });
  if (r.exitCode !== 0) return undefined;
  try {
    const list = JSON.parse(r.stdout || '[]') as { name: string; id?: number }[];
    return new Map(list.filter((x) => x.id !== undefined).map((x) => [x.name, x.id!]));
  } catch {
    return undefined;
  }
}

function inodeOf(path: string): number | undefined {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
}

function netnsLinkInode(path: string): number | undefined {
  try {
    const m = /^net:\[(\d+)\]$/.exec(readlinkSync(path));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function namedCandidates(dir: string): Promise<Candidate[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch {
    return [];
  }
  const ids = await namedIds(dir);
  return names.map((name) => {
    const c: Candidate =
      dir === DEFAULT_NETNS_DIR
        ? {
            name,
            via: 'named',
            enter: { file: 'ip', prefix: ['-n', name] },
            run: { file: 'ip', prefix: ['netns', 'exec', name] },
          }
        : {
            name,
            via: 'named',
            enter: { file: 'nsenter', prefix: [`--net=${join(dir, name)}`, 'ip'] },
            run: { file: 'nsenter', prefix: [`--net=${join(dir, name)}`] },
          };
    // with the id list available, a namespace without an id here cannot hold a peer of ours
    if (ids) c.nsid = ids.get(name) ?? -1;
    return c;
  });
}

async function containerCandidates(exclude: Set<number>): Promise<Candidate[]> {
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
  const seen = new Set(exclude);
  const out: Candidate[] = [];
  for (const pid of pids) {
    const ino = netnsLinkInode(`/proc/${pid}/ns/net`);
    if (ino === undefined || seen.has(ino)) continue;
    seen.add(ino);
    const net = `--net=/proc/${pid}/ns/net`;
    out.push({
      name: `pid:${pid}`,
      via: 'container',
      enter: { file: 'nsenter', prefix: [net, 'ip'] },
      run: { file: 'nsenter', prefix: [net] },
    });
  }
  return out;
}

async function labMarkers(): Promise<Map<string, { namespace: string; name: string }>> {
  const out = new Map<string, { namespace: string; name: string }>();
  let labs: string[];
  try {
    labs = await readdir(LAB_MARKER_ROOT);
  } catch {
    return out;
  }
  for (const lab of labs) {
    try {
      const m = JSON.parse(await readFile(join(LAB_MARKER_ROOT, lab, 'pods.json'), 'utf8')) as Record<
        string,
        { namespace: string; name: string }
      >;
      for (const [ns, pod] of Object.entries(m)) out.set(ns, { namespace: pod.namespace, name: pod.name });
    } catch {
      // not a lab directory
    }
  }
  return out;
}

async function collectOne(
  c: Candidate,
  first: SourceOutput,
  timeoutMs: number,
): Promise<Record<string, SourceOutput>> {
  const sources: Record<string, SourceOutput> = { 'ip-link': first };
  for (const s of POD_SOURCES) {
    if (s.id === 'ip-link') continue;
    const r = await runCommand(c.enter.file, [...c.enter.prefix, ...s.args], { timeoutMs });
    sources[s.id] = {
      command: r.command,
      exitCode: r.exitCode,
      stdout: r.stdout,
      stderr: r.stderr,
      durationMs: r.durationMs,
    };
  }
  for (const s of POD_EXTRA_SOURCES) {
    const r = await runCommand(c.run.file, [...c.run.prefix, s.file, ...s.args], { timeoutMs });
    sources[s.id] = {
      command: r.command,
      exitCode: r.exitCode,
      stdout: r.stdout,
      stderr: r.stderr,
      durationMs: r.durationMs,
    };
  }
  return sources;
}

export interface PodNetnsOptions {
  netnsDir?: string;
  timeoutMs?: number;
  concurrency?: number;
  /** also look at other processes' namespaces (default true) */
  containers?: boolean;
  progress?: (line: string) => void;
}

/** Pod namespaces behind this namespace's bridges, with their links, addresses and routes. */
export async function collectPodNetns(
  ipLinkJson: string,
  opts: PodNetnsOptions = {},
): Promise<NetnsSnapshot[]> {
  const ports = bridgePorts(ipLinkJson);
  if (!ports.length) return [];
  const dir = opts.netnsDir ?? DEFAULT_NETNS_DIR;
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const named = await namedCandidates(dir);
  const exclude = new Set<number>();
  for (const n of named) {
    const ino = inodeOf(join(dir, n.name));
    if (ino !== undefined) exclude.add(ino);
  }
  for (const self of ['/proc/self/ns/net', '/proc/1/ns/net']) {
    const ino = netnsLinkInode(self);
    if (ino !== undefined) exclude.add(ino);
  }
  const candidates = [
    ...named.filter((c) => c.nsid !== -1),
    ...(opts.containers === false ? [] : await containerCandidates(exclude)),
  ];
  const markers = await labMarkers();
  const used = new Set<BridgePort>();
  const found = await mapLimit(candidates, opts.concurrency ?? 4, async (c) => {
    const r = await runCommand(c.enter.file, [...c.enter.prefix, '-j', '-d', 'link', 'show'], { timeoutMs });
    if (r.exitCode !== 0) return undefined; // no permission, process gone: skip silently
    const port = matchPort(ports, r.stdout, c.via === 'named' ? c.nsid : undefined);
    if (!port || used.has(port)) return undefined;
    used.add(port);
    opts.progress?.(`collect: pod netns ${c.name} (peer of ${port.master}/${port.ifname})`);
    const first: SourceOutput = {
      command: r.command,
      exitCode: r.exitCode,
      stdout: r.stdout,
      stderr: r.stderr,
      durationMs: r.durationMs,
    };
    const snap: NetnsSnapshot = { name: c.name, via: c.via, sources: await collectOne(c, first, timeoutMs) };
    const pod = c.via === 'named' ? markers.get(c.name) : undefined;
    if (pod) snap.pod = pod;
    return snap;
  });
  return found.filter((x): x is NetnsSnapshot => x !== undefined);
}
