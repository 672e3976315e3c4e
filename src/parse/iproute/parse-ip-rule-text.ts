/**
 * @module parse/iproute/parse-ip-rule-text
 * Plain-text `ip rule show` -> IpRule[] (`110:\tnot from all fwmark 0x1bd00 lookup netbird`).
 */
import { diag, type Diagnostic, type ParseResult } from '../diagnostic.js';
import type { IpRule } from '../../model/net.js';
import { familyOf, normalisePrefix, type Family } from './prefix.js';
import { parseU32 } from './parse-ip-rule.js';
import { tableName } from './parse-ip-route.js';
import { splitLines, tokenize, type Token } from './tokens.js';

const WHAT = 'ip rule';
const ACTIONS = new Set(['blackhole', 'unreachable', 'prohibit', 'nop']);
const UNMODELLED = new Set([
  'suppress_prefixlength',
  'suppress_ifgroup',
  'uidrange',
  'ipproto',
  'sport',
  'dport',
  'tos',
  'dsfield',
  'realms',
  'tun_id',
]);
const HARMLESS = new Set(['proto', 'protocol']);

export function parseIpRuleText(text: string, options: { family?: Family } = {}): ParseResult<IpRule[]> {
  const diagnostics: Diagnostic[] = [];
  const rules: IpRule[] = [];
  splitLines(text).forEach((line, i) => {
    const n = i + 1;
    const t = tokenize(line);
    const first = t[0];
    if (!first) return;
    const m = /^(\d+):$/.exec(first.text);
    if (!m) {
      diagnostics.push(
        diag('SYNTAX', `${WHAT}: expected "PRIORITY:", found ${JSON.stringify(first.text)}`, n, first.column),
      );
      return;
    }
    const rule: IpRule = {
      priority: Number(m[1]),
      family: options.family ?? 'inet',
      not: false,
      action: 'lookup',
      line: n,
    };
    readSelectors(t.slice(1), rule, n, diagnostics);
    const sel = [rule.src, rule.dst].find((s) => s !== undefined && s !== 'all');
    rule.family = (sel ? familyOf(sel) : undefined) ?? rule.family;
    rules.push(rule);
  });
  return { value: rules, diagnostics };
}

function readSelectors(t: Token[], rule: IpRule, n: number, diagnostics: Diagnostic[]): void {
  for (let k = 0; k < t.length; k++) {
    const kw = t[k]!;
    if (kw.text === 'not') rule.not = true;
    else if (ACTIONS.has(kw.text)) rule.action = kw.text;
    else if (kw.text === 'l3mdev' || kw.text === 'detached' || kw.text === '[detached]') {
      if (kw.text === 'l3mdev')
        diagnostics.push(diag('UNSUPPORTED', `${WHAT}: selector "l3mdev" is not modelled`, n, kw.column));
    } else {
      const v = t[++k];
      if (!v) {
        diagnostics.push(diag('SYNTAX', `${WHAT}: ${kw.text} without a value`, n, kw.column));
        return;
      }
      switch (kw.text) {
        case 'from':
          rule.src = v.text === 'all' ? 'all' : normalisePrefix(v.text);
          break;
        case 'to':
          rule.dst = v.text === 'all' ? 'all' : normalisePrefix(v.text);
          break;
        case 'iif':
          rule.iif = v.text;
          break;
        case 'oif':
          rule.oif = v.text;
          break;
        case 'lookup':
        case 'table':
          rule.table = tableName(/^\d+$/.test(v.text) ? Number(v.text) : v.text);
          break;
        case 'goto':
          rule.action = 'goto';
          break;
        case 'fwmark': {
          const [mv, mm] = v.text.split('/');
          const value = parseU32(mv);
          const mask = mm === undefined ? 0xffffffff : parseU32(mm);
          if (value === undefined || mask === undefined)
            diagnostics.push(diag('BAD_VALUE', `${WHAT}: bad fwmark ${JSON.stringify(v.text)}`, n, v.column));
          else rule.fwmark = { value, mask };
          break;
        }
        default:
          if (UNMODELLED.has(kw.text))
            diagnostics.push(
              diag('UNSUPPORTED', `${WHAT}: selector "${kw.text}" is not modelled`, n, kw.column),
            );
          else if (!HARMLESS.has(kw.text))
            diagnostics.push(
              diag('UNSUPPORTED', `${WHAT}: unknown keyword ${JSON.stringify(kw.text)}`, n, kw.column),
            );
      }
    }
  }
}
