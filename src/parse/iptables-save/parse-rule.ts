/**
 * @module parse/iptables-save/parse-rule
 * One rule specification (the arguments after `-A CHAIN`) -> `Rule`, following
 * `do_parse()` / `command_default()` in iptables/xshared.c: core options (`-s -d -i -o -p
 * -f`), `-m NAME` loads a match whose options follow it, `-j`/`-g` picks the target, and an
 * option no loaded extension owns is offered to the protocol match that `-p` implies
 * (`load_proto()`), so kube-proxy's `-m tcp -p tcp -d IP --dport 80` and portmap's
 * `-p tcp --dport 80` both work. `!` may precede an option or, in the old 1.4 syntax,
 * follow it (`-d ! 10.0.0.0/8`, a warning: iptables 1.8 rejects it).
 *
 * What the model cannot express becomes `{ m: 'unsupported' }` / `{ t: 'unsupported' }`
 * with an UNSUPPORTED diagnostic; impossible values are BAD_VALUE errors and the match
 * they belong to is kept as unsupported too, so a broken rule never looks broader than it is.
 */
import type { Match, Rule, Target } from '../../model/iptables.js';
import type { OptionSpec } from './extension-spec.js';
import { parseCidr } from './parse-address.js';
import { report, settleFamily, type ParseContext } from './parse-context.js';
import { implicitMatchFor, MATCH_ALIASES, MATCH_SPECS, type AnyMatchSpec } from './parse-matches.js';
import { parseCounter } from './parse-number.js';
import { TARGET_SPECS, UNMODELLED_TARGETS, type AnyTargetSpec } from './parse-targets.js';
import { normaliseProtocol } from './protocols.js';
import { validInterface } from './match-stateful.js';
import type { TokenBuffer } from './tokenize-rule.js';

/** What the rule parser needs to know about the table the rule goes into. */
export interface ChainLookup {
  /** the chain is declared (so far) in the current table */
  hasChain(name: string): boolean;
  /** a `-j`/`-g` to a chain, checked when the table is complete */
  jumpTo(chain: string, line: number, column: number): void;
}

/** How far an extension's options made sense: an unsupported or erroneous one is kept as unsupported. */
type Problem = 'none' | 'unsupported' | 'error';

/** A match or target being built from the options that follow it. */
interface OpenExt {
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

type CoreField = 'src' | 'dst' | 'inIface' | 'outIface' | 'proto' | 'fragment';

/**
 * Parses rule specifications token by token. One instance is reused for every rule of
 * a document; it holds no per-rule state between calls.
 */
export class RuleParser {
  private buf!: TokenBuffer;
  private line = '';
  private rule!: Rule;
  private cur: OpenExt | null = null;
  private implicit: OpenExt | null = null;
  private target: OpenExt | null = null;
  private jump: Target | null = null;
  private seen = 0;

  private readonly ctx: ParseContext;
  private readonly chains: ChainLookup;

  constructor(ctx: ParseContext, chains: ChainLookup) {
    this.ctx = ctx;
    this.chains = chains;
  }

  /** Parses tokens `first..` of `buf` (tokenised from `line`) into a rule at line `ctx.line`. */
  parse(line: string, buf: TokenBuffer, first: number): Rule {
    this.buf = buf;
    this.line = line;
    this.cur = null;
    this.implicit = null;
    this.target = null;
    this.jump = null;
    this.seen = 0;
    const n = buf.count;
    const text = first < n ? line.slice(buf.starts[first], buf.ends[n - 1]) : '';
    const rule: Rule = { line: this.ctx.line, text, matches: [] };
    this.rule = rule;
    let neg = false;
    let negTok = -1;
    let i = first;
    while (i < n) {
      const tok = buf.values[i] as string;
      const quoted = buf.quoted[i] as boolean;
      if (!quoted && tok === '!') {
        if (neg) this.syntax('double `!`', i);
        neg = true;
        negTok = i;
        i++;
        continue;
      }
      if (quoted || tok.length < 2 || tok.charCodeAt(0) !== 45 /* - */) {
        this.syntax(`unexpected argument \`${tok}'`, i);
        neg = false;
        i++;
        continue;
      }
      i = this.option(tok, i, neg, negTok);
      neg = false;
      negTok = -1;
    }
    if (neg) this.syntax('`!` at the end of the rule', negTok);
    if (this.cur) this.finishMatch(this.cur);
    if (this.implicit) this.finishMatch(this.implicit);
    if (this.target) rule.target = this.finishTarget(this.target);
    else if (this.jump) rule.target = this.jump;
    return rule;
  }

