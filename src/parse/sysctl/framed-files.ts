/**
 * @module parse/sysctl/framed-files
 * Several files in one source (`sysctl-persistent`, `modules-load`, `cni-conf`), framed the
 * way `tail -v -n +1 FILE...` (or `head -v`) frames them:
 *
 *     ==> /etc/sysctl.d/99-kubernetes.conf <==
 *     net.ipv4.ip_forward = 1
 *
 *     ==> /etc/sysctl.conf <==
 *     ...
 *
 * Each header line starts a file; the blank line `tail` puts before the next header belongs
 * to the previous file and is harmless. Text before the first header (or text without any
 * header: `tail` of a single file prints none) is a file with an empty name. Lines are kept
 * in both coordinates: within the file (for evidence) and within the whole document (for
 * diagnostics, which are positioned in the source text).
 */
import { splitLines } from '../iproute/tokens.js';

export interface FramedFile {
  /** file name from the header, '' when the text has no header */
  file: string;
  /** document line of the header (0 when none) */
  headerLine: number;
  /** the file's lines; `lines[i]` is line i+1 of the file, line `firstLine + i` of the document */
  lines: string[];
  firstLine: number;
}

const HEADER = /^==> (.+) <==$/;

export function splitFramedFiles(text: string): FramedFile[] {
  const files: FramedFile[] = [];
  let cur: FramedFile = { file: '', headerLine: 0, lines: [], firstLine: 1 };
  splitLines(text).forEach((line, i) => {
    const m = HEADER.exec(line);
    if (m && m[1]) {
      if (cur.headerLine > 0 || cur.lines.some((l) => l.trim() !== '')) files.push(cur);
      cur = { file: m[1], headerLine: i + 1, lines: [], firstLine: i + 2 };
    } else cur.lines.push(line);
  });
  if (cur.headerLine > 0 || cur.lines.some((l) => l.trim() !== '')) files.push(cur);
  return files;
}

/** the inverse, for writers and tests */
export function joinFramedFiles(files: { file: string; text: string }[]): string {
  return files
    .map((f) => `==> ${f.file} <==\n${f.text.endsWith('\n') || f.text === '' ? f.text : f.text + '\n'}`)
    .join('\n');
}
