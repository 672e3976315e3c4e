/**
 * @module parse/iptables-save/rule-extensions
 * Matches (`-m NAME`) and targets (`-j NAME`, `-g CHAIN`) of a rule and the options that
 * follow them. An option goes to the target if it has it, else to the last `-m` match,
 * else to the protocol match `-p` implies (`command_default()` / `load_proto()` in
 * iptables/xshared.c); options of unmodelled extensions are kept as raw text.
 */
import type { Match, Target } from '../../model/iptables.js';
import type { OptionSpec } from './extension-spec.js';
import { implicitMatchFor, MATCH_ALIASES, MATCH_SPECS, type AnyMatchSpec } from './parse-matches.js';
import { TARGET_SPECS, UNMODELLED_TARGETS, type AnyTargetSpec } from './parse-targets.js';
import { CORE_LONG } from './rule-core-options.js';
import type { OpenExt, RuleState } from './rule-state.js';

/** Reserved slot in rule.matches, replaced when the match is finished. */
const PLACEHOLDER: Match = { m: 'unsupported', module: '', raw: '' };

function open(
  st: RuleState,
  name: string,
  spec: AnyMatchSpec | AnyTargetSpec | null,
  column: number,
  isMatch: boolean,
): OpenExt {
  const ext: OpenExt = {
    name,
    spec,
    state: spec ? spec.create(name, st.ctx) : null,
    firstTok: -1,
    lastTok: -1,
    column,
    problem: spec ? 'none' : 'unsupported',
    slot: -1,
  };
  if (isMatch) {
    ext.slot = st.rule.matches.length;
    st.rule.matches.push(PLACEHOLDER);
  }
  return ext;
}

/** `-m NAME`: finishes the previous match and opens this one. */
export function matchOption(st: RuleState, i: number): number {
  if (i + 1 >= st.buf.count) {
    st.syntax('`-m` requires a module name', i);
    return st.buf.count;
  }
  if (st.cur) finishMatch(st, st.cur);
  const written = st.value(i + 1);
  const name = MATCH_ALIASES.get(written) ?? written;
  const spec = MATCH_SPECS.get(name) ?? null;
  if (!spec) st.report('UNSUPPORTED', `match module \`${written}' is not modelled`, i + 1);
  st.cur = open(st, name, spec, st.column(i + 1), true);
  return i + 2;
}

/** `-j NAME` / `-g CHAIN`. */
export function targetOption(st: RuleState, i: number, isGoto: boolean): number {
  const buf = st.buf;
  if (i + 1 >= buf.count || buf.values[i + 1] === '') {
    st.syntax(`\`${st.value(i)}' requires a target`, i);
    return buf.count;
  }
  if (st.target || st.jump) st.syntax('multiple -j/-g options are not allowed', i);
  const name = st.value(i + 1);
  const column = st.column(i + 1);
  if (isGoto) {
    st.jump = { t: 'goto', chain: name };
    st.chains.jumpTo(name, st.ctx.line, column);
    return i + 2;
  }
  const spec = TARGET_SPECS.get(name);
  if (spec) {
    st.target = open(st, name, spec, column, false);
    return i + 2;
  }
  // a name followed by options is a target extension, unless such a chain exists
  const next = i + 2 < buf.count && !buf.quoted[i + 2] ? st.value(i + 2) : '';
  const takesOptions = next.startsWith('--') && !CORE_LONG.has(next);
  if (UNMODELLED_TARGETS.has(name) || (takesOptions && !st.chains.hasChain(name))) {
    st.report('UNSUPPORTED', `target \`${name}' is not modelled`, i + 1);
    st.target = open(st, name, null, column, false);
    return i + 2;
  }
  st.jump = { t: 'jump', chain: name };
  st.chains.jumpTo(name, st.ctx.line, column);
  return i + 2;
}

/** An option that belongs to the target, the current match or the implied protocol match. */
export function extensionOption(st: RuleState, tok: string, i: number, neg: boolean, negTok: number): number {
  const t = st.target;
  if (t) {
    const o = t.spec?.options.get(tok);
    if (o) return apply(st, t, o, tok, i, neg, negTok);
    if (!t.spec) return generic(st, t, i, negTok);
  }
  const c = st.cur;
  if (c) {
    const o = c.spec?.options.get(tok);
    if (o) return apply(st, c, o, tok, i, neg, negTok);
    if (!c.spec) return generic(st, c, i, negTok);
  }
  const im = st.implicit;
  if (im) {
    const o = im.spec?.options.get(tok);
    if (o) return apply(st, im, o, tok, i, neg, negTok);
  } else {
    const proto = st.rule.proto;
    const name = proto && !proto.neg ? implicitMatchFor(proto.value) : undefined;
    const spec = name ? MATCH_SPECS.get(name) : undefined;
    const o = spec?.options.get(tok);
    if (name && spec && o) {
      st.implicit = open(st, name, spec, st.column(i), true);
      return apply(st, st.implicit, o, tok, i, neg, negTok);
    }
  }
  st.syntax(`unknown option \`${tok}'`, i);
  const owner = t ?? c;
  if (owner) {
    owner.problem = 'error';
    return generic(st, owner, i, negTok);
  }
  const end = skipArgs(st, i);
  st.rule.matches.push({ m: 'unsupported', module: tok, raw: st.slice(negTok >= 0 ? negTok : i, end - 1) });
  return end;
}

