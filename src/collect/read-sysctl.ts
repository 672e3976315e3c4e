/**
 * @module collect/read-sysctl
 * `sysctl -a` for net.* without procps: walks /proc/sys/net of the namespace this process
 * runs in (proc_sys_net follows the reader's network namespace) and prints `name = value`
 * lines, names dotted as sysctl prints them (a `.` inside a device name becomes `/`).
 * Unreadable entries (write-only like net.ipv4.route.flush, EIO like stable_secret) are
 * skipped, as `sysctl -a` skips them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';

export const SYSCTL_ROOT = '/proc/sys';

// Synchronous reads: /proc/sys files are tiny and never block on a disk, and one
// readFileSync costs a sixth of the CPU of a promise-based read (measured for the agent,
// which reads ~1000 of them every interval); the loop yields every CHUNK files.
const CHUNK = 256;

function walk(dir: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
}

/** `/proc/sys/net/ipv4/conf/eth0.100/rp_filter` -> `net.ipv4.conf.eth0/100.rp_filter` */
export function sysctlName(path: string, root = SYSCTL_ROOT): string {
  return path
    .slice(root.length + 1)
    .split('/')
    .map((c) => c.replace(/\./g, '/'))
    .join('.');
}

export interface SysctlRead {
  text: string;
  read: number;
  skipped: number;
}

export async function readNetSysctls(root = SYSCTL_ROOT): Promise<SysctlRead> {
  const files: string[] = [];
  walk(join(root, 'net'), files);
  let skipped = 0;
  const lines: string[] = [];
  for (let i = 0; i < files.length; i++) {
    if (i > 0 && i % CHUNK === 0) await yieldToLoop();
    const f = files[i]!;
    try {
      const v = readFileSync(f, 'utf8');
      lines.push(`${sysctlName(f, root)} = ${v.replace(/\n+$/, '').replace(/\n/g, ' ')}`);
    } catch {
      skipped++;
    }
  }
  lines.sort();
  return { text: lines.length ? lines.join('\n') + '\n' : '', read: lines.length, skipped };
}
