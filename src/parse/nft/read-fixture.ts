/**
 * @module parse/nft/read-fixture
 * Test support: `nft -j list ruleset` captures under ./fixtures (kept in src/, read by the
 * compiled tests under dist/). kube-proxy-golden.json is kubernetes'
 * TestOverallNFTablesRules rule set loaded into a scratch namespace by nft 1.0.6 and listed
 * back; the -with-iptables-nft variant adds tables written by iptables-nft; k3s-kube-proxy.json
 * is a real k3s node's `nft list table ip kube-proxy` (a public study note, see
 * corpus/real/SOURCES.md) loaded and listed back the same way.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sourceDirOf } from '../../snapshot/repo-root.js';

export function readNftFixture(name: string): string {
  return readFileSync(join(sourceDirOf(import.meta.url), 'fixtures', name), 'utf8');
}
