/**
 * @module parse/diagnostic
 * Positioned diagnostics shared by every parser. Parsers never throw on bad input:
 * they return what they understood plus a list of these.
 */

/** Closed set of diagnostic codes. Tests assert on codes, never on message text. */
export type DiagnosticCode =
  | 'SYNTAX' // the text does not have the expected shape
  | 'UNSUPPORTED' // understood syntax, but a match/target/field the model does not know
  | 'UNEXPECTED_EOF' // truncated input (e.g. a table without COMMIT)
  | 'BAD_VALUE' // a field has an impossible value (bad address, port, number)
  | 'UNKNOWN_CHAIN' // a rule names a chain that is never declared
  | 'DUPLICATE' // something declared twice
  | 'WRONG_FORMAT' // the input is some other format (nft given as iptables-save, binary, ...)
  | 'EMPTY'; // nothing to read

export type DiagnosticSeverity = 'error' | 'warning' | 'unsupported';

export interface Diagnostic {
  code: DiagnosticCode;
  severity: DiagnosticSeverity;
  message: string;
  /** 1-based line; 0 when the whole document is concerned. */
  line: number;
  /** 1-based column; 0 when unknown. */
  column: number;
  /** Source id or file name the diagnostic belongs to (filled in by the snapshot loader). */
  source?: string;
}

export interface ParseResult<T> {
  value: T;
  diagnostics: Diagnostic[];
}

export function diag(
  code: DiagnosticCode,
  message: string,
  line: number,
  column = 0,
  severity: DiagnosticSeverity = code === 'UNSUPPORTED' ? 'unsupported' : 'error',
): Diagnostic {
  return { code, severity, message, line, column };
}

/** `file:line:col: message` with a caret line under the offending text, like a compiler. */
export function prettifyDiagnostic(d: Diagnostic, text?: string): string {
  const where = `${d.source ?? '<input>'}${d.line ? `:${d.line}` : ''}${d.column ? `:${d.column}` : ''}`;
  // a message may quote the offending text: keep it readable when that text is 100 MB long
  const msg =
    d.message.length > 300 ? `${d.message.slice(0, 300)}… (${d.message.length} characters)` : d.message;
  let out = `${where}: ${d.severity} ${d.code}: ${msg}`;
  if (text !== undefined && d.line > 0) {
    const lineText = text.split('\n')[d.line - 1];
    if (lineText !== undefined) {
      const shown = lineText.length > 200 ? lineText.slice(0, 200) + '…' : lineText;
      out += `\n  ${shown}`;
      if (d.column > 0 && d.column <= 201) out += `\n  ${' '.repeat(d.column - 1)}^`;
    }
  }
  return out;
}
