/**
 * @module parse/iproute/parse-ip-rule
 * `ip -j rule show` (and `ip -j -6 rule show`) -> IpRule[] (kernel: `fib_nl_fill_rule`).
 * Selectors: `"src": "all"` or `"src"` + `"srclen"`; a host selector has no `srclen`.
 * fwmark is `"fwmark": "0x80", "fwmask": "0x80"` (iproute2 6.x) or `"fwmark": "0x80/0x80"`;
 * without a mask the kernel compares all 32 bits.
 */
import { diag, type Diagnostic, type ParseResult } from '../diagnostic.js';
import type { IpRule } from '../../model/net.js';
import { FieldReader } from './fields.js';
import { familyOf, normalisePrefix, type Family } from './prefix.js';
import { tableName } from './parse-ip-route.js';
import { readJsonArray, type JsonElement } from './read-json-array.js';

const WHAT = 'ip -j rule';
/** selectors the model does not evaluate: the rule is kept, the simulator must say unknown */
const UNMODELLED = [
  'suppress_prefixlength',
  'suppress_ifgroup',
  'uidrange',
  'ipproto',
  'sport',
  'dport',
  'l3mdev',
  'tos',
  'dsfield',
  'tun_id',
  'realms',
];

export interface RuleParseOptions {
  /** family of rules whose selectors do not tell (`from all`); 'inet' unless given */
  family?: Family;
}

export function parseIpRule(text: string, options: RuleParseOptions = {}): ParseResult<IpRule[]> {
  const { elements, diagnostics } = readJsonArray(text, WHAT);
  const rules: IpRule[] = [];
  for (const el of elements) {
    const f = new FieldReader(WHAT, el, diagnostics);
    const priority = f.requiredNum('priority');
    if (priority === undefined) continue;
    const src = selector(f, 'src', 'srclen');
    const dst = selector(f, 'dst', 'dstlen');
    const family =
      (src && src !== 'all' ? familyOf(src) : undefined) ??
      (dst && dst !== 'all' ? familyOf(dst) : undefined) ??
      options.family ??
      'inet';
    const rule: IpRule = {
      priority,
      family,
      not: 'not' in el.value,
      action: action(el.value),
      line: el.index,
    };
    if (src !== undefined) rule.src = src;
    if (dst !== undefined) rule.dst = dst;
    const iif = f.str('iif');
    if (iif !== undefined) rule.iif = iif;
    const oif = f.str('oif');
    if (oif !== undefined) rule.oif = oif;
    const fwmark = readFwmark(el, diagnostics);
    if (fwmark) rule.fwmark = fwmark;
    if (el.value.table !== undefined) rule.table = tableName(el.value.table);
    for (const k of UNMODELLED) {
      if (k in el.value)
        diagnostics.push(
          diag('UNSUPPORTED', `${WHAT}[${el.index}]: selector "${k}" is not modelled`, el.line, el.column),
        );
    }
    rules.push(rule);
  }
  return { value: rules, diagnostics };
}

function selector(f: FieldReader, key: string, lenKey: string): string | undefined {
  const v = f.str(key);
  if (v === undefined || v === 'all') return v;
  const len = f.num(lenKey);
  return len !== undefined ? `${v}/${len}` : normalisePrefix(v);
}

/** FR_ACT_TO_TBL prints a table; other actions print `"action"`, `"goto"` or `"nop"` */
function action(o: Record<string, unknown>): string {
  if (typeof o.action === 'string') return o.action === 'unicast' ? 'lookup' : o.action;
  if ('goto' in o) return 'goto';
  if ('nop' in o) return 'nop';
  return 'lookup';
}

function readFwmark(el: JsonElement, diagnostics: Diagnostic[]): { value: number; mask: number } | undefined {
  const raw = el.value.fwmark;
  if (raw === undefined) return undefined;
  const [v, m] = typeof raw === 'string' ? raw.split('/') : [String(raw)];
  const value = parseU32(v);
  const mask =
    m !== undefined
      ? parseU32(m)
      : el.value.fwmask !== undefined
        ? parseU32(String(el.value.fwmask))
        : 0xffffffff;
  if (value === undefined || mask === undefined) {
    diagnostics.push(
      diag('BAD_VALUE', `${WHAT}[${el.index}]: bad fwmark ${JSON.stringify(raw)}`, el.line, el.column),
    );
    return undefined;
  }
  return { value, mask };
}

/** `0x80`, `128` or a JSON number, within 32 bits */
export function parseU32(s: string | undefined): number | undefined {
  if (s === undefined || !/^(0x[0-9a-fA-F]{1,8}|[0-9]{1,10})$/.test(s)) return undefined;
  const n = Number(s);
  return n <= 0xffffffff ? n : undefined;
}
