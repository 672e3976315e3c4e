/**
 * @module parse/iptables-save/match-stateful
 * Matches whose verdict depends on more than the packet header: addrtype (routing
 * table, `addrtype_mt_v1()`), statistic (`statistic_mt()`: random or every n-th packet),
 * physdev (bridge ports, `physdev_mt()`), recent (address lists, `recent_mt()`) and set
 * (ipset, `set_match_v4()`).
 */
import type { AddrType, Match } from '../../model/iptables.js';
import { optionMap, parseNameList, type ExtensionSpec, type OptionSpec } from './extension-spec.js';
import { normaliseAddress } from './parse-address.js';
import { parseDecimal } from './parse-number.js';

type AddrtypeMatch = Extract<Match, { m: 'addrtype' }>;
type PhysdevMatch = Extract<Match, { m: 'physdev' }>;

const ADDR_TYPES: ReadonlySet<string> = new Set([
  'UNSPEC', 'UNICAST', 'LOCAL', 'BROADCAST', 'ANYCAST', 'MULTICAST',
  'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE',
]);

function typeOpt(field: 'srcType' | 'dstType'): OptionSpec<AddrtypeMatch> {
  return {
    args: 1,
    neg: true,
    apply(s, neg, a) {
      const v = parseNameList<AddrType>(a, ADDR_TYPES, 'address type');
      if (typeof v === 'string') return v;
      s[field] = { neg, value: v };
      return undefined;
    },
  };
}

export const ADDRTYPE_MATCH: ExtensionSpec<AddrtypeMatch, Match> = {
  options: optionMap<AddrtypeMatch>({
    '--src-type': typeOpt('srcType'),
    '--dst-type': typeOpt('dstType'),
    '--limit-iface-in': { args: 0, neg: false, apply: (s) => void (s.limitIfaceIn = true) },
    '--limit-iface-out': { args: 0, neg: false, apply: (s) => void (s.limitIfaceOut = true) },
  }),
  create: () => ({ m: 'addrtype' }),
  finish(s) {
    if (!s.srcType && !s.dstType) return 'addrtype needs --src-type or --dst-type';
    if (s.limitIfaceIn && s.limitIfaceOut) return 'addrtype takes only one of --limit-iface-in, --limit-iface-out';
    return s;
  },
};

interface StatisticState {
  mode?: string;
  probability?: number;
  every?: number;
  packet?: number;
  neg: boolean;
}

const FLOAT = /^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;

export const STATISTIC_MATCH: ExtensionSpec<StatisticState, Match> = {
  options: optionMap<StatisticState>({
    '--mode': {
      args: 1,
      neg: false,
      apply(s, _neg, a) {
        if (a !== 'random' && a !== 'nth') return `bad statistic mode \`${a}' (random or nth)`;
        s.mode = a;
        return undefined;
      },
    },
    '--probability': {
      args: 1,
      neg: true,
      apply(s, neg, a) {
        const p = FLOAT.test(a) ? Number(a) : NaN;
        if (!(p >= 0 && p <= 1)) return `bad probability \`${a}' (0..1)`;
        s.probability = p;
        if (neg) s.neg = true;
        return undefined;
      },
    },
    '--every': {
      args: 1,
      neg: true,
      apply(s, neg, a) {
        const v = parseDecimal(a, 0xffffffff);
        if (v < 1) return `bad --every \`${a}'`;
        s.every = v;
        if (neg) s.neg = true;
        return undefined;
      },
    },
    '--packet': {
      args: 1,
      neg: false,
      apply(s, _neg, a) {
        const v = parseDecimal(a, 0xffffffff);
        if (v < 0) return `bad --packet \`${a}'`;
        s.packet = v;
        return undefined;
      },
    },
  }),
  create: () => ({ neg: false }),
  finish(s) {
    if (s.mode === 'random') {
      if (s.probability === undefined) return 'statistic --mode random needs --probability';
      if (s.every !== undefined || s.packet !== undefined) return '--every/--packet need --mode nth';
      return { m: 'statistic', mode: 'random', probability: s.probability, neg: s.neg };
    }
    if (s.mode === 'nth') {
      if (s.every === undefined || s.packet === undefined) return 'statistic --mode nth needs --every and --packet';
      if (s.probability !== undefined) return '--probability needs --mode random';
      if (s.packet >= s.every) return '--packet must be smaller than --every';
      return { m: 'statistic', mode: 'nth', every: s.every, packet: s.packet, neg: s.neg };
    }
    return 'statistic needs --mode';
  },
};

/** IFNAMSIZ - 1; `+` is a wildcard suffix. */
export function validInterface(name: string): boolean {
  return name.length > 0 && name.length <= 15 && name.indexOf('/') < 0;
}

function ifaceOpt(field: 'physdevIn' | 'physdevOut'): OptionSpec<PhysdevMatch> {
  return {
    args: 1,
    neg: true,
    apply(s, neg, a) {
      if (!validInterface(a)) return `bad interface name \`${a}'`;
      s[field] = { neg, value: a };
      return undefined;
    },
  };
}

function isOpt(field: 'isIn' | 'isOut' | 'isBridged'): OptionSpec<PhysdevMatch> {
  return { args: 0, neg: true, apply: (s, neg) => void (s[field] = { neg, value: true }) };
}

export const PHYSDEV_MATCH: ExtensionSpec<PhysdevMatch, Match> = {
  options: optionMap<PhysdevMatch>({
    '--physdev-in': ifaceOpt('physdevIn'),
    '--physdev-out': ifaceOpt('physdevOut'),
    '--physdev-is-in': isOpt('isIn'),
    '--physdev-is-out': isOpt('isOut'),
    '--physdev-is-bridged': isOpt('isBridged'),
  }),
  create: () => ({ m: 'physdev' }),
  finish(s) {
    if (!s.physdevIn && !s.physdevOut && !s.isIn && !s.isOut && !s.isBridged) return 'physdev needs at least one option';
    return s;
  },
};

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
  finish(s) {
    if (s.action === undefined) return 'recent needs one of --set, --rcheck, --update, --remove';
    if (s.reap && s.seconds === undefined) return 'recent --reap needs --seconds';
    const m: Extract<Match, { m: 'recent' }> = { m: 'recent', name: s.name, action: s.action, neg: s.neg, reap: s.reap, side: s.side };
    if (s.seconds !== undefined) m.seconds = s.seconds;
    if (s.hitcount !== undefined) m.hitcount = s.hitcount;
    if (s.mask !== undefined) m.mask = s.mask;
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
  finish: (s) => (s.setName ? { m: 'set', setName: s.setName, flags: s.flags } : 'set match needs --match-set'),
};
