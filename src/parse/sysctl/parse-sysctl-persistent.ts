/**
 * @module parse/sysctl/parse-sysctl-persistent
 * The `sysctl-persistent` source: /etc/sysctl.conf and /etc/sysctl.d/*.conf (and
 * /run, /usr/lib, /lib sysctl.d) framed as in framed-files.ts. `effectiveSysctlConf` applies
 * them in the order `sysctl --system` / systemd-sysctl does: by file name across the
 * directories (a later name wins, an /etc file masks a same-named one elsewhere), then
 * /etc/sysctl.conf last.
 */
import type { Diagnostic, ParseResult } from '../diagnostic.js';
import { splitFramedFiles } from './framed-files.js';
import { parseSysctlConfLines } from './parse-sysctl-conf.js';

export interface PersistentSysctl {
  file: string;
  /** line within `file` */
  line: number;
  key: string;
  value: string;
  ignoreErrors: boolean;
  /** line within the whole source document */
  docLine: number;
}

export function parseSysctlPersistent(text: string): ParseResult<PersistentSysctl[]> {
  const diagnostics: Diagnostic[] = [];
  const out: PersistentSysctl[] = [];
  for (const f of splitFramedFiles(text)) {
    for (const e of parseSysctlConfLines(f.lines, f.firstLine, f.file || 'sysctl-persistent', diagnostics)) {
      out.push({ file: f.file, ...e, docLine: f.firstLine + e.line - 1 });
    }
  }
  return { value: out, diagnostics };
}

const DIR_RANK = [
  '/etc/sysctl.d/',
  '/run/sysctl.d/',
  '/usr/local/lib/sysctl.d/',
  '/usr/lib/sysctl.d/',
  '/lib/sysctl.d/',
];

/** key -> the entry that wins at boot */
export function effectiveSysctlConf(entries: PersistentSysctl[]): Map<string, PersistentSysctl> {
  const base = (f: string) => f.slice(f.lastIndexOf('/') + 1);
  const rank = (f: string) => {
    const r = DIR_RANK.findIndex((d) => f.startsWith(d));
    return r < 0 ? DIR_RANK.length : r;
  };
  // one file per base name: the one from the highest-priority directory
  const chosen = new Map<string, string>();
  for (const e of entries) {
    if (e.file === '/etc/sysctl.conf') continue;
    const b = base(e.file);
    const prev = chosen.get(b);
    if (prev === undefined || rank(e.file) < rank(prev)) chosen.set(b, e.file);
  }
  const order = (f: string) => (f === '/etc/sysctl.conf' ? '\uffff' : base(f));
  const live = entries.filter((e) => e.file === '/etc/sysctl.conf' || chosen.get(base(e.file)) === e.file);
  const sorted = live
    .map((e, i) => ({ e, i }))
    .sort((a, b) =>
      order(a.e.file) < order(b.e.file) ? -1 : order(a.e.file) > order(b.e.file) ? 1 : a.i - b.i,
    );
  const out = new Map<string, PersistentSysctl>();
  for (const { e } of sorted) out.set(e.key, e);
  return out;
}
