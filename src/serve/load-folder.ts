/**
 * @module serve/load-folder
 * What `podpath serve DIR` shows: every node snapshot in DIR (`*.json`, `*.tar.gz`, or a
 * sub-directory in snapshot layout) and every capture (`*.pcap`, `*.pcapng`). Files are only
 * parsed, never executed; one that does not load is listed with its reason, not fatal.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadSnapshot } from '../snapshot/load.js';
import type { LoadedSnapshot } from '../snapshot/types.js';
import { SnapshotError } from '../snapshot/snapshot-error.js';
import { buildCluster } from '../model/build.js';
import type { ClusterModel } from '../model/node.js';
import type { PcapReport } from '../pcap/types.js';
import { analyzeFile } from '../pcap/analyze.js';
import { mergeNames, namesFromSnapshot } from '../pcap/names.js';

export interface Folder {
  dir: string;
  cluster: ClusterModel;
  files: string[];
  captures: PcapReport[];
  /** entries that were not loaded, with why */
  skipped: { file: string; reason: string }[];
}

const CAPTURE = /\.(pcap|pcapng|cap)$/i;
const SNAPSHOT = /\.(json|tar\.gz|tgz)$/i;

export async function loadFolder(dir: string): Promise<Folder> {
  const entries = (await readdir(dir)).filter((e) => !e.startsWith('.')).sort();
  const loaded: LoadedSnapshot[] = [];
  const files: string[] = [];
  const captureFiles: string[] = [];
  const skipped: Folder['skipped'] = [];
  const nodes = new Set<string>();
  for (const e of entries) {
    const p = join(dir, e);
    const st = await stat(p);
    if (st.isFile() && CAPTURE.test(e)) {
      captureFiles.push(p);
      continue;
    }
    if (!(st.isDirectory() || (st.isFile() && SNAPSHOT.test(e)))) {
      skipped.push({
        file: e,
        reason: 'neither a snapshot (.json, .tar.gz, directory) nor a capture (.pcap, .pcapng)',
      });
      continue;
    }
    try {
      const l = await loadSnapshot(p);
      if (Object.keys(l.snapshot.sources).length === 0 && !l.snapshot.netns?.length) {
        skipped.push({ file: e, reason: 'no snapshot source (sysctl.txt, ip-route.json, ...) in it' });
        continue;
      }
      if (nodes.has(l.snapshot.metadata.node)) {
        skipped.push({ file: e, reason: `a second snapshot of node ${l.snapshot.metadata.node}` });
        continue;
      }
      nodes.add(l.snapshot.metadata.node);
      loaded.push(l);
      files.push(p);
    } catch (err) {
      if (!(err instanceof SnapshotError)) throw err;
      skipped.push({ file: e, reason: err.message });
    }
  }
  const names = mergeNames(...loaded.map((l) => namesFromSnapshot(l.snapshot)));
  const captures: PcapReport[] = [];
  for (const p of captureFiles) {
    try {
      const r = await analyzeFile(p, { file: p, names });
      if (r.packets === 0 && r.diagnostics.some((d) => d.severity === 'error'))
        skipped.push({ file: p, reason: r.diagnostics.find((d) => d.severity === 'error')!.message });
      else captures.push(r);
    } catch (err) {
      skipped.push({ file: p, reason: (err as Error).message });
    }
  }
  return { dir, cluster: buildCluster(loaded), files, captures, skipped };
}
