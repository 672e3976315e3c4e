/**
 * @module snapshot/snapshot-error
 * The one error the snapshot loader throws: the input cannot be read as a snapshot. Its
 * message starts with `file[:line[:column]]:`, which the CLI prints as is (exit code 2).
 */

export class SnapshotError extends Error {
  override name = 'SnapshotError';
  readonly file: string;
  readonly line?: number;
  readonly column?: number;

  constructor(file: string, message: string, line?: number, column?: number) {
    super(`${file}${line ? `:${line}` : ''}${line && column ? `:${column}` : ''}: ${message}`);
    this.file = file;
    if (line !== undefined) this.line = line;
    if (column !== undefined) this.column = column;
  }
}
