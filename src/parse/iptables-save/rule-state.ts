/**
 * @module parse/iptables-save/rule-state
 * The state of the one rule being parsed (tokens, the rule built so far, the open match
 * and target) and the helpers every option handler uses: positioned diagnostics, the
 * original text of a token range, and the argument of an option.
 */
import type { Rule, Target } from '../../model/iptables.js';
import type { AnyMatchSpec } from './parse-matches.js';
import type { AnyTargetSpec } from './parse-targets.js';
import { report, type ParseContext } from './parse-context.js';
import type { TokenBuffer } from './tokenize-rule.js';

/** What the rule parser needs to know about the table the rule goes into. */
export interface ChainLookup {
  /** the chain is declared (so far) in the current table */
  hasChain(name: string): boolean;
  /** a `-j`/`-g` to a chain, checked when the table is complete */
  jumpTo(chain: string, line: number, column: number): void;
}

/** How far an extension's options made sense: an unsupported or erroneous one is kept as unsupported. */
export type Problem = 'none' | 'unsupported' | 'error';

/** A match or target being built from the options that follow it. */
export interface OpenExt {
  name: string;
  spec: AnyMatchSpec | AnyTargetSpec | null;
  state: unknown;
  /** token index range of its options (for `raw`); first < 0 when it had none */
  firstTok: number;
  lastTok: number;
  /** 1-based column of the extension name, for diagnostics about it as a whole */
  column: number;
  problem: Problem;
  /** index in rule.matches reserved for it (matches only) */
  slot: number;
}

export class RuleState {
  buf!: TokenBuffer;
  line = '';
  rule!: Rule;
  /** the last `-m` match: options go to it */
  cur: OpenExt | null = null;
  /** the protocol match `-p` implies, once an option needed it */
  implicit: OpenExt | null = null;
  target: OpenExt | null = null;
  jump: Target | null = null;
  /** core options seen (bit set), each is allowed once */
  seen = 0;
  readonly ctx: ParseContext;
  readonly chains: ChainLookup;

  constructor(ctx: ParseContext, chains: ChainLookup) {
    this.ctx = ctx;
    this.chains = chains;
  }

  reset(line: string, buf: TokenBuffer, rule: Rule): void {
    this.buf = buf;
    this.line = line;
    this.rule = rule;
    this.cur = null;
    this.implicit = null;
    this.target = null;
    this.jump = null;
    this.seen = 0;
  }

  value(tok: number): string {
    return this.buf.values[tok] as string;
  }

  /** 1-based column of token `tok`. */
  column(tok: number): number {
    return (this.buf.starts[tok] as number) + 1;
  }

  /** Original text of tokens from..to (inclusive), quotes as written. */
  slice(from: number, to: number): string {
    return this.line.slice(this.buf.starts[from], this.buf.ends[to]);
  }

  /** Reports at token `tok` (or at `column` when given). */
  report(
    code: 'SYNTAX' | 'BAD_VALUE' | 'UNSUPPORTED',
    message: string,
    tok: number,
    severity?: 'warning',
    column?: number,
  ): void {
    const col = column ?? (tok >= 0 && tok < this.buf.count ? this.column(tok) : 0);
    report(this.ctx, code, message, col, severity);
  }

  syntax(message: string, tok: number): void {
    this.report('SYNTAX', message, tok);
  }

  /** The 1.4 form `--opt ! value`: warns and reports whether token j is that `!`. */
  intrapositioned(option: string, j: number, args: number): boolean {
    const buf = this.buf;
    if (j + args >= buf.count || buf.quoted[j] || buf.values[j] !== '!') return false;
    this.report(
      'SYNTAX',
      `intrapositioned negation \`${option} ! ...' is deprecated; iptables 1.8 rejects it (write \`! ${option} ...')`,
      j,
      'warning',
    );
    return true;
  }

  /** Index of the single argument of the core option at i (taking `-s ! x`), -1 if missing. */
  argOf(i: number): { at: number; neg: boolean } {
    let j = i + 1;
    const neg = this.intrapositioned(this.value(i), j, 1);
    if (neg) j++;
    if (j >= this.buf.count) {
      this.syntax(`option \`${this.value(i)}' requires an argument`, i);
      return { at: -1, neg };
    }
    return { at: j, neg };
  }
}
