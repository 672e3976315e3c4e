/**
 * @module snapshot/repo-root
 * Where the podpath package is on disk, from any module of it (compiled under dist/ or run
 * from src/ by tsx): the nearest folder upwards with a package.json. Used to find
 * schemas/, and by tests to find their fixtures (kept under src/) and the shared corpus.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export function findRepoRoot(moduleUrl: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(moduleUrl)}`);
    dir = up;
  }
}

/** the src/ folder of a module, also when the module runs compiled from dist/ (or another outDir) */
export function sourceDirOf(moduleUrl: string): string {
  const root = findRepoRoot(moduleUrl);
  const rel = relative(root, dirname(fileURLToPath(moduleUrl))).split(sep);
  if (rel[0] !== 'src') rel[0] = 'src';
  return join(root, ...rel);
}

/** `<repo>/../shared/corpus/real`, the read-only real dumps */
export function realCorpusDir(moduleUrl: string = import.meta.url): string {
  return join(findRepoRoot(moduleUrl), '..', 'shared', 'corpus', 'real');
}
