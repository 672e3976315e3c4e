/**
 * @module snapshot/file-tree
 * The files of a directory snapshot, from disk or from an archive in memory, behind one
 * small interface so the directory reader does not care which.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { SnapshotError } from './snapshot-error.js';

export interface FileTree {
  /** posix paths relative to the snapshot root: `sysctl.txt`, `netns/pod-a/ip-addr.json` */
  paths(): string[];
  read(path: string): string;
  /** how to name the file in evidence and errors */
  label(path: string): string;
  /** node name to use when nothing in the snapshot names it */
  defaultNode: string;
}

/** a directory on disk: its files and those of `netns/<name>/` */
export function directoryTree(dir: string): FileTree {
  const paths: string[] = [];
  const list = (rel: string) => {
    try {
      return readdirSync(join(dir, rel), { withFileTypes: true });
    } catch (e) {
      throw new SnapshotError(join(dir, rel), `cannot read directory: ${(e as Error).message}`);
    }
  };
  for (const d of list('')) {
    if (d.isFile()) paths.push(d.name);
    else if (d.isDirectory() && d.name === 'netns') {
      for (const ns of list('netns')) {
        if (!ns.isDirectory()) continue;
        for (const f of list(`netns/${ns.name}`)) if (f.isFile()) paths.push(`netns/${ns.name}/${f.name}`);
      }
    }
  }
  return {
    paths: () => paths,
    read: (p) => {
      const full = join(dir, p);
      try {
        return readFileSync(full, 'utf8');
      } catch (e) {
        throw new SnapshotError(full, `cannot read: ${(e as Error).message}`);
      }
    },
    label: (p) => join(dir, p),
    defaultNode: basename(dir.replace(/\/+$/, '')) || dir,
  };
}

/**
 * Archive members as a tree. An archive of one folder (`tar -czf node1.tgz node1/`) is
 * rooted inside that folder, whose name becomes the default node name.
 */
export function memoryTree(files: Map<string, Buffer>, archive: string): FileTree {
  let prefix = '';
  const all = [...files.keys()];
  const tops = new Set(all.map((p) => p.split('/')[0]));
  if (all.length > 0 && tops.size === 1 && all.every((p) => p.includes('/'))) prefix = `${[...tops][0]}/`;
  const stem = basename(archive).replace(/\.(tar\.gz|tgz|tar)$/i, '');
  return {
    paths: () => all.filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length)),
    read: (p) => files.get(prefix + p)?.toString('utf8') ?? '',
    label: (p) => `${archive}!${prefix}${p}`,
    defaultNode: prefix ? prefix.slice(0, -1) : stem,
  };
}

export function isDirectory(path: string): boolean {
  return statSync(path).isDirectory();
}