  /** Handles the option at token i; returns the index of the next token to read. */
  private option(tok: string, i: number, neg: boolean, negTok: number): number {
    switch (tok) {
      case '-s':
      case '--source':
      case '--src':
        return this.address('src', i, neg);
      case '-d':
      case '--destination':
      case '--dst':
        return this.address('dst', i, neg);
      case '-i':
      case '--in-interface':
        return this.iface('inIface', i, neg);
      case '-o':
      case '--out-interface':
        return this.iface('outIface', i, neg);
      case '-p':
      case '--protocol':
        return this.protocol(i, neg);
      case '-f':
      case '--fragment':
        if (this.once('fragment', i)) this.rule.fragment = { neg, value: true };
        return i + 1;
      case '-m':
      case '--match':
        if (neg) this.syntax('unexpected `!` before -m', i);
        return this.match(i);
      case '-j':
      case '--jump':
        if (neg) this.syntax('unexpected `!` before -j', i);
        return this.targetOption(i, false);
      case '-g':
      case '--goto':
        if (neg) this.syntax('unexpected `!` before -g', i);
        return this.targetOption(i, true);
      case '-c':
      case '--set-counters':
        return this.counters(i);
      default:
        return this.extensionOption(tok, i, neg, negTok);
    }
  }

  // ---- core options ------------------------------------------------------------------

  /** Index of the argument of the option at i, taking the old `-s ! x` form; -1 if missing. */
  private argOf(i: number, negatable: boolean): { at: number; neg: boolean } {
    const buf = this.buf;
    let j = i + 1;
    let neg = false;
    if (negatable && j + 1 < buf.count && !buf.quoted[j] && buf.values[j] === '!') {
      this.report('SYNTAX', `intrapositioned negation \`${buf.values[i]} ! ...' is deprecated; iptables 1.8 rejects it (write \`! ${buf.values[i]} ...')`, j, 'warning');
      neg = true;
      j++;
    }
    if (j >= buf.count) {
      this.syntax(`option \`${buf.values[i]}' requires an argument`, i);
      return { at: -1, neg };
    }
    return { at: j, neg };
  }

  private once(field: CoreField, i: number): boolean {
    const bit = FIELD_BIT[field];
    if (this.seen & bit) {
      this.syntax(`multiple \`${this.buf.values[i]}' options are not allowed`, i);
      return false;
    }
    this.seen |= bit;
    return true;
  }

  private address(field: 'src' | 'dst', i: number, neg: boolean): number {
    const { at, neg: neg2 } = this.argOf(i, true);
    if (at < 0) return this.buf.count;
    if (!this.once(field, i)) return at + 1;
    const text = this.buf.values[at] as string;
    const r = parseCidr(text, settleFamily(this.ctx, text));
    if (r.ok) {
      this.rule[field] = { neg: neg || neg2, value: r.cidr };
    } else {
      this.report(r.unsupported ? 'UNSUPPORTED' : 'BAD_VALUE', r.reason, at);
      this.rule.matches.push({ m: 'unsupported', module: this.buf.values[i] as string, raw: this.slice(i, at) });
    }
    return at + 1;
  }