/** Applies a known option of an extension. */
function apply(
  st: RuleState,
  ext: OpenExt,
  o: OptionSpec<unknown>,
  tok: string,
  i: number,
  neg: boolean,
  negTok: number,
): number {
  const buf = st.buf;
  let j = i + 1;
  let neg2 = neg;
  if (o.args > 0 && o.neg && st.intrapositioned(tok, j, o.args)) {
    if (neg) st.syntax('double `!`', j);
    neg2 = true;
    j++;
  }
  const from = negTok >= 0 ? negTok : i;
  if (j + o.args > buf.count) {
    st.syntax(`option \`${tok}' requires ${o.args === 1 ? 'an argument' : `${o.args} arguments`}`, i);
    ext.problem = 'error';
    extend(ext, from, buf.count - 1);
    return buf.count;
  }
  if (neg && !o.neg) {
    st.syntax(`option \`${tok}' cannot be inverted`, from);
    ext.problem = 'error';
  }
  if (o.unmodelled) {
    if (ext.problem === 'none') ext.problem = 'unsupported';
    st.report('UNSUPPORTED', `${ext.name} option \`${tok}' is not modelled`, i);
  } else if (o.apply) {
    const a = o.args > 0 ? st.value(j) : '';
    const b = o.args > 1 ? st.value(j + 1) : '';
    const err = o.apply(ext.state, neg2, a, b, st.ctx);
    if (err !== undefined) {
      st.report('BAD_VALUE', `${ext.name}: ${err}`, o.args > 0 ? j : i);
      ext.problem = 'error';
    }
  }
  const end = j + o.args;
  extend(ext, from, end - 1);
  return end;
}

/** An option of an extension the model does not know: keep it and its arguments as raw text. */
function generic(st: RuleState, ext: OpenExt, i: number, negTok: number): number {
  const end = skipArgs(st, i);
  extend(ext, negTok >= 0 ? negTok : i, end - 1);
  return end;
}

/** Index after the option at i and the arguments that follow it (anything not an option). */
function skipArgs(st: RuleState, i: number): number {
  const buf = st.buf;
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

function extend(ext: OpenExt, from: number, to: number): void {
  if (ext.firstTok < 0 || from < ext.firstTok) ext.firstTok = from;
  if (to > ext.lastTok) ext.lastTok = to;
}

function rawOf(st: RuleState, ext: OpenExt): string {
  return ext.firstTok < 0 ? '' : st.slice(ext.firstTok, ext.lastTok);
}

/** Builds the match into its reserved slot (unsupported if its options did not make sense). */
export function finishMatch(st: RuleState, ext: OpenExt): void {
  const raw = rawOf(st, ext);
  let m: Match = { m: 'unsupported', module: ext.name, raw };
  if (ext.spec && ext.problem === 'none') {
    const r = (ext.spec as AnyMatchSpec).finish(ext.state, raw, st.ctx);
    if (typeof r === 'string') st.report('BAD_VALUE', `${ext.name}: ${r}`, -1, undefined, ext.column);
    else if ('unsupported' in r)
      st.report('UNSUPPORTED', `${ext.name}: ${r.unsupported}`, -1, undefined, ext.column);
    else m = r;
  }
  st.rule.matches[ext.slot] = m;
}

export function finishTarget(st: RuleState, ext: OpenExt): Target {
  const raw = rawOf(st, ext);
  if (ext.spec && ext.problem === 'none') {
    const r = (ext.spec as AnyTargetSpec).finish(ext.state, raw, st.ctx);
    if (typeof r === 'string') st.report('BAD_VALUE', `${ext.name}: ${r}`, -1, undefined, ext.column);
    else if ('unsupported' in r)
      st.report('UNSUPPORTED', `${ext.name}: ${r.unsupported}`, -1, undefined, ext.column);
    else return r;
  }
  return { t: 'unsupported', target: ext.name, raw };
}
