/**
 * @module parse/iptables-save/parse-document
 * The line loop shared by both entry points, modelled on `ip[6]tables_restore_main()`:
 * comments (header, legacy-tables warning), structure lines (parse-declarations.ts) and
 * command lines (parse-commands.ts). `iptables -S` output is the same command language
 * for one table without `*table`/`COMMIT`.
 *
 * One pass over the text; lines are found with indexOf, each rule is tokenised into a
 * reused buffer. Lines longer than MAX_LINE are reported and not tokenised; binary data
 * or another format stops the parse with WRONG_FORMAT.
 */
import type { Ruleset, TableName } from '../../model/iptables.js';
import type { ParseResult } from '../diagnostic.js';
import { firstBinaryOffset, otherFormat } from './detect-format.js';
import { DocumentState, type Mode, type ParseOptions } from './document-state.js';
import { report } from './parse-context.js';
import { commandLine } from './parse-commands.js';
import { chainLine, commitLine, tableLine } from './parse-declarations.js';
import { isLegacyTablesWarning, parseGeneratedBy } from './parse-header.js';

export type { ParseOptions } from './document-state.js';

/** iptables-restore reads lines into a 10 KiB buffer; 64 KiB is far beyond any real rule. */
export const MAX_LINE = 65536;

function run(
  mode: Mode,
  text: string,
  opts: ParseOptions | undefined,
  listTable?: TableName,
): ParseResult<Ruleset> {
  const st = new DocumentState(mode, opts);
  const ctx = st.ctx;
  if (listTable) st.openTable(listTable, 0);
  const bad = firstBinaryOffset(text);
  const len = text.length;
  let pos = 0;
  let lineNo = 0;
  let meaningful = false;
  let stopped = false;
  /** last line with any text: where "no COMMIT" is reported */
  let lastText = 0;
  while (pos <= len) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = len;
    lineNo++;
    ctx.line = lineNo;
    if (bad >= pos && bad <= end) {
      report(
        ctx,
        'WRONG_FORMAT',
        'binary data (NUL byte or invalid UTF-8), not iptables-save text',
        bad - pos + 1,
      );
      stopped = true;
      break;
    }
    let e = end;
    if (e > pos && text.charCodeAt(e - 1) === 13) e--;
    if (e - pos > MAX_LINE) {
      report(ctx, 'SYNTAX', `line of ${e - pos} characters is longer than ${MAX_LINE}; not parsed`, 1);
    } else {
      let s = pos;
      while (s < e && (text.charCodeAt(s) === 32 || text.charCodeAt(s) === 9)) s++;
      if (s < e) {
        lastText = lineNo;
        const line = text.slice(pos, e);
        const col = s - pos;
        const first = line.charCodeAt(col);
        if (first === 35 /* # */) {
          if (!comment(st, line, col, lineNo)) {
            stopped = true;
            break;
          }
        } else {
          if (!meaningful) {
            meaningful = true;
            const why = otherFormat(line.slice(col));
            if (why !== undefined) {
              report(ctx, 'WRONG_FORMAT', `this is ${why}`, col + 1);
              stopped = true;
              break;
            }
          }
          statement(st, line, col, first);
        }
      }
    }
    if (end >= len) break;
    pos = end + 1;
  }
  if (!stopped) finish(st, lastText || lineNo, meaningful);
  st.ruleset.family = ctx.family;
  // jumps are checked at COMMIT: put those diagnostics back in document order (stable)
  ctx.diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
  return { value: st.ruleset, diagnostics: ctx.diagnostics };
}

function finish(st: DocumentState, lastLine: number, meaningful: boolean): void {
  const ctx = st.ctx;
  if (st.table) {
    if (st.mode === 'save') {
      const t = st.table.table;
      report(ctx, 'UNEXPECTED_EOF', `table ${t.name} (line ${t.line}) has no COMMIT`, 0, 'error', lastLine);
    }
    st.closeTable();
  } else if (st.skipping) {
    report(ctx, 'UNEXPECTED_EOF', 'unknown table has no COMMIT', 0, 'error', lastLine);
  }
  if (!meaningful) report(ctx, 'EMPTY', 'no tables, chains or rules in the input', 0, 'warning', 0);
}

/** A `#` line; false when it shows the input is another format (parsing stops). */
function comment(st: DocumentState, line: string, col: number, lineNo: number): boolean {
  const text = col === 0 ? line : line.slice(col);
  if (lineNo === 1 && text.startsWith('#!')) {
    const why = otherFormat(text);
    if (why !== undefined) {
      report(st.ctx, 'WRONG_FORMAT', `this is ${why}`, col + 1);
      return false;
    }
  }
  if (text.length < 12) return true;
  const h = parseGeneratedBy(text);
  if (h) {
    const rs = st.ruleset;
    if (rs.backend === 'unknown') rs.backend = h.backend;
    if (rs.version === undefined) rs.version = h.version;
    if (!st.ctx.familyKnown) {
      st.ctx.family = h.family;
      st.ctx.familyKnown = true;
    }
  } else if (isLegacyTablesWarning(text)) st.ruleset.legacyTablesPresent = true;
  return true;
}

function statement(st: DocumentState, line: string, col: number, first: number): void {
  const structural =
    first === 42 /* * */ ||
    first === 58 /* : */ ||
    (first === 67 /* C */ && line.slice(col).trimEnd() === 'COMMIT');
  if (structural) {
    if (st.mode === 'list') {
      report(
        st.ctx,
        'SYNTAX',
        'iptables-save syntax in `iptables -S` input (parse it as iptables-save)',
        col + 1,
      );
    } else if (first === 42) tableLine(st, line, col);
    else if (first === 58) chainLine(st, line, col);
    else commitLine(st, col);
    return;
  }
  if (first === 45 /* - */ || first === 91 /* [ */) {
    commandLine(st, line, col);
    return;
  }
  if (st.skipping) return;
  const expected = st.mode === 'save' ? '*table, :CHAIN, -A or COMMIT' : '-P, -N or -A';
  report(st.ctx, 'SYNTAX', `unexpected line (expected ${expected})`, col + 1);
}

/** Parses `iptables-save` / `iptables-restore` text. */
export function parseSaveText(text: string, opts?: ParseOptions): ParseResult<Ruleset> {
  return run('save', text, opts);
}

/** Parses `iptables [-t TABLE] -S` output for one table. */
export function parseListText(text: string, table: TableName, opts?: ParseOptions): ParseResult<Ruleset> {
  return run('list', text, opts, table);
}
