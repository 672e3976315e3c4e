/**
 * @module collect/read-framed
 * Several configuration files as one source, each preceded by `==> PATH <==` (the framing
 * `tail`/`head` use with several files), e.g. /etc/sysctl.d/*.conf.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface FramedSpec {
  /** files, or directories whose entries are read in name order */
  paths: string[];
  /** only directory entries ending with this (e.g. `.conf`) */
  suffix?: string;
}

export interface FramedRead {
  stdout: string;
  stderr: string;
  exitCode: number;
}

async function expand(path: string, suffix: string | undefined, errors: string[]): Promise<string[]> {
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') errors.push(`${path}: ${(e as Error).message}`);
    return [];
  }
  if (!st.isDirectory()) return [path];
  try {
    const names = (await readdir(path)).filter((n) => !suffix || n.endsWith(suffix)).sort();
    return names.map((n) => join(path, n));
  } catch (e) {
    errors.push(`${path}: ${(e as Error).message}`);
    return [];
  }
}

/** Absent paths are not errors (a node without /run/sysctl.d is normal); unreadable ones are. */
export async function readFramed(spec: FramedSpec): Promise<FramedRead> {
  const errors: string[] = [];
  const parts: string[] = [];
  for (const p of spec.paths) {
    for (const f of await expand(p, spec.suffix, errors)) {
      try {
        const st = await stat(f);
        if (!st.isFile()) continue;
        const text = await readFile(f, 'utf8');
        parts.push(`==> ${f} <==\n${text}${text.endsWith('\n') || text === '' ? '' : '\n'}`);
      } catch (e) {
        errors.push(`${f}: ${(e as Error).message}`);
      }
    }
  }
  return { stdout: parts.join(''), stderr: errors.join('\n'), exitCode: errors.length ? 1 : 0 };
}
