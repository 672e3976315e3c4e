/**
 * @module parse/iptables-save/parse-rule
 * One rule specification (the arguments after `-A CHAIN`) -> `Rule`, following
 * `do_parse()` in iptables/xshared.c: core options (rule-core-options.ts), `-m NAME`
 * and `-j`/`-g` with the options that follow them (rule-extensions.ts). `!` may precede
 * an option or, in the old 1.4 syntax, follow it (`-d ! 10.0.0.0/8`, a warning: iptables
 * 1.8 rejects it).
 *
 * What the model cannot express becomes `{ m: 'unsupported' }` / `{ t: 'unsupported' }`
 * with an UNSUPPORTED diagnostic; impossible values are BAD_VALUE errors and the match
 * they belong to is kept as unsupported too, so a broken rule never looks broader than it is.
 */
import type { Rule } from '../../model/iptables.js';
import type { ParseContext } from './parse-context.js';
import {
  addressOption,
  countersOption,
  fragmentOption,
  interfaceOption,
  protocolOption,
} from './rule-core-options.js';
import { extensionOption, finishMatch, finishTarget, matchOption, targetOption } from './rule-extensions.js';
import { RuleState, type ChainLookup } from './rule-state.js';
import type { TokenBuffer } from './tokenize-rule.js';

export type { ChainLookup } from './rule-state.js';

/** Parses rule specifications; one instance serves every rule of a document. */
export class RuleParser {
  private readonly st: RuleState;

  constructor(ctx: ParseContext, chains: ChainLookup) {
    this.st = new RuleState(ctx, chains);
  }

  /** Parses tokens `first..` of `buf` (tokenised from `line`) into a rule at line `ctx.line`. */
  parse(line: string, buf: TokenBuffer, first: number): Rule {
    const st = this.st;
    const n = buf.count;
    const text = first < n ? line.slice(buf.starts[first], buf.ends[n - 1]) : '';
    const rule: Rule = { line: st.ctx.line, text, matches: [] };
    st.reset(line, buf, rule);
    let neg = false;
    let negTok = -1;
    let i = first;
    while (i < n) {
      const tok = buf.values[i] as string;
      const quoted = buf.quoted[i] as boolean;
      if (!quoted && tok === '!') {
        if (neg) st.syntax('double `!`', i);
        neg = true;
        negTok = i;
        i++;
        continue;
      }
      if (quoted || tok.length < 2 || tok.charCodeAt(0) !== 45 /* - */) {
        st.syntax(`unexpected argument \`${tok}'`, i);
        neg = false;
        i++;
        continue;
      }
      i = option(st, tok, i, neg, negTok);
      neg = false;
      negTok = -1;
    }
    if (neg) st.syntax('`!` at the end of the rule', negTok);
    if (st.cur) finishMatch(st, st.cur);
    if (st.implicit) finishMatch(st, st.implicit);
    if (st.target) rule.target = finishTarget(st, st.target);
    else if (st.jump) rule.target = st.jump;
    return rule;
  }
}

/** Handles the option at token i; returns the index of the next token to read. */
function option(st: RuleState, tok: string, i: number, neg: boolean, negTok: number): number {
  switch (tok) {
    case '-s':
    case '--source':
    case '--src':
      return addressOption(st, 'src', i, neg);
    case '-d':
    case '--destination':
    case '--dst':
      return addressOption(st, 'dst', i, neg);
    case '-i':
    case '--in-interface':
      return interfaceOption(st, 'inIface', i, neg);
    case '-o':
    case '--out-interface':
      return interfaceOption(st, 'outIface', i, neg);
    case '-p':
    case '--protocol':
      return protocolOption(st, i, neg);
    case '-f':
    case '--fragment':
      return fragmentOption(st, i, neg);
    case '-m':
    case '--match':
      if (neg) st.syntax('unexpected `!` before -m', i);
      return matchOption(st, i);
    case '-j':
    case '--jump':
      if (neg) st.syntax('unexpected `!` before -j', i);
      return targetOption(st, i, false);
    case '-g':
    case '--goto':
      if (neg) st.syntax('unexpected `!` before -g', i);
      return targetOption(st, i, true);
    case '-c':
    case '--set-counters':
      return countersOption(st, i);
    default:
      return extensionOption(st, tok, i, neg, negTok);
  }
}
