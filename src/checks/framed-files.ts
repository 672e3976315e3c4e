/**
 * @module checks/framed-files
 * Raw sources that concatenate files (`sysctl-persistent`, `modules-load`, `cni-conf`): each
 * file starts with a line `==> /path <==` (as `tail -v -n +1` prints). A tiny local reader,
 * so the checks depend on nothing but the raw text: assignments with file and line.
 */

export interface FileLine {
  file: string;
  /** line within that file, 1-based */
  line: number;
  text: string;
}

const HEADER = /^==> (.+) <==$/;

export function framedLines(text: string): FileLine[] {
  const out: FileLine[] = [];
  let file = '';
  let n = 0;
  for (const raw of text.split(/\r?\n/)) {
    const h = HEADER.exec(raw);
    if (h) {
      file = h[1]!;
      n = 0;
      continue;
    }
    n++;
    out.push({ file, line: n, text: raw });
  }
  return out;
}

export interface SysctlAssignment extends FileLine {
  name: string;
  value: string;
}

/** `key = value` lines of sysctl.conf files (comments `#`/`;`, a leading `-` ignored; `/` -> `.`). */
export function sysctlAssignments(text: string): SysctlAssignment[] {
  const out: SysctlAssignment[] = [];
  for (const l of framedLines(text)) {
    const t = l.text.trim();
    if (!t || t.startsWith('#') || t.startsWith(';')) continue;
    const eq = t.indexOf('=');
    if (eq < 0) continue;
    const name = t.slice(0, eq).trim().replace(/^-/, '').replace(/\//g, '.');
    const value = t
      .slice(eq + 1)
      .trim()
      .replace(/\s+/g, ' ');
    if (name) out.push({ ...l, name, value });
  }
  return out;
}

/**
 * The assignment systemd-sysctl / `sysctl --system` ends with for `name`: files are applied
 * in order of their base name and /etc/sysctl.conf last, a later assignment wins.
 */
export function effectiveAssignment(all: SysctlAssignment[], name: string): SysctlAssignment | undefined {
  const base = (f: string) => f.slice(f.lastIndexOf('/') + 1);
  const rank = (f: string) => (f === '/etc/sysctl.conf' ? '\uffff' : base(f));
  const hits = all.filter((a) => a.name === name);
  hits.sort((a, b) => (rank(a.file) < rank(b.file) ? -1 : rank(a.file) > rank(b.file) ? 1 : a.line - b.line));
  return hits[hits.length - 1];
}

/** Module names listed in /etc/modules-load.d files. */
export function modulesLoadEntries(text: string): FileLine[] {
  return framedLines(text)
    .map((l) => ({ ...l, text: l.text.trim() }))
    .filter((l) => l.text && !l.text.startsWith('#') && !l.text.startsWith(';'));
}
