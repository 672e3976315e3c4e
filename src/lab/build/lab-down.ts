/**
 * @module lab/build/lab-down
 * Tears a lab down: stops the processes living in its namespaces (responders, probes),
 * deletes every `<prefix>-*` namespace (which destroys their links, veth peers included),
 * and removes the state directory. Safe to run twice, and on a half-built lab.
 */
import { join } from 'node:path';
import { runCommand } from '../../collect/run-command.js';
import { labNetns, netnsInode, processNetns, NETNS_DIR } from './host.js';
import { isValidPrefix } from './names.js';
import { readState, removeState } from './state.js';

export interface DownResult {
  namespaces: string[];
  killed: number[];
  errors: string[];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pids: number[], ms: number): Promise<number[]> {
  const until = Date.now() + ms;
  let left = pids.filter(alive);
  while (left.length && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 25));
    left = left.filter(alive);
  }
  return left;
}

/** pids of processes inside any of the lab's namespaces */
function pidsInside(namespaces: string[]): number[] {
  const inodes = new Set(
    namespaces.map((n) => netnsInode(join(NETNS_DIR, n))).filter((i): i is number => i !== undefined),
  );
  return processNetns()
    .filter((p) => inodes.has(p.inode) && p.pid !== process.pid)
    .map((p) => p.pid);
}

export async function labDown(prefix: string): Promise<DownResult> {
  if (!isValidPrefix(prefix))
    throw new Error(`refusing to tear down: '${prefix}' is not a lab prefix (pp + letters/digits)`);
  const errors: string[] = [];
  const namespaces = labNetns(prefix);
  const state = readState(prefix);
  const pids = new Set<number>(pidsInside(namespaces));
  for (const r of state?.responders ?? []) if (namespaces.includes(r.netns) && alive(r.pid)) pids.add(r.pid);
  const killed = [...pids];
  for (const pid of killed) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  const stubborn = await waitGone(killed, 1500);
  for (const pid of stubborn) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await waitGone(stubborn, 1500);
  for (const ns of namespaces) {
    const r = await runCommand('ip', ['netns', 'delete', ns], { timeoutMs: 10_000 });
    if (r.exitCode !== 0) errors.push(`ip netns delete ${ns}: ${r.stderr.trim()}`);
  }
  removeState(prefix);
  return { namespaces, killed, errors };
}
