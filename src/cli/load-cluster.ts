/**
 * @module cli/load-cluster
 * `--snapshot` flags -> ClusterModel. Unreadable input is exit code 2 with every problem named
 * by file and line, before anything is printed on stdout: a snapshot that cannot be read, one
 * without any source, a source that is empty although its command always prints something,
 * binary data, an overlong line, and parse errors (a truncated file, another format): the
 * model of such a file would be wrong, not just incomplete. PODPATH_KEEP_GOING=1 turns parse
 * errors into warnings and uses what could be read, as `--keep-going` does.
 */
import { loadSnapshots } from '../snapshot/load.js';
import { SnapshotError } from '../snapshot/snapshot-error.js';
import { buildCluster } from '../model/build.js';
import type { ClusterModel } from '../model/node.js';
import type { LoadedSnapshot } from '../snapshot/types.js';
import { impliedCommand } from '../snapshot/source-files.js';
import { InputError } from './args.js';
import { prettifyDiagnostic } from '../parse/diagnostic.js';

export async function loadCluster(
  paths: string[],
  opts: { quiet?: boolean; keepGoing?: boolean } = {},
): Promise<ClusterModel> {
  if (paths.length === 0)
    throw new InputError(
      'no --snapshot given (a node snapshot: JSON from `podpath collect`, a directory, or a .tar.gz)',
    );
  let loaded;
  try {
    loaded = await loadSnapshots(paths);
  } catch (e) {
    if (e instanceof SnapshotError) throw new InputError(e.message);
    throw e;
  }
  const problems: string[] = [];
  for (const l of loaded) problems.push(...inputProblems(l));
  if (problems.length) throw new InputError(problems.join('\npodpath: '));
  const cluster = buildCluster(loaded);
  const keepGoing = opts.keepGoing === true || process.env['PODPATH_KEEP_GOING'] === '1';
  if (!keepGoing) {
    const errors = cluster.nodes.flatMap((n) => n.diagnostics.filter((d) => d.severity === 'error'));
    if (errors.length) {
      const shown = errors.slice(0, 10).map((d) => prettifyDiagnostic(d));
      if (errors.length > 10) shown.push(`... and ${errors.length - 10} more`);
      shown.push(
        `${errors.length} parse error(s) in the input: nothing analysed (--keep-going uses what could be read)`,
      );
      throw new InputError(shown.join('\npodpath: '));
    }
  }
  if (!opts.quiet) {
    for (const node of cluster.nodes) {
      const errors = node.diagnostics.filter((d) => d.severity === 'error');
      const unsupported = node.diagnostics.filter((d) => d.severity === 'unsupported');
      for (const d of errors.slice(0, 10))
        process.stderr.write(`podpath: warning: ${prettifyDiagnostic(d)}\n`);
      if (errors.length > 10)
        process.stderr.write(
          `podpath: warning: ... and ${errors.length - 10} more parse errors in the snapshot of ${node.name}\n`,
        );
      if (unsupported.length)
        process.stderr.write(
          `podpath: note: ${unsupported.length} rule part(s) on ${node.name} are not modelled; a trace that meets one says "unknown"\n`,
        );
    }
  }
  return cluster;
}

/** sources whose command always prints something (lo, the local routes, the default rules) */
const NEVER_EMPTY: Record<string, string> = {
  sysctl: 'sysctl -a always prints values',
  'ip-link': '`ip link show` always lists at least lo',
  'ip-addr': '`ip addr show` always lists at least lo',
  'ip-route': '`ip route show table all` always lists the local table',
  'ip-rule': '`ip rule show` always lists the default rules',
  uname: '`uname -a` always prints the kernel',
};

/** lines longer than this in a text source are not the output of any collected command */
export const MAX_LINE = 65536;

/** 1-based line and column of `offset` in `text` (counts newlines only, no regex) */
function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

/** offset of the first line longer than MAX_LINE, or -1 (one indexOf pass, bounded memory) */
function overlongLine(text: string): { offset: number; length: number } | undefined {
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end - start > MAX_LINE) return { offset: start, length: end - start };
    start = end + 1;
  }
  return undefined;
}

function sourceProblem(file: string, id: string, text: string): string | undefined {
  const nul = text.indexOf('\u0000');
  const bad = text.indexOf('\uFFFD');
  const bin = nul < 0 ? bad : bad < 0 ? nul : Math.min(nul, bad);
  if (bin >= 0) {
    const p = position(text, bin);
    return `${file}:${p.line}:${p.column}: binary data (a NUL byte or invalid UTF-8), not \`${impliedCommand(id, false, file)}\` output`;
  }
  if (/^\s*[[{]/.test(text.slice(0, 4096))) return undefined; // JSON (ip -j prints one long line)
  const long = overlongLine(text);
  if (long) {
    const p = position(text, long.offset);
    return `${file}:${p.line}: a line of ${long.length} characters (more than ${MAX_LINE}): not \`${impliedCommand(id, false, file)}\` output`;
  }
  return undefined;
}

/**
 * What makes a snapshot unreadable before any parser runs: no sources at all, a source empty
 * although its command never prints nothing, binary data, an overlong line in a text source.
 */
export function inputProblems(l: LoadedSnapshot): string[] {
  const out: string[] = [];
  const ids = Object.keys(l.snapshot.sources);
  if (ids.length === 0 && !(l.snapshot.netns ?? []).length)
    return [
      `${l.origin}: no snapshot sources in it (expected files such as sysctl.txt, ip-link.json, iptables-save.txt, or the JSON of \`podpath collect\`)`,
    ];
  const file = (key: string) => l.sourceFiles[key] ?? `${l.origin}#${key}`;
  for (const [id, why] of Object.entries(NEVER_EMPTY)) {
    const s = l.snapshot.sources[id];
    if (s && s.exitCode === 0 && s.stdout.trim() === '')
      out.push(`${file(id)}:1: empty, but ${why} (truncated or failed collection?)`);
  }
  const all = [
    ...Object.entries(l.snapshot.sources).map(([id, s]) => ({ key: id, id, s })),
    ...(l.snapshot.netns ?? []).flatMap((ns) =>
      Object.entries(ns.sources).map(([id, s]) => ({ key: `netns/${ns.name}/${id}`, id, s })),
    ),
  ];
  for (const { key, id, s } of all) {
    const p = sourceProblem(file(key), id, s.stdout);
    if (p) out.push(p);
  }
  return out;
}

/** `IP:PORT` -> { ip, port } */
export function parseHostPort(s: string, flag: string): { ip: string; port: number } {
  const m = s.match(/^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/);
  if (!m || Number(m[2]) > 65535)
    throw new InputError(`${flag} ${s}: expected IP:PORT, e.g. 10.233.53.172:8080`);
  return { ip: m[1]!, port: Number(m[2]) };
}

export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && !process.env['NO_COLOR'] && process.env['TERM'] !== 'dumb';
}
