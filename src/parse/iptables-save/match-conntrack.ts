/**
 * @module parse/iptables-save/match-conntrack
 * `-m conntrack` (libxt_conntrack.c; kernel `conntrack_mt()` in xt_conntrack.c) and the
 * older `-m state` (libxt_state.c, now an alias of conntrack's state test).
 * Options the model does not carry (`--ctproto`, `--ctexpire`, reply-direction ports ...)
 * make the whole match unsupported rather than being ignored.
 */
import type { CtState, Match } from '../../model/iptables.js';
import { optionMap, parseNameList, type ExtensionSpec, type OptionSpec } from './extension-spec.js';
import { parseCidr } from './parse-address.js';
import { settleFamily } from './parse-context.js';
import { parsePortRange } from './parse-port.js';

type ConntrackMatch = Extract<Match, { m: 'conntrack' }>;
type StateMatch = { m: 'state'; state?: Extract<Match, { m: 'state' }>['state'] };

const CT_STATES: ReadonlySet<string> = new Set([
  'NEW',
  'ESTABLISHED',
  'RELATED',
  'INVALID',
  'UNTRACKED',
  'SNAT',
  'DNAT',
]);
const STATE_STATES: ReadonlySet<string> = new Set(['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED']);
const CT_STATUS: ReadonlySet<string> = new Set(['NONE', 'EXPECTED', 'SEEN_REPLY', 'ASSURED', 'CONFIRMED']);

function cidrOpt(field: 'ctorigsrc' | 'ctorigdst' | 'ctreplsrc'): OptionSpec<ConntrackMatch> {
  return {
    args: 1,
    neg: true,
    apply(s, neg, a, _b, ctx) {
      const r = parseCidr(a, settleFamily(ctx, a));
      if (!r.ok) return r.reason;
      s[field] = { neg, value: r.cidr };
      return undefined;
    },
  };
}

const UNMODELLED: OptionSpec<ConntrackMatch> = { args: 1, neg: true, unmodelled: true };

export const CONNTRACK_MATCH: ExtensionSpec<ConntrackMatch, Match> = {
  options: optionMap<ConntrackMatch>({
    '--ctstate': {
      args: 1,
      neg: true,
      apply(s, neg, a) {
        const v = parseNameList<CtState>(a, CT_STATES, 'conntrack state');
        if (typeof v === 'string') return v;
        s.ctstate = { neg, value: v };
        return undefined;
      },
    },
    '--ctstatus': {
      args: 1,
      neg: true,
      apply(s, neg, a) {
        const v = parseNameList<string>(a, CT_STATUS, 'conntrack status');
        if (typeof v === 'string') return v;
        s.ctstatus = { neg, value: v };
        return undefined;
      },
    },
    '--ctorigsrc': cidrOpt('ctorigsrc'),
    '--ctorigdst': cidrOpt('ctorigdst'),
    '--ctreplsrc': cidrOpt('ctreplsrc'),
    '--ctorigdstport': {
      args: 1,
      neg: true,
      apply(s, neg, a) {
        const r = parsePortRange(a, ':', true);
        if (r === null) return `bad port or port range \`${a}'`;
        s.ctorigdstport = { neg, value: r };
        return undefined;
      },
    },
    '--ctdir': {
      args: 1,
      neg: false,
      apply(s, _neg, a) {
        const u = a.toUpperCase();
        if (u !== 'ORIGINAL' && u !== 'REPLY') return `bad --ctdir \`${a}' (ORIGINAL or REPLY)`;
        s.ctdir = u;
        return undefined;
      },
    },
    '--ctproto': UNMODELLED,
    '--ctrepldst': UNMODELLED,
    '--ctorigsrcport': UNMODELLED,
    '--ctreplsrcport': UNMODELLED,
    '--ctrepldstport': UNMODELLED,
    '--ctexpire': UNMODELLED,
  }),
  create: () => ({ m: 'conntrack' }),
  finish: (s) => s,
};

export const STATE_MATCH: ExtensionSpec<StateMatch, Match> = {
  options: optionMap<StateMatch>({
    '--state': {
      args: 1,
      neg: true,
      apply(s, neg, a) {
        const v = parseNameList<CtState>(a, STATE_STATES, 'state');
        if (typeof v === 'string') return v;
        s.state = { neg, value: v };
        return undefined;
      },
    },
  }),
  create: () => ({ m: 'state' }),
  finish(s) {
    if (!s.state) return 'state match needs --state';
    return { m: 'state', state: s.state };
  },
};
