/**
 * @module parse/json/parse-json
 * A small RFC 8259 JSON reader that knows where things are: the offset of every syntax
 * error (V8's `JSON.parse` messages do not always carry one) and, on request, the offset of
 * every value by its path, so diagnostics and schema errors can name a line and a column.
 * It accepts exactly what `JSON.parse` accepts and never throws.
 */

export type JsonPath = readonly (string | number)[];

export interface JsonSyntaxError {
  /** offset of the offending character (text.length at end of input) */
  offset: number;
  message: string;
  /** the input ended in the middle of a value */
  eof: boolean;
}

export type JsonValueResult =
  { ok: true; value: unknown; start: number; end: number } | { ok: false; error: JsonSyntaxError };

export interface ParseJsonOptions {
  /** deeper nesting is a syntax error instead of a stack overflow (default 512) */
  maxDepth?: number;
  /** called with the path and start offset of every value, parents before children */
  onValue?: (path: JsonPath, start: number) => void;
}

class Fail {
  readonly error: JsonSyntaxError;
  constructor(error: JsonSyntaxError) {
    this.error = error;
  }
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

export function skipWhitespace(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    i++;
  }
  return i;
}

/** Reads one JSON value starting at `from` (leading whitespace skipped); `end` is just after it. */
export function parseJsonValue(text: string, from = 0, options: ParseJsonOptions = {}): JsonValueResult {
  const reader = new Reader(text, options);
  try {
    const start = skipWhitespace(text, from);
    reader.pos = start;
    const value = reader.value([], 0);
    return { ok: true, value, start, end: reader.pos };
  } catch (e) {
    if (e instanceof Fail) return { ok: false, error: e.error };
    throw e;
  }
}

/** Reads a whole document: one value and nothing but whitespace after it. */
export function parseJson(text: string, options: ParseJsonOptions = {}): JsonValueResult {
  const r = parseJsonValue(text, 0, options);
  if (!r.ok) return r;
  const after = skipWhitespace(text, r.end);
  if (after < text.length) {
    return {
      ok: false,
      error: { offset: after, message: 'unexpected text after the JSON value', eof: false },
    };
  }
  return r;
}

class Reader {
  pos = 0;
  private readonly text: string;
  private readonly options: ParseJsonOptions;
  private readonly maxDepth: number;
  constructor(text: string, options: ParseJsonOptions) {
    this.text = text;
    this.options = options;
    this.maxDepth = options.maxDepth ?? 512;
  }

  private fail(message: string, offset = this.pos): never {
    const eof = offset >= this.text.length;
    throw new Fail({ offset, message: eof ? 'unexpected end of JSON input' : message, eof });
  }

  value(path: (string | number)[], depth: number): unknown {
    const t = this.text;
    this.pos = skipWhitespace(t, this.pos);
    if (this.pos >= t.length) this.fail('unexpected end of JSON input');
    this.options.onValue?.(path, this.pos);
    const c = t[this.pos];
    if (c === '{' || c === '[') {
      if (depth >= this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth}`);
      return c === '{' ? this.object(path, depth + 1) : this.array(path, depth + 1);
    }
    if (c === '"') return this.string();
    if (c === 't') return this.literal('true', true);
    if (c === 'f') return this.literal('false', false);
    if (c === 'n') return this.literal('null', null);
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(t);
    if (m) {
      this.pos += m[0].length;
      return Number(m[0]);
    }
    return this.fail(`unexpected character ${JSON.stringify(c)}`);
  }

  private literal(word: string, value: unknown): unknown {
    for (let k = 0; k < word.length; k++) {
      if (this.text[this.pos + k] !== word[k]) this.fail(`expected ${word}`, this.pos + k);
    }
    this.pos += word.length;
    return value;
  }

  private string(): string {
    const t = this.text;
    let i = this.pos + 1;
    let out = '';
    let chunk = i;
    for (;;) {
      if (i >= t.length) this.fail('unterminated string', i);
      const c = t.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) this.fail('control character in string', i);
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += t.slice(chunk, i);
      const e = t[i + 1];
      if (e === undefined) this.fail('unterminated string', i + 1);
      if (e === 'u') {
        const hex = t.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape', i);
        out += String.fromCharCode(parseInt(hex, 16));
        i += 6;
      } else {
        const r = ESCAPES[e];
        if (r === undefined) this.fail(`bad escape \\${e}`, i);
        out += r;
        i += 2;
      }
      chunk = i;
    }
    out += t.slice(chunk, i);
    this.pos = i + 1;
    return out;
  }

  private array(path: (string | number)[], depth: number): unknown[] {
    const t = this.text;
    const out: unknown[] = [];
    this.pos = skipWhitespace(t, this.pos + 1);
    if (t[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(this.options.onValue ? [...path, out.length] : path, depth));
      this.pos = skipWhitespace(t, this.pos);
      const c = t[this.pos];
      if (c === ',') this.pos++;
      else if (c === ']') {
        this.pos++;
        return out;
      } else this.fail("expected ',' or ']' in array");
    }
  }

  private object(path: (string | number)[], depth: number): Record<string, unknown> {
    const t = this.text;
    const out: Record<string, unknown> = {};
    this.pos = skipWhitespace(t, this.pos + 1);
    if (t[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.pos = skipWhitespace(t, this.pos);
      if (t[this.pos] !== '"') this.fail('expected a double-quoted property name');
      const key = this.string();
      this.pos = skipWhitespace(t, this.pos);
      if (t[this.pos] !== ':') this.fail("expected ':' after property name");
      this.pos++;
      const v = this.value(this.options.onValue ? [...path, key] : path, depth);
      // JSON.parse makes "__proto__" an own property; plain assignment would set the prototype
      if (key === '__proto__')
        Object.defineProperty(out, key, { value: v, writable: true, enumerable: true, configurable: true });
      else out[key] = v;
      this.pos = skipWhitespace(t, this.pos);
      const c = t[this.pos];
      if (c === ',') this.pos++;
      else if (c === '}') {
        this.pos++;
        return out;
      } else this.fail("expected ',' or '}' in object");
    }
  }
}