  private iface(field: 'inIface' | 'outIface', i: number, neg: boolean): number {
    const { at, neg: neg2 } = this.argOf(i, true);
    if (at < 0) return this.buf.count;
    if (!this.once(field, i)) return at + 1;
    const name = this.buf.values[at] as string;
    if (!validInterface(name)) {
      this.report('BAD_VALUE', `bad interface name \`${name}' (at most 15 characters)`, at);
      this.rule.matches.push({ m: 'unsupported', module: this.buf.values[i] as string, raw: this.slice(i, at) });
    } else this.rule[field] = { neg: neg || neg2, value: name };
    return at + 1;
  }

  private protocol(i: number, neg: boolean): number {
    const { at, neg: neg2 } = this.argOf(i, true);
    if (at < 0) return this.buf.count;
    if (!this.once('proto', i)) return at + 1;
    const p = normaliseProtocol(this.buf.values[at] as string);
    if (typeof p === 'string') this.rule.proto = { neg: neg || neg2, value: p };
    else if ('bad' in p) {
      this.report('BAD_VALUE', `bad protocol \`${p.bad}'`, at);
      this.rule.matches.push({ m: 'unsupported', module: '-p', raw: this.slice(i, at) });
    } else {
      this.report('BAD_VALUE', `protocol name \`${p.unknown}' is not known to podpath; kept as written`, at, 'warning');
      this.rule.proto = { neg: neg || neg2, value: p.unknown };
    }
    return at + 1;
  }

  private counters(i: number): number {
    const buf = this.buf;
    if (i + 2 >= buf.count) {
      this.syntax('`-c` requires packets and bytes', i);
      return buf.count;
    }
    const packets = parseCounter(buf.values[i + 1] as string);
    const bytes = parseCounter(buf.values[i + 2] as string);
    if (packets < 0 || bytes < 0) this.report('BAD_VALUE', 'bad counters after `-c`', i + 1);
    else this.rule.counters = { packets, bytes };
    return i + 3;
  }

  // ---- matches and targets -----------------------------------------------------------

  private open(name: string, spec: AnyMatchSpec | AnyTargetSpec | null, column: number, isMatch: boolean): OpenExt {
    const ext: OpenExt = {
      name,
      spec,
      state: spec ? spec.create(name, this.ctx) : null,
      firstTok: -1,
      lastTok: -1,
      column,
      problem: spec ? 'none' : 'unsupported',
      slot: -1,
    };
    if (isMatch) {
      ext.slot = this.rule.matches.length;
      this.rule.matches.push(PLACEHOLDER);
    }
    return ext;
  }

  private match(i: number): number {
    const buf = this.buf;
    if (i + 1 >= buf.count) {
      this.syntax('`-m` requires a module name', i);
      return buf.count;
    }
    if (this.cur) this.finishMatch(this.cur);
    const written = buf.values[i + 1] as string;
    const name = MATCH_ALIASES.get(written) ?? written;
    const spec = MATCH_SPECS.get(name) ?? null;
    if (!spec) this.report('UNSUPPORTED', `match module \`${written}' is not modelled`, i + 1);
    this.cur = this.open(name, spec, (buf.starts[i + 1] as number) + 1, true);
    return i + 2;
  }

  private targetOption(i: number, isGoto: boolean): number {
    const buf = this.buf;
    if (i + 1 >= buf.count || buf.values[i + 1] === '') {
      this.syntax(`\`${buf.values[i]}' requires a target`, i);
      return buf.count;
    }
    if (this.target || this.jump) {
      this.syntax('multiple -j/-g options are not allowed', i);
    }
    const name = buf.values[i + 1] as string;
    const column = (buf.starts[i + 1] as number) + 1;
    if (isGoto) {
      this.jump = { t: 'goto', chain: name };
      this.chains.jumpTo(name, this.ctx.line, column);
      return i + 2;
    }
    const spec = TARGET_SPECS.get(name);
    if (spec) {
      this.target = this.open(name, spec, column, false);
      return i + 2;
    }
    const next = i + 2 < buf.count && !buf.quoted[i + 2] ? (buf.values[i + 2] as string) : '';
    const takesOptions = next.startsWith('--') && !CORE_LONG.has(next);
    if (UNMODELLED_TARGETS.has(name) || (takesOptions && !this.chains.hasChain(name))) {
      this.report('UNSUPPORTED', `target \`${name}' is not modelled`, i + 1);
      this.target = this.open(name, null, column, false);
      return i + 2;
    }
    this.jump = { t: 'jump', chain: name };
    this.chains.jumpTo(name, this.ctx.line, column);
    return i + 2;
  }

