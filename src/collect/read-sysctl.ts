/**
 * @module collect/read-sysctl
 * `sysctl -a` for net.* without procps: walks /proc/sys/net of the namespace this process
 * runs in (proc_sys_net follows the reader's network namespace) and prints `name = value`
 * lines, names dotted as sysctl prints them (a `.` inside a device name becomes `/`).
 * Unreadable entries (write-only like net.ipv4.route.flush, EIO like stable_secret) are
 * skipped, as `sysctl -a` skips them.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mapLimit } from './pool.js';

export const SYSCTL_ROOT = '/proc/sys';

async function walk(dir: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, out);
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
  await walk(join(root, 'net'), files);
  let skipped = 0;
  const values = await mapLimit(files, 64, async (f) => {
    try {
      const v = await readFile(f, 'utf8');
      return `${sysctlName(f, root)} = ${v.replace(/\n+$/, '').replace(/\n/g, ' ')}`;
    } catch {
      skipped++;
      return undefined;
    }
  });
  const lines = values.filter((l): l is string => l !== undefined).sort();
  return { text: lines.length ? lines.join('\n') + '\n' : '', read: lines.length, skipped };
}
