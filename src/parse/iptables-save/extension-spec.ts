/**
 * @module parse/iptables-save/extension-spec
 * How a match module or target extension is described to the rule parser: its options
 * (every alias, arity, whether `!` may precede it) and how they build the model object.
 * This mirrors libxtables' `struct xt_option_entry` tables (`x6_options`): the parser
 * hands each option to the extension that owns it, the way `command_default()` in
 * iptables/xshared.c does.
 */
import type { ParseContext } from './parse-context.js';

export interface OptionSpec<S> {
  /** number of arguments the option takes (getopt `required_argument` = 1) */
  args: 0 | 1 | 2;
  /** `! --opt` is allowed (XTOPT_INVERT) */
  neg: boolean;
  /** a real option the model does not represent: the whole match/target becomes unsupported */
  unmodelled?: true;
  /** stores the option into the state; returns an error message for an impossible value */
  apply?: (s: S, neg: boolean, a: string, b: string, ctx: ParseContext) => string | undefined;
}

export interface ExtensionSpec<S, R> {
  /** keyed by every spelling, e.g. both `--dport` and `--destination-port` */
  options: Map<string, OptionSpec<S>>;
  create(name: string, ctx: ParseContext): S;
  /**
   * final checks (mandatory options, combinations): the model object, an error message
   * (BAD_VALUE), or `{ unsupported }` for a valid combination the model cannot express
   */
  finish(s: S, raw: string, ctx: ParseContext): R | string | Unrepresentable;
}

/** A valid extension use that the model cannot express. */
export interface Unrepresentable {
  unsupported: string;
}

/** Builds the option map from `{ '--a|--alias': spec }`. */
export function optionMap<S>(def: Record<string, OptionSpec<S>>): Map<string, OptionSpec<S>> {
  const m = new Map<string, OptionSpec<S>>();
  for (const [names, spec] of Object.entries(def)) for (const n of names.split('|')) m.set(n, spec);
  return m;
}

/** Splits a comma list, upper-cases it and checks every item against `allowed`. */
export function parseNameList<T extends string>(
  s: string,
  allowed: ReadonlySet<string>,
  what: string,
): T[] | string {
  const out: T[] = [];
  for (const item of s.split(',')) {
    const u = item.toUpperCase();
    if (!allowed.has(u)) return `bad ${what} \`${item}'`;
    out.push(u as T);
  }
  return out;
}
