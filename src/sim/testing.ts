/**
 * @module sim/testing
 * Test helpers: the bundled incident example as snapshots, with edits (what-if copies).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRepoRoot } from '../snapshot/repo-root.js';
import { parseSnapshotJson } from '../snapshot/load.js';
import { buildCluster } from '../model/build.js';
import type { NodeSnapshot, LoadedSnapshot } from '../snapshot/types.js';
import type { ClusterModel } from '../model/node.js';

export function exampleSnapshots(example = 'incident-model'): NodeSnapshot[] {
  const dir = join(findRepoRoot(import.meta.url), 'examples', example);
  return ['node1.json', 'node2.json'].map(
    (f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as NodeSnapshot,
  );
}

/** the incident cluster with kube-proxy in IPVS mode (scripts/gen-incident-ipvs-example.mjs) */
export function ipvsExampleSnapshots(): NodeSnapshot[] {
  return exampleSnapshots('incident-ipvs');
}

export function setSysctl(s: NodeSnapshot, name: string, value: string): void {
  const src = s.sources['sysctl']!;
  const re = new RegExp(`^${name.replace(/\./g, '\\.')} = .*$`, 'm');
  src.stdout = re.test(src.stdout)
    ? src.stdout.replace(re, `${name} = ${value}`)
    : src.stdout + `${name} = ${value}\n`;
}

export function editRules(s: NodeSnapshot, edit: (text: string) => string): void {
  const src = s.sources['iptables-legacy-save']!;
  src.stdout = edit(src.stdout);
}

export function clusterOf(snaps: NodeSnapshot[]): ClusterModel {
  const loaded: LoadedSnapshot[] = snaps.map((s) =>
    parseSnapshotJson(JSON.stringify(s), `${s.metadata.node}.json`),
  );
  return buildCluster(loaded);
}
