/**
 * @module parse/iproute/read-fixture
 * Test support: the captured outputs under ./fixtures (kept in src/, also read by the
 * compiled tests under dist/).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sourceDirOf } from '../../snapshot/repo-root.js';

export function readFixture(name: string): string {
  return readFileSync(join(sourceDirOf(import.meta.url), 'fixtures', name), 'utf8');
}
