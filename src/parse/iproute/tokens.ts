/**
 * @module parse/iproute/tokens
 * Whitespace tokens of a line with their 1-based columns, for the plain-text fallbacks.
 */

export interface Token {
  text: string;
  column: number;
}

export function tokenize(line: string): Token[] {
  const out: Token[] = [];
  const re = /\S+/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push({ text: m[0], column: m.index + 1 });
  return out;
}

/** lines of a text, without the `\r` of CRLF files */
export function splitLines(text: string): string[] {
  return text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}
