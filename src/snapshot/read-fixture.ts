/**
 * @module snapshot/read-fixture
 * Test support: paths of the files under ./fixtures (kept in src/, also used by the compiled
 * tests under dist/).
 */
import { join } from 'node:path';
import { sourceDirOf } from './repo-root.js';

export function fixturePath(name: string): string {
  return join(sourceDirOf(import.meta.url), 'fixtures', name);
}
