/**
 * @module parse/iproute/read-json-array
 * The common front of every `ip -j` / `bridge -j` parser: the text must be one JSON array of
 * objects (or several arrays back to back, as when `ip -j -4 route; ip -j -6 route` are
 * captured into one file). Elements are numbered 1.. across the arrays, so evidence can say
 * `ip-route[12]`; each keeps its line and column for diagnostics.
 */
import { diag, type Diagnostic } from '../diagnostic.js';
import { parseJsonValue, skipWhitespace } from '../json/parse-json.js';
import { offsetToPosition } from '../json/position.js';

export interface JsonElement {
  /** 1-based index across the document */
  index: number;
  value: Record<string, unknown>;
  line: number;
  column: number;
}

export interface JsonArrayRead {
  elements: JsonElement[];
  diagnostics: Diagnostic[];
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `what` names the command in messages (`ip -j link`). */
export function readJsonArray(text: string, what: string): JsonArrayRead {
  const elements: JsonElement[] = [];
  const diagnostics: Diagnostic[] = [];
  let pos = skipWhitespace(text, 0);
  if (pos >= text.length) {
    diagnostics.push(diag('EMPTY', `${what}: empty output`, 0, 0, 'warning'));
    return { elements, diagnostics };
  }
  let index = 0;
  while (pos < text.length) {
    const starts: number[] = [];
    const r = parseJsonValue(text, pos, {
      onValue: (path, start) => {
        if (path.length === 1) starts.push(start);
      },
    });
    if (!r.ok) {
      const p = offsetToPosition(text, r.error.offset);
      const code = r.error.eof ? 'UNEXPECTED_EOF' : 'SYNTAX';
      diagnostics.push(diag(code, `${what}: ${r.error.message}`, p.line, p.column));
      break;
    }
    if (!Array.isArray(r.value)) {
      const p = offsetToPosition(text, r.start);
      diagnostics.push(
        diag('WRONG_FORMAT', `${what}: expected a JSON array, found ${typeName(r.value)}`, p.line, p.column),
      );
    } else {
      r.value.forEach((v, i) => {
        index++;
        const p = offsetToPosition(text, starts[i] ?? r.start);
        if (isRecord(v)) elements.push({ index, value: v, line: p.line, column: p.column });
        else
          diagnostics.push(
            diag('SYNTAX', `${what}[${index}]: expected an object, found ${typeName(v)}`, p.line, p.column),
          );
      });
    }
    pos = skipWhitespace(text, r.end);
  }
  return { elements, diagnostics };
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
