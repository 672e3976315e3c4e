/**
 * @module cli/args
 * A small flag parser on top of node:util parseArgs, with usage errors that exit 2.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Errors on input the user gave us (unreadable file, bad snapshot): exit 2, message names file and line. */
export class InputError extends Error {
  override name = 'InputError';
}

export type Options = NonNullable<ParseArgsConfig['options']>;

export function parseFlags<O extends Options>(argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