  /** An option that belongs to the target, the current match or the implied protocol match. */
  private extensionOption(tok: string, i: number, neg: boolean, negTok: number): number {
    const t = this.target;
    if (t) {
      const o = t.spec?.options.get(tok);
      if (o) return this.apply(t, o, tok, i, neg, negTok);
      if (!t.spec) return this.generic(t, i, negTok);
    }
    const c = this.cur;
    if (c) {
      const o = c.spec?.options.get(tok);
      if (o) return this.apply(c, o, tok, i, neg, negTok);
      if (!c.spec) return this.generic(c, i, negTok);
    }
    const im = this.implicit;
    if (im) {
      const o = im.spec?.options.get(tok);
      if (o) return this.apply(im, o, tok, i, neg, negTok);
    } else {
      const name = this.rule.proto && !this.rule.proto.neg ? implicitMatchFor(this.rule.proto.value) : undefined;
      const spec = name ? MATCH_SPECS.get(name) : undefined;
      const o = spec?.options.get(tok);
      if (name && spec && o) {
        this.implicit = this.open(name, spec, (this.buf.starts[i] as number) + 1, true);
        return this.apply(this.implicit, o, tok, i, neg, negTok);
      }
    }
    this.syntax(`unknown option \`${tok}'`, i);
    const owner = t ?? c;
    if (owner) {
      owner.problem = 'error';
      return this.generic(owner, i, negTok);
    }
    const end = this.skipArgs(i);
    this.rule.matches.push({ m: 'unsupported', module: tok, raw: this.slice(negTok >= 0 ? negTok : i, end - 1) });
    return end;
  }

  /** Applies a known option of an extension. */
  private apply(ext: OpenExt, o: OptionSpec<unknown>, tok: string, i: number, neg: boolean, negTok: number): number {
    const buf = this.buf;
    let j = i + 1;
    let neg2 = neg;
    if (o.args > 0 && o.neg && j + o.args < buf.count && !buf.quoted[j] && buf.values[j] === '!') {
      this.report('SYNTAX', `intrapositioned negation \`${tok} ! ...' is deprecated; iptables 1.8 rejects it (write \`! ${tok} ...')`, j, 'warning');
      if (neg) this.syntax('double `!`', j);
      neg2 = true;
      j++;
    }
    if (j + o.args > buf.count) {
      this.syntax(`option \`${tok}' requires ${o.args === 1 ? 'an argument' : `${o.args} arguments`}`, i);
      ext.problem = 'error';
      this.extend(ext, negTok >= 0 ? negTok : i, buf.count - 1);
      return buf.count;
    }
    if (neg && !o.neg) {
      this.syntax(`option \`${tok}' cannot be inverted`, negTok >= 0 ? negTok : i);
      ext.problem = 'error';
    }
    if (o.unmodelled) {
      if (ext.problem === 'none') ext.problem = 'unsupported';
      this.report('UNSUPPORTED', `${ext.name} option \`${tok}' is not modelled`, i);
    } else if (o.apply) {
      const a = o.args > 0 ? (buf.values[j] as string) : '';
      const b = o.args > 1 ? (buf.values[j + 1] as string) : '';
      const err = o.apply(ext.state, neg2, a, b, this.ctx);
      if (err !== undefined) {
        this.report('BAD_VALUE', `${ext.name}: ${err}`, o.args > 0 ? j : i);
        ext.problem = 'error';
      }
    }
    const end = j + o.args;
    this.extend(ext, negTok >= 0 ? negTok : i, end - 1);
    return end;
  }

