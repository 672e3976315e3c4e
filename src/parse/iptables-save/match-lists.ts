/**
 * @module parse/iptables-save/match-lists
 * Matches against address lists kept in the kernel: recent (`recent_mt()` in
 * xt_recent.c; kube-proxy's ClientIP session affinity) and set (ipset, `set_match_v4()`;
 * kube-proxy ipvs mode and Calico).
 */
import type { Match } from '../../model/iptables.js';
import { optionMap, type ExtensionSpec, type OptionSpec } from './extension-spec.js';
import { normaliseAddress } from './parse-address.js';
import { parseDecimal } from './parse-number.js';

interface RecentState {
  name: string;
  action?: 'set' | 'rcheck' | 'update' | 'remove';
  neg: boolean;
  seconds?: number;
  hitcount?: number;
  reap: boolean;
  side: 'rsource' | 'rdest';
  mask?: string;
}

function actionOpt(action: NonNullable<RecentState['action']>): OptionSpec<RecentState> {
  return {
    args: 0,
    neg: true,
    apply(s, neg) {
      if (s.action !== undefined) return 'recent takes only one of --set, --rcheck, --update, --remove';
      s.action = action;
      s.neg = neg;
      return undefined;
    },
  };
}

export const RECENT_MATCH: ExtensionSpec<RecentState, Match> = {
  options: optionMap<RecentState>({
    '--name': {
      args: 1,
      neg: false,
      apply(s, _neg, a) {
        if (a === '' || a.length > 199) return `bad recent list name \`${a}'`;
        s.name = a;
        return undefined;
      },
    },
    '--set': actionOpt('set'),
    '--rcheck': actionOpt('rcheck'),
    '--update': actionOpt('update'),
    '--remove': actionOpt('remove'),
    '--seconds': {
      args: 1,
      neg: false,
      apply(s, _neg, a) {
        const v = parseDecimal(a, 0xffffffff);
        if (v < 0) return `bad --seconds \`${a}'`;
        s.seconds = v;
        return undefined;
      },
    },
    '--hitcount': {
      args: 1,
      neg: false,
      apply(s, _neg, a) {
        const v = parseDecimal(a, 0xffffffff);
        if (v < 0) return `bad --hitcount \`${a}'`;
        s.hitcount = v;
        return undefined;
      },
    },
    '--reap': { args: 0, neg: false, apply: (s) => void (s.reap = true) },
    '--rsource': { args: 0, neg: false, apply: (s) => void (s.side = 'rsource') },
    '--rdest': { args: 0, neg: false, apply: (s) => void (s.side = 'rdest') },
    '--mask': {
      args: 1,
      neg: false,
      apply(s, _neg, a, _b, ctx) {
        const m = normaliseAddress(a, ctx.family);
        if (m === null) return `bad --mask \`${a}'`;
        s.mask = m;
        return undefined;
      },
    },
    '--rttl': { args: 0, neg: false, unmodelled: true },
  }),
  create: () => ({ name: 'DEFAULT', neg: false, reap: false, side: 'rsource' }),
  finish(s, _raw, ctx) {
    if (s.action === undefined) return 'recent needs one of --set, --rcheck, --update, --remove';
    if (s.reap && s.seconds === undefined) return 'recent --reap needs --seconds';
    const m: Extract<Match, { m: 'recent' }> = {
      m: 'recent',
      name: s.name,
      action: s.action,
      neg: s.neg,
      reap: s.reap,
      side: s.side,
    };
    if (s.seconds !== undefined) m.seconds = s.seconds;
    if (s.hitcount !== undefined) m.hitcount = s.hitcount;
    // the kernel's default mask is all ones; iptables-save prints it, so it is always set
    m.mask =
      s.mask ?? (ctx.family === 'ipv6' ? 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff' : '255.255.255.255');
    return m;
  },
};

interface SetState {
  setName?: { neg: boolean; value: string };
  flags: ('src' | 'dst')[];
}

const MATCH_SET: OptionSpec<SetState> = {
  args: 2,
  neg: true,
  apply(s, neg, name, flags) {
    if (s.setName) return 'set match takes one --match-set (use another -m set)';
    if (name === '' || name.length > 31) return `bad set name \`${name}'`;
    const f: ('src' | 'dst')[] = [];
    for (const x of flags.split(',')) {
      if (x !== 'src' && x !== 'dst') return `bad set flag \`${x}' (src or dst)`;
      f.push(x);
    }
    if (f.length > 6) return 'at most 6 set flags';
    s.setName = { neg, value: name };
    s.flags = f;
    return undefined;
  },
};

const SET_UNMODELLED0: OptionSpec<SetState> = { args: 0, neg: true, unmodelled: true };
const SET_UNMODELLED1: OptionSpec<SetState> = { args: 1, neg: true, unmodelled: true };

export const SET_MATCH: ExtensionSpec<SetState, Match> = {
  options: optionMap<SetState>({
    '--match-set|--set': MATCH_SET,
    '--return-nomatch|--update-counters|--update-subcounters': SET_UNMODELLED0,
    '--packets-eq|--packets-lt|--packets-gt|--bytes-eq|--bytes-lt|--bytes-gt': SET_UNMODELLED1,
  }),
  create: () => ({ flags: [] }),
  finish: (s) =>
    s.setName ? { m: 'set', setName: s.setName, flags: s.flags } : 'set match needs --match-set',
};
