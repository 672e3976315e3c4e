/**
 * @module parse/conntrack/parse-conntrack-stats
 * Per-CPU conntrack statistics -> CtStats[], from either
 * - `conntrack -S`: `cpu=0   \tfound=0 invalid=12 insert=0 insert_failed=0 drop=0 ...`, or
 * - /proc/net/stat/nf_conntrack (`ct_cpu_seq_show`): a header row of names, then one row of
 *   hexadecimal counters per possible CPU (row i is CPU i); `entries` is the global count.
 * Also `conntrack -C` / nf_conntrack_count: `parseConntrackCount`.
 */
import { diag, type Diagnostic, type ParseResult } from '../diagnostic.js';
import type { CtStats } from '../../model/conntrack.js';
import { splitLines, tokenize } from '../iproute/tokens.js';

const WHAT = 'conntrack -S';

export function parseConntrackStats(text: string): ParseResult<CtStats[]> {
  const diagnostics: Diagnostic[] = [];
  const stats: CtStats[] = [];
  let header: string[] | undefined;
  let row = 0;
  splitLines(text).forEach((line, i) => {
    const n = i + 1;
    const t = tokenize(line);
    if (t.length === 0) return;
    if (t[0]!.text.includes('=')) {
      const values: Record<string, number> = {};
      let cpu: number | undefined;
      for (const tok of t) {
        const m = /^([a-z_]+)=(\d+)$/.exec(tok.text);
        if (!m) {
          diagnostics.push(
            diag(
              'BAD_VALUE',
              `${WHAT}: expected key=number, found ${JSON.stringify(tok.text)}`,
              n,
              tok.column,
            ),
          );
          continue;
        }
        if (m[1] === 'cpu') cpu = Number(m[2]);
        else values[m[1]!] = Number(m[2]);
      }
      if (cpu === undefined) diagnostics.push(diag('SYNTAX', `${WHAT}: line without cpu=`, n, 1));
      else stats.push({ cpu, values, line: n });
      return;
    }
    if (t.every((x) => /^[a-z_]+$/.test(x.text))) {
      header = t.map((x) => x.text);
      row = 0;
      return;
    }
    if (!header) {
      diagnostics.push(diag('SYNTAX', `${WHAT}: counters before the header row`, n, 1));
      return;
    }
    if (t.length !== header.length) {
      diagnostics.push(diag('SYNTAX', `${WHAT}: ${t.length} columns, the header has ${header.length}`, n, 1));
      return;
    }
    const values: Record<string, number> = {};
    for (const [k, tok] of t.entries()) {
      if (!/^[0-9a-fA-F]{1,16}$/.test(tok.text)) {
        diagnostics.push(
          diag('BAD_VALUE', `${WHAT}: not a hexadecimal counter: ${JSON.stringify(tok.text)}`, n, tok.column),
        );
        return;
      }
      values[header[k]!] = parseInt(tok.text, 16);
    }
    stats.push({ cpu: row++, values, line: n });
  });
  return { value: stats, diagnostics };
}

/** `conntrack -C` or /proc/sys/net/netfilter/nf_conntrack_count: one number */
export function parseConntrackCount(text: string): ParseResult<number | undefined> {
  const lines = splitLines(text);
  const i = lines.findIndex((l) => l.trim() !== '');
  if (i < 0)
    return { value: undefined, diagnostics: [diag('EMPTY', 'conntrack -C: empty output', 0, 0, 'warning')] };
  const s = lines[i]!.trim();
  if (!/^\d+$/.test(s)) {
    return {
      value: undefined,
      diagnostics: [
        diag(
          'SYNTAX',
          `conntrack -C: expected a number, found ${JSON.stringify(s.slice(0, 40))}`,
          i + 1,
          lines[i]!.search(/\S/) + 1,
        ),
      ],
    };
  }
  return { value: Number(s), diagnostics: [] };
}
