/**
 * @module snapshot/load
 * `--snapshot PATH`: a NodeSnapshot JSON file, a directory of plain files (read-directory.ts),
 * or a .tar.gz / .tgz / .tar of such a directory. What the path is comes from its content
 * (gzip and ustar magic), not its name. Unreadable input throws SnapshotError naming the file
 * and, where there is one, the line.
 */
import { readFile, stat } from 'node:fs/promises';
import { parseJson } from '../parse/json/parse-json.js';
import { offsetToPosition } from '../parse/json/position.js';
import { directoryTree, memoryTree } from './file-tree.js';
import { isGzip, isTar, readTar } from './read-tar.js';
import { readDirectorySnapshot } from './read-directory.js';
import { SnapshotError } from './snapshot-error.js';
import { validateSnapshot } from './validate.js';
import type { LoadedSnapshot, NodeSnapshot } from './types.js';

export async function loadSnapshot(path: string): Promise<LoadedSnapshot> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (e) {
    throw new SnapshotError(path, `cannot read: ${reason(e)}`);
  }
  if (isDir) return checked(readDirectorySnapshot(directoryTree(path), path));
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (e) {
    throw new SnapshotError(path, `cannot read: ${reason(e)}`);
  }
  if (isGzip(data) || isTar(data))
    return checked(readDirectorySnapshot(memoryTree(readTar(data, path), path), path));
  return parseSnapshotJson(data.toString('utf8'), path);
}

/** several `--snapshot` flags, one node each; two snapshots of the same node are an error */
export async function loadSnapshots(paths: string[]): Promise<LoadedSnapshot[]> {
  const loaded = await Promise.all(paths.map((p) => loadSnapshot(p)));
  const seen = new Map<string, string>();
  for (const l of loaded) {
    const node = l.snapshot.metadata.node;
    const prev = seen.get(node);
    if (prev !== undefined)
      throw new SnapshotError(
        l.origin,
        `node "${node}" is also the node of ${prev}: give one snapshot per node`,
      );
    seen.set(node, l.origin);
  }
  return loaded;
}

/** offset of the first NUL or U+FFFD (left by decoding invalid UTF-8) in the first 64 KiB, or -1 */
function binaryOffset(text: string): number {
  const head = text.slice(0, 65536);
  const a = head.indexOf('\u0000');
  const b = head.indexOf('\uFFFD');
  return a < 0 ? b : b < 0 ? a : Math.min(a, b);
}

/** the JSON form, from its text (exported for tests and for snapshots read from stdin) */
export function parseSnapshotJson(raw: string, file: string): LoadedSnapshot {
  const text = raw.replace(/^\uFEFF/, '');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    const r = parseJson(text);
    const off = r.ok ? 0 : r.error.offset;
    const p = offsetToPosition(text, off);
    const bin = binaryOffset(text);
    if (bin >= 0) {
      const b = offsetToPosition(text, bin);
      throw new SnapshotError(
        file,
        'binary data (a NUL byte or invalid UTF-8): not a snapshot (neither JSON, a directory nor a .tar.gz)',
        b.line,
        b.column,
      );
    }
    const what =
      /^\s*[[{]/.test(text) || text.trim() === ''
        ? 'invalid JSON'
        : 'not a snapshot (neither JSON, a directory nor a .tar.gz)';
    throw new SnapshotError(file, `${what}: ${r.ok ? 'unreadable' : r.error.message}`, p.line, p.column);
  }
  const snapshot = validateSnapshot(doc, file, text);
  const sourceFiles: Record<string, string> = {};
  for (const id of Object.keys(snapshot.sources)) sourceFiles[id] = `${file}#sources.${id}`;
  snapshot.netns?.forEach((ns, i) => {
    for (const id of Object.keys(ns.sources))
      sourceFiles[`netns/${ns.name}/${id}`] = `${file}#netns[${i}].sources.${id}`;
  });
  return { snapshot, origin: file, sourceFiles };
}

/** the directory forms are built here, but are held to the same schema */
function checked(l: LoadedSnapshot): LoadedSnapshot {
  validateSnapshot(l.snapshot as NodeSnapshot, l.origin);
  return l;
}

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') return 'no such file or directory';
  if (err.code === 'EACCES') return 'permission denied';
  return err.message;
}
