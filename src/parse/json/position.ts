/**
 * @module parse/json/position
 * Offsets to 1-based line and column, the way editors and compilers count them.
 */

export interface Position {
  line: number;
  column: number;
}

/** 1-based line and column of a UTF-16 offset; offsets past the end clamp to the end. */
export function offsetToPosition(text: string, offset: number): Position {
  const end = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: end - lineStart + 1 };
}

/** Offsets at which each line starts, for many look-ups in the same text. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}
