/**
 * @module collect/collect-in-netns
 * Runs `podpath collect` inside a named network namespace (`ip netns exec NAME`), since
 * /proc/sys/net always shows the reader's own namespace. Uses the compiled CLI when this
 * module runs from dist/, and the TypeScript sources through tsx otherwise.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { NodeSnapshot } from '../snapshot/types.js';
import { runCommand } from './run-command.js';

export interface InNetnsOptions {
  node?: string;
  netnsDir?: string;
  timeoutMs?: number;
}

/** argv that starts the podpath CLI with this build */
export function cliArgv(): string[] {
  const here = fileURLToPath(import.meta.url);
  const cliDir = join(dirname(here), '..', 'cli');
  if (here.endsWith('.ts')) {
    const root = join(dirname(here), '..', '..');
    const tsx = join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs');
    return [
      process.execPath,
      '--import',
      existsSync(tsx) ? pathToFileURL(tsx).href : 'tsx',
      join(cliDir, 'main.ts'),
    ];
  }
  return [process.execPath, join(cliDir, 'main.js')];
}

export async function collectInNetns(netns: string, opts: InNetnsOptions = {}): Promise<NodeSnapshot> {
  const [file, ...pre] = cliArgv();
  const args = ['netns', 'exec', netns, file!, ...pre, 'collect', '--quiet'];
  if (opts.node) args.push('--node', opts.node);
  if (opts.netnsDir) args.push('--netns-dir', opts.netnsDir);
  const r = await runCommand('ip', args, { timeoutMs: opts.timeoutMs ?? 120_000 });
  if (r.exitCode !== 0)
    throw new Error(`collect in ${netns} failed (exit ${r.exitCode}): ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as NodeSnapshot;
}