  /** An option of an extension the model does not know: keep it and its arguments as raw text. */
  private generic(ext: OpenExt, i: number, negTok: number): number {
    const end = this.skipArgs(i);
    this.extend(ext, negTok >= 0 ? negTok : i, end - 1);
    return end;
  }

  /** Index after the option at i and the arguments that follow it (anything not an option). */
  private skipArgs(i: number): number {
    const buf = this.buf;
    let j = i + 1;
    while (j < buf.count) {
      const v = buf.values[j] as string;
      if (!buf.quoted[j]) {
        if (v.length > 1 && v.charCodeAt(0) === 45) break;
        if (v === '!') {
          const nx = j + 1 < buf.count && !buf.quoted[j + 1] ? (buf.values[j + 1] as string) : '';
          if (nx.length > 1 && nx.charCodeAt(0) === 45) break;
        }
      }
      j++;
    }
    return j;
  }

  private extend(ext: OpenExt, from: number, to: number): void {
    if (ext.firstTok < 0 || from < ext.firstTok) ext.firstTok = from;
    if (to > ext.lastTok) ext.lastTok = to;
  }

  private rawOf(ext: OpenExt): string {
    return ext.firstTok < 0 ? '' : this.slice(ext.firstTok, ext.lastTok);
  }

  private finishMatch(ext: OpenExt): void {
    const raw = this.rawOf(ext);
    let m: Match = { m: 'unsupported', module: ext.name, raw };
    if (ext.spec && ext.problem === 'none') {
      const r = (ext.spec as AnyMatchSpec).finish(ext.state, raw, this.ctx);
      if (typeof r === 'string') this.report('BAD_VALUE', `${ext.name}: ${r}`, 0, undefined, ext.column);
      else if ('unsupported' in r) this.report('UNSUPPORTED', `${ext.name}: ${r.unsupported}`, 0, undefined, ext.column);
      else m = r;
    }
    this.rule.matches[ext.slot] = m;
  }

  private finishTarget(ext: OpenExt): Target {
    const raw = this.rawOf(ext);
    if (ext.spec && ext.problem === 'none') {
      const r = (ext.spec as AnyTargetSpec).finish(ext.state, raw, this.ctx);
      if (typeof r === 'string') this.report('BAD_VALUE', `${ext.name}: ${r}`, 0, undefined, ext.column);
      else if ('unsupported' in r) this.report('UNSUPPORTED', `${ext.name}: ${r.unsupported}`, 0, undefined, ext.column);
      else return r;
    }
    return { t: 'unsupported', target: ext.name, raw };
  }

  // ---- helpers -------------------------------------------------------------------------

  /** Original text of tokens from..to (inclusive), quotes as written. */
  private slice(from: number, to: number): string {
    return this.line.slice(this.buf.starts[from], this.buf.ends[to]);
  }

  private syntax(message: string, tok: number): void {
    this.report('SYNTAX', message, tok);
  }

  /** Reports at token `tok` (or at `column` when tok is 0 and a column is given). */
  private report(
    code: 'SYNTAX' | 'BAD_VALUE' | 'UNSUPPORTED',
    message: string,
    tok: number,
    severity?: 'warning',
    column?: number,
  ): void {
    const col = column ?? (tok >= 0 && tok < this.buf.count ? (this.buf.starts[tok] as number) + 1 : 0);
    report(this.ctx, code, message, col, severity);
  }
}

const FIELD_BIT: Record<CoreField, number> = { src: 1, dst: 2, inIface: 4, outIface: 8, proto: 16, fragment: 32 };

/** Long spellings of the core options (a `-j NAME --src x` is not a target option). */
const CORE_LONG: ReadonlySet<string> = new Set([
  '--source', '--src', '--destination', '--dst', '--in-interface', '--out-interface', '--protocol',
  '--fragment', '--match', '--jump', '--goto', '--set-counters',
]);

/** Reserved slot in rule.matches, replaced when the match is finished. */
const PLACEHOLDER: Match = { m: 'unsupported', module: '', raw: '' };

