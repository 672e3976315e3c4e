/**
 * @module snapshot/read-directory
 * The directory form of a snapshot (ARCHITECTURE §3) -> NodeSnapshot:
 *
 *     sysctl.txt  ip-route.json  iptables-save.txt  ...   one file per source id
 *     <id>.stderr  <id>.exitcode                           optional, for failed commands
 *     hostname.txt  metadata.json                          the node name, collection metadata
 *     netns/<name>/{<id>.txt, ..., pod.json}               pod network namespaces
 *
 * The node name comes from metadata.json's `node` (an explicit statement of the Kubernetes
 * node name, which may differ from the host name), else hostname.txt, else the folder name.
 * Missing files are absent sources. Commands are those the file names imply, unless
 * metadata.json's `commands` records them (keyed `<id>`, or `netns/<name>/<id>`).
 */
import { parseJson } from '../parse/json/parse-json.js';
import { offsetToPosition } from '../parse/json/position.js';
import { parseUname } from '../parse/proc/parse-uname.js';
import type { FileTree } from './file-tree.js';
import { SnapshotError } from './snapshot-error.js';
import { impliedCommand, prefersJson, sourceOfFileName } from './source-files.js';
import type { LoadedSnapshot, NetnsSnapshot, NodeSnapshot, SourceOutput } from './types.js';

type Sources = Record<string, SourceOutput>;

export function readDirectorySnapshot(tree: FileTree, origin: string): LoadedSnapshot {
  const sourceFiles: Record<string, string> = {};
  const paths = tree.paths();
  const meta = paths.includes('metadata.json') ? readObject(tree, 'metadata.json') : {};
  const commands = isRecord(meta.commands) ? meta.commands : {};
  const sources = readSources(
    tree,
    paths.filter((p) => !p.includes('/')),
    '',
    sourceFiles,
    commands,
  );

  const metadata: NodeSnapshot['metadata'] = { node: '' };
  for (const k of ['node', 'collectedAt', 'kernel', 'collector'] as const) {
    const v = meta[k];
    if (v === undefined) continue;
    if (typeof v !== 'string')
      throw new SnapshotError(tree.label('metadata.json'), `"${k}" must be a string`);
    metadata[k] = v;
  }
  if (!metadata.node)
    metadata.node = sources.hostname?.stdout.trim().split('\n')[0]?.trim() || tree.defaultNode;
  if (metadata.kernel === undefined && sources.uname) {
    const release = parseUname(sources.uname.stdout).value.release;
    if (release) metadata.kernel = release;
  }
  const snapshot: NodeSnapshot = { apiVersion: 'podpath/v1', kind: 'NodeSnapshot', metadata, sources };

  const nsNames = [
    ...new Set(paths.filter((p) => p.startsWith('netns/')).map((p) => p.split('/')[1]!)),
  ].sort();
  const netns: NetnsSnapshot[] = nsNames.map((name) => {
    const dir = `netns/${name}/`;
    const mine = paths.filter((p) => p.startsWith(dir) && !p.slice(dir.length).includes('/'));
    const ns: NetnsSnapshot = { name, sources: readSources(tree, mine, dir, sourceFiles, commands) };
    if (mine.includes(`${dir}pod.json`)) ns.pod = readPod(tree, `${dir}pod.json`);
    return ns;
  });
  if (netns.length > 0) snapshot.netns = netns;
  return { snapshot, origin, sourceFiles };
}

function readSources(
  tree: FileTree,
  paths: string[],
  dir: string,
  sourceFiles: Record<string, string>,
  commands: Record<string, unknown>,
): Sources {
  const sources: Sources = {};
  const stdoutFile: Record<string, string> = {};
  const sorted = [...paths].sort();
  for (const p of sorted) {
    const name = p.slice(dir.length);
    const s = sourceOfFileName(name);
    if (!s) continue;
    const src = (sources[s.id] ??= { command: '', exitCode: 0, stdout: '' });
    if (s.part === 'stdout') {
      const prev = stdoutFile[s.id];
      if (prev !== undefined)
        throw new SnapshotError(tree.label(p), `two files for source "${s.id}": ${prev} and ${name}`);
      stdoutFile[s.id] = name;
      src.stdout = tree.read(p);
      const recorded = commands[dir + s.id];
      src.command = typeof recorded === 'string' ? recorded : impliedCommand(s.id, s.json, name);
      sourceFiles[dir + s.id] = tree.label(p);
    } else if (s.part === 'stderr') src.stderr = tree.read(p);
    else {
      const text = tree.read(p).trim();
      if (!/^-?\d+$/.test(text))
        throw new SnapshotError(
          tree.label(p),
          `exit code must be an integer, found ${JSON.stringify(text.slice(0, 20))}`,
          1,
          1,
        );
      src.exitCode = Number(text);
    }
  }
  for (const [id, src] of Object.entries(sources)) {
    if (src.command === '') {
      const recorded = commands[dir + id];
      // only .stderr / .exitcode: the command that failed was the canonical one
      src.command =
        typeof recorded === 'string' ? recorded : impliedCommand(id, prefersJson(id), `${id}.txt`);
      sourceFiles[dir + id] ??= tree.label(`${dir}${id}.exitcode`);
    }
  }
  return sources;
}

function readObject(tree: FileTree, path: string): Record<string, unknown> {
  const text = tree.read(path).replace(/^\uFEFF/, '');
  const r = parseJson(text);
  if (!r.ok) {
    const p = offsetToPosition(text, r.error.offset);
    throw new SnapshotError(tree.label(path), `invalid JSON: ${r.error.message}`, p.line, p.column);
  }
  if (!isRecord(r.value)) throw new SnapshotError(tree.label(path), 'expected a JSON object', 1, 1);
  return r.value;
}

function readPod(tree: FileTree, path: string): { namespace: string; name: string } {
  const o = readObject(tree, path);
  if (typeof o.namespace !== 'string' || typeof o.name !== 'string') {
    throw new SnapshotError(tree.label(path), 'expected { "namespace": "...", "name": "..." }', 1, 1);
  }
  return { namespace: o.namespace, name: o.name };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
