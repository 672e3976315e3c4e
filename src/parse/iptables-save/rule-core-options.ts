/**
 * @module parse/iptables-save/rule-core-options
 * The options every rule has without a match module (`struct ipt_ip`, checked by
 * `ip_packet_match()` in net/ipv4/netfilter/ip_tables.c): `-s`, `-d`, `-i`, `-o`, `-p`,
 * `-f`, plus `-c packets bytes`. Each may appear once; a value the model cannot hold
 * becomes an unsupported match so the rule never looks broader than it is.
 */
import { parseCidr } from './parse-address.js';
import { settleFamily } from './parse-context.js';
import { validInterface } from './match-stateful.js';
import { parseCounter } from './parse-number.js';
import { normaliseProtocol } from './protocols.js';
import type { RuleState } from './rule-state.js';

type CoreField = 'src' | 'dst' | 'inIface' | 'outIface' | 'proto' | 'fragment';

const FIELD_BIT: Record<CoreField, number> = {
  src: 1,
  dst: 2,
  inIface: 4,
  outIface: 8,
  proto: 16,
  fragment: 32,
};

/** Long spellings of the core options (a `-j NAME --src x` is not a target option). */
export const CORE_LONG: ReadonlySet<string> = new Set([
  '--source',
  '--src',
  '--destination',
  '--dst',
  '--in-interface',
  '--out-interface',
  '--protocol',
  '--fragment',
  '--match',
  '--jump',
  '--goto',
  '--set-counters',
]);

function once(st: RuleState, field: CoreField, i: number): boolean {
  const bit = FIELD_BIT[field];
  if (st.seen & bit) {
    st.syntax(`multiple \`${st.value(i)}' options are not allowed`, i);
    return false;
  }
  st.seen |= bit;
  return true;
}

/** Keeps an option whose value the model cannot hold as an unsupported match. */
function keepUnsupported(st: RuleState, i: number, at: number): void {
  st.rule.matches.push({ m: 'unsupported', module: st.value(i), raw: st.slice(i, at) });
}

/** `[!] -s|-d addr[/mask]`; returns the next token index. */
export function addressOption(st: RuleState, field: 'src' | 'dst', i: number, neg: boolean): number {
  const { at, neg: neg2 } = st.argOf(i);
  if (at < 0) return st.buf.count;
  if (!once(st, field, i)) return at + 1;
  const text = st.value(at);
  const r = parseCidr(text, settleFamily(st.ctx, text));
  if (r.ok) st.rule[field] = { neg: neg || neg2, value: r.cidr };
  else {
    st.report(r.unsupported ? 'UNSUPPORTED' : 'BAD_VALUE', r.reason, at);
    keepUnsupported(st, i, at);
  }
  return at + 1;
}

/** `[!] -i|-o name[+]`. */
export function interfaceOption(
  st: RuleState,
  field: 'inIface' | 'outIface',
  i: number,
  neg: boolean,
): number {
  const { at, neg: neg2 } = st.argOf(i);
  if (at < 0) return st.buf.count;
  if (!once(st, field, i)) return at + 1;
  const name = st.value(at);
  if (validInterface(name)) st.rule[field] = { neg: neg || neg2, value: name };
  else {
    st.report('BAD_VALUE', `bad interface name \`${name}' (at most 15 characters)`, at);
    keepUnsupported(st, i, at);
  }
  return at + 1;
}

/** `[!] -p proto`. */
export function protocolOption(st: RuleState, i: number, neg: boolean): number {
  const { at, neg: neg2 } = st.argOf(i);
  if (at < 0) return st.buf.count;
  if (!once(st, 'proto', i)) return at + 1;
  const p = normaliseProtocol(st.value(at));
  if (typeof p === 'string') st.rule.proto = { neg: neg || neg2, value: p };
  else if ('bad' in p) {
    st.report('BAD_VALUE', `bad protocol \`${p.bad}'`, at);
    keepUnsupported(st, i, at);
  } else {
    st.report(
      'BAD_VALUE',
      `protocol name \`${p.unknown}' is not known to podpath; kept as written`,
      at,
      'warning',
    );
    st.rule.proto = { neg: neg || neg2, value: p.unknown };
  }
  return at + 1;
}

/** `[!] -f` (second and later fragments). */
export function fragmentOption(st: RuleState, i: number, neg: boolean): number {
  if (once(st, 'fragment', i)) st.rule.fragment = { neg, value: true };
  return i + 1;
}

/** `-c packets bytes`. */
export function countersOption(st: RuleState, i: number): number {
  if (i + 2 >= st.buf.count) {
    st.syntax('`-c` requires packets and bytes', i);
    return st.buf.count;
  }
  const packets = parseCounter(st.value(i + 1));
  const bytes = parseCounter(st.value(i + 2));
  if (packets < 0 || bytes < 0) st.report('BAD_VALUE', 'bad counters after `-c`', i + 1);
  else st.rule.counters = { packets, bytes };
  return i + 3;
}
