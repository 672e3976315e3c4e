/**
 * @module parse/iptables-save/tokenize-rule
 * Splits one iptables-save / iptables-restore line into arguments exactly as
 * iptables-restore does (`add_param_to_argv()` in iptables/xshared.c): blanks
 * separate arguments; a `"` opens a quoted part in which `\` escapes the next character
 * (iptables-save writes `\"`, `\\` and `\'` there, see `xtables_save_string()`); a quote
 * does not end the argument (`a"b c"d` is one argument); outside quotes `\` is literal.
 *
 * The hot path (`tokenizeInto`) writes into a reusable buffer so that parsing a large
 * rule set does not allocate per-token objects; `tokenizeRule` is the friendly form for
 * tests and tools.
 */

/**
 * Frequent arguments (option names, module and target names) mapped to one shared string,
 * so the tokenizer returns the shared copy instead of allocating a new one per rule:
 * most arguments of a large rule set are these, and not allocating them halves GC work.
 */
export class InternTable {
  private readonly byKey = new Map<number, string[]>();

  constructor(words: Iterable<string>) {
    for (const w of words) {
      if (w.length === 0 || w.length > MAX_INTERN) continue;
      const k = internKey(w, 0, w.length);
      const list = this.byKey.get(k);
      if (!list) this.byKey.set(k, [w]);
      else if (!list.includes(w)) list.push(w);
    }
  }

  /** The shared string equal to line[start, end), or undefined. */
  lookup(line: string, start: number, end: number): string | undefined {
    const list = this.byKey.get(internKey(line, start, end));
    if (list === undefined) return undefined;
    for (let k = 0; k < list.length; k++) {
      const w = list[k] as string;
      if (line.startsWith(w, start)) return w;
    }
    return undefined;
  }
}

const MAX_INTERN = 24;

function internKey(s: string, start: number, end: number): number {
  const n = end - start;
  return (
    (n << 21) |
    (s.charCodeAt(start + (n >> 1)) << 14) |
    (s.charCodeAt(end - 1) << 7) |
    (s.charCodeAt(start + (n > 2 ? 2 : 0)) & 127)
  );
}

/** Reusable token storage; the first `count` entries are valid. */
export interface TokenBuffer {
  count: number;
  /** argument text after quote removal and unescaping */
  values: string[];
  /** 0-based offset in the line of the argument's first character (a quote included) */
  starts: number[];
  /** 0-based offset just after the argument's last character (a closing quote included) */
  ends: number[];
  /** the argument had a quoted part: never an option or a `!`, always a value */
  quoted: boolean[];
  /** 0-based offset of a quote that was never closed, or -1 */
  unterminatedAt: number;
  /** shared strings for frequent unquoted arguments */
  intern?: InternTable;
}

export function createTokenBuffer(intern?: InternTable): TokenBuffer {
  const buf: TokenBuffer = { count: 0, values: [], starts: [], ends: [], quoted: [], unterminatedAt: -1 };
  if (intern) buf.intern = intern;
  return buf;
}

const SPACE = 32;
const TAB = 9;
const CR = 13;
const LF = 10;
const QUOTE = 34;
const BACKSLASH = 92;

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB || c === CR || c === LF;
}

/**
 * Tokenises `line` from offset `from` into `buf` (previous content is discarded).
 * Arguments are found with the native `indexOf(' ')`; only an argument with a quote in it
 * (and a line with tabs) goes through the character loop of `readToken`.
 */
export function tokenizeInto(line: string, from: number, buf: TokenBuffer): void {
  const n = line.length;
  buf.unterminatedAt = -1;
  if (line.indexOf('\t', from) >= 0 || line.indexOf('\r', from) >= 0 || line.indexOf('\n', from) >= 0) {
    let count = 0;
    let i = from;
    while (i < n) {
      if (isBlank(line.charCodeAt(i))) i++;
      else i = readToken(line, i, buf, count++);
    }
    buf.count = count;
    return;
  }
  const intern = buf.intern;
  let count = 0;
  let quote = line.indexOf('"', from);
  if (quote < 0) quote = n;
  let i = from;
  while (i < n) {
    if (line.charCodeAt(i) === SPACE) {
      i++;
      continue;
    }
    let e = line.indexOf(' ', i);
    if (e < 0) e = n;
    if (quote < e) {
      i = readToken(line, i, buf, count++);
      quote = line.indexOf('"', i);
      if (quote < 0) quote = n;
      continue;
    }
    buf.values[count] =
      (intern !== undefined && e - i <= MAX_INTERN && intern.lookup(line, i, e)) || line.slice(i, e);
    buf.starts[count] = i;
    buf.ends[count] = e;
    buf.quoted[count] = false;
    count++;
    i = e + 1;
  }
  buf.count = count;
}

/** Reads the argument starting at `start` (quotes, escapes) into slot k; returns its end. */
function readToken(line: string, start: number, buf: TokenBuffer, k: number): number {
  const n = line.length;
  let i = start;
  let value = '';
  let segStart = i;
  let quoted = false;
  while (i < n) {
    let c = line.charCodeAt(i);
    if (isBlank(c)) break;
    if (c !== QUOTE) {
      i++;
      continue;
    }
    // a quoted part: copy what came before it, then unescape until the closing quote
    if (i > segStart) value += line.slice(segStart, i);
    quoted = true;
    const quoteAt = i;
    i++;
    segStart = i;
    let closed = false;
    while (i < n) {
      c = line.charCodeAt(i);
      if (c === BACKSLASH) {
        if (i > segStart) value += line.slice(segStart, i);
        if (i + 1 < n) value += line[i + 1];
        i += 2;
        segStart = i;
        continue;
      }
      if (c === QUOTE) {
        if (i > segStart) value += line.slice(segStart, i);
        i++;
        segStart = i;
        closed = true;
        break;
      }
      i++;
    }
    if (i > n) i = n;
    if (!closed) {
      if (i > segStart) value += line.slice(segStart, i);
      segStart = i;
      if (buf.unterminatedAt < 0) buf.unterminatedAt = quoteAt;
      break;
    }
  }
  if (!quoted) {
    value = (i - start <= MAX_INTERN && buf.intern?.lookup(line, start, i)) || line.slice(start, i);
  } else if (i > segStart) value += line.slice(segStart, i);
  buf.values[k] = value;
  buf.starts[k] = start;
  buf.ends[k] = i;
  buf.quoted[k] = quoted;
  return i;
}

/** One argument of a rule line. */
export interface RuleToken {
  value: string;
  /** 1-based column of the argument's first character */
  column: number;
  /** true when (part of) the argument was quoted */
  quoted: boolean;
}

export interface TokenizeResult {
  tokens: RuleToken[];
  /** 1-based column of a quote that is never closed */
  unterminatedQuoteColumn?: number;
}

/** Splits a rule (or any iptables-restore line) into arguments. Never throws. */
export function tokenizeRule(text: string): TokenizeResult {
  const buf = createTokenBuffer();
  tokenizeInto(text, 0, buf);
  const tokens: RuleToken[] = [];
  for (let k = 0; k < buf.count; k++) {
    tokens.push({
      value: buf.values[k] ?? '',
      column: (buf.starts[k] ?? 0) + 1,
      quoted: buf.quoted[k] ?? false,
    });
  }
  const res: TokenizeResult = { tokens };
  if (buf.unterminatedAt >= 0) res.unterminatedQuoteColumn = buf.unterminatedAt + 1;
  return res;
}
