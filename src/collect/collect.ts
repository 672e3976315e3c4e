/**
 * @module collect/collect
 * `podpath collect`: a read-only NodeSnapshot (ARCHITECTURE §3) of the network namespace
 * this process runs in, plus the pod namespaces behind its bridges. Sources run a few at
 * a time, each with a timeout and an output cap; a missing tool is exit code 127 in the
 * snapshot, never a failure of the collection.
 */
import { readFile } from 'node:fs/promises';
import { hostname, release } from 'node:os';
import type { NodeSnapshot, SourceOutput } from '../snapshot/types.js';
import { collectPodNetns } from './pod-netns.js';
import { mapLimit } from './pool.js';
import { readFramed } from './read-framed.js';
import { readNetSysctls } from './read-sysctl.js';
import { runCommand } from './run-command.js';
import { NODE_SOURCES, type SourceSpec } from './sources.js';

export const COLLECTOR = 'podpath 0.1.0';

export interface CollectOptions {
  /** metadata.node (default: the hostname source, else os.hostname()) */
  node?: string;
  netnsDir?: string;
  /** per source, ms (default 30 s) */
  timeoutMs?: number;
  /** sources at the same time (default 4) */
  concurrency?: number;
  /** look for pod namespaces (default true) */
  podNetns?: boolean;
  /** also look at other processes' namespaces (default true) */
  containers?: boolean;
  progress?: (line: string) => void;
}

async function readSource(spec: SourceSpec, timeoutMs: number): Promise<SourceOutput> {
  const started = Date.now();
  switch (spec.kind) {
    case 'exec': {
      const r = await runCommand(spec.file, spec.args, { timeoutMs });
      return {
        command: r.command,
        exitCode: r.exitCode,
        stdout: r.stdout,
        stderr: r.stderr,
        durationMs: r.durationMs,
      };
    }
    case 'file':
      try {
        const stdout = await readFile(spec.path, 'utf8');
        return {
          command: `cat ${spec.path}`,
          exitCode: 0,
          stdout,
          stderr: '',
          durationMs: Date.now() - started,
        };
      } catch (e) {
        return {
          command: `cat ${spec.path}`,
          exitCode: 1,
          stdout: '',
          stderr: `cat: ${spec.path}: ${(e as Error).message}`,
          durationMs: Date.now() - started,
        };
      }
    case 'framed': {
      const r = await readFramed(spec.spec);
      return {
        command: spec.command,
        exitCode: r.exitCode,
        stdout: r.stdout,
        stderr: r.stderr,
        durationMs: Date.now() - started,
      };
    }
    case 'sysctl': {
      const r = await readNetSysctls();
      return {
        command: 'sysctl -a (net.* read from /proc/sys/net)',
        exitCode: r.read > 0 ? 0 : 1,
        stdout: r.text,
        stderr: r.skipped ? `${r.skipped} unreadable entries skipped` : '',
        durationMs: Date.now() - started,
      };
    }
  }
}

function size(n: number): string {
  return n > 1024 * 1024
    ? `${(n / 1024 / 1024).toFixed(1)} MiB`
    : n > 1024
      ? `${(n / 1024).toFixed(1)} KiB`
      : `${n} B`;
}

export async function collectSnapshot(opts: CollectOptions = {}): Promise<NodeSnapshot> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const progress = opts.progress ?? (() => undefined);
  const collectedAt = new Date().toISOString();
  const outputs = await mapLimit(NODE_SOURCES, opts.concurrency ?? 4, async (spec) => {
    const out = await readSource(spec, timeoutMs);
    const status =
      out.exitCode === 0 ? '' : out.exitCode === 127 ? ' (not installed)' : ` (exit ${out.exitCode})`;
    progress(`collect: ${spec.id}: ${size(out.stdout.length)} in ${out.durationMs ?? 0} ms${status}`);
    return out;
  });
  const sources: Record<string, SourceOutput> = {};
  NODE_SOURCES.forEach((s, i) => (sources[s.id] = outputs[i]!));
  const host = sources.hostname?.exitCode === 0 ? sources.hostname.stdout.trim() : hostname();
  const snap: NodeSnapshot = {
    apiVersion: 'podpath/v1',
    kind: 'NodeSnapshot',
    metadata: { node: opts.node ?? host, collectedAt, kernel: release(), collector: COLLECTOR },
    sources,
  };
  if (opts.podNetns !== false && sources['ip-link']?.exitCode === 0) {
    const netns = await collectPodNetns(sources['ip-link'].stdout, {
      timeoutMs,
      concurrency: opts.concurrency ?? 4,
      progress,
      ...(opts.netnsDir ? { netnsDir: opts.netnsDir } : {}),
      ...(opts.containers === false ? { containers: false } : {}),
    });
    if (netns.length) snap.netns = netns;
    progress(`collect: ${netns.length} pod network namespaces`);
  }
  return snap;
}
