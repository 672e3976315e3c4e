/**
 * @module pcap/testing/fixtures
 * Where test fixtures live: the repository root is found by walking up from a test file to
 * package.json; the shared corpus and seed are beside it (`<repo>/../shared/...`).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function repoRoot(moduleUrl: string): string {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(moduleUrl)}`);
    dir = up;
  }
}

export function sharedDir(moduleUrl: string): string {
  return join(repoRoot(moduleUrl), '..', 'shared');
}
