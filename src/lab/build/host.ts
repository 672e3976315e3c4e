/**
 * @module lab/build/host
 * What the lab needs from the machine: Linux, root, and a view of /run/netns and /proc
 * (to find the namespaces and processes a lab owns).
 */
import { readdirSync, readlinkSync, statSync } from 'node:fs';
import { ownsNetns } from './names.js';

export class LabUnavailableError extends Error {
  override name = 'LabUnavailableError';
}

export function labAvailability(): string | undefined {
  if (process.platform !== 'linux')
    return `the lab needs Linux network namespaces (this is ${process.platform})`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0)
    return 'the lab needs root (network namespaces, iptables); run it with sudo';
  return undefined;
}

export function requireLab(): void {
  const why = labAvailability();
  if (why) throw new LabUnavailableError(why);
}

export const NETNS_DIR = '/run/netns';

export function listNetns(dir = NETNS_DIR): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

export function labNetns(prefix: string, dir = NETNS_DIR): string[] {
  return listNetns(dir).filter((n) => ownsNetns(prefix, n));
}

/** inode of a namespace file (equals the number in /proc/PID/ns/net's `net:[N]`) */
export function netnsInode(path: string): number | undefined {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
}

export interface ProcNet {
  pid: number;
  inode: number;
}

/** Every process whose network namespace we can read. */
export function processNetns(): ProcNet[] {
  const out: ProcNet[] = [];
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const p of pids) {
    try {
      const m = /^net:\[(\d+)\]$/.exec(readlinkSync(`/proc/${p}/ns/net`));
      if (m) out.push({ pid: Number(p), inode: Number(m[1]) });
    } catch {
      // process gone or not ours to read
    }
  }
  return out;
}
