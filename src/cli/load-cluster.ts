/**
 * @module cli/load-cluster
 * `--snapshot` flags -> ClusterModel, with unreadable input mapped to exit code 2 and the
 * parsers' diagnostics reported on stderr (the model keeps what was understood).
 */
import { loadSnapshots } from '../snapshot/load.js';
import { SnapshotError } from '../snapshot/snapshot-error.js';
import { buildCluster } from '../model/build.js';
import type { ClusterModel } from '../model/node.js';
import { InputError } from './args.js';
import { prettifyDiagnostic } from '../parse/diagnostic.js';

export async function loadCluster(paths: string[], opts: { quiet?: boolean } = {}): Promise<ClusterModel> {
  if (paths.length === 0)
    throw new InputError(
      'no --snapshot given (a node snapshot: JSON from `podpath collect`, a directory, or a .tar.gz)',
    );
  let loaded;
  try {
    loaded = await loadSnapshots(paths);
  } catch (e) {
    if (e instanceof SnapshotError) throw new InputError(e.message);
    throw e;
  }
  const cluster = buildCluster(loaded);
  if (!opts.quiet) {
    for (const node of cluster.nodes) {
      const errors = node.diagnostics.filter((d) => d.severity === 'error');
      const unsupported = node.diagnostics.filter((d) => d.severity === 'unsupported');
      for (const d of errors.slice(0, 10))
        process.stderr.write(`podpath: warning: ${prettifyDiagnostic(d)}\n`);
      if (errors.length > 10)
        process.stderr.write(
          `podpath: warning: ... and ${errors.length - 10} more parse errors in the snapshot of ${node.name}\n`,
        );
      if (unsupported.length)
        process.stderr.write(
          `podpath: note: ${unsupported.length} rule part(s) on ${node.name} are not modelled; a trace that meets one says "unknown"\n`,
        );
    }
  }
  return cluster;
}

/** `IP:PORT` -> { ip, port } */
export function parseHostPort(s: string, flag: string): { ip: string; port: number } {
  const m = s.match(/^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/);
  if (!m || Number(m[2]) > 65535)
    throw new InputError(`${flag} ${s}: expected IP:PORT, e.g. 10.233.53.172:8080`);
  return { ip: m[1]!, port: Number(m[2]) };
}

export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && !process.env['NO_COLOR'] && process.env['TERM'] !== 'dumb';
}
