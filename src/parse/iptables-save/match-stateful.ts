/**
 * @module parse/iptables-save/match-stateful
 * Matches whose verdict depends on more than the packet header: addrtype (routing
 * table, `addrtype_mt_v1()`), statistic (`statistic_mt()`: random or every n-th packet)
 * and physdev (bridge ports, `physdev_mt()`).
 */
import type { AddrType, Match } from '../../model/iptables.js';
import { optionMap, parseNameList, type ExtensionSpec, type OptionSpec } from './extension-spec.js';
import { parseDecimal } from './parse-number.js';

type AddrtypeMatch = Extract<Match, { m: 'addrtype' }>;
type PhysdevMatch = Extract<Match, { m: 'physdev' }>;

const ADDR_TYPES: ReadonlySet<string> = new Set([
  'UNSPEC',
  'UNICAST',
  'LOCAL',
  'BROADCAST',
  'ANYCAST',
  'MULTICAST',
  'BLACKHOLE',
  'UNREACHABLE',
  'PROHIBIT',
  'THROW',
  'NAT',
  'XRESOLVE',
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
    if (s.limitIfaceIn && s.limitIfaceOut)
      return 'addrtype takes only one of --limit-iface-in, --limit-iface-out';
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
        // the kernel keeps lround(p * 2^31) and matches when (random & 0x7fffffff) is
        // below it (libxt_statistic.c, statistic_mt()): model that exact value
        s.probability = Math.round(p * 0x80000000) / 0x80000000;
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
      if (s.every === undefined || s.packet === undefined)
        return 'statistic --mode nth needs --every and --packet';
      if (s.probability !== undefined) return '--probability needs --mode random';
      if (s.packet >= s.every) return '--packet must be smaller than --every';
      return { m: 'statistic', mode: 'nth', every: s.every, packet: s.packet, neg: s.neg };
    }
    return 'statistic needs --mode';
  },
};

/**
 * IFNAMSIZ - 1 characters at most (`xtables_parse_interface()`); `+` is a wildcard suffix.
 * A `/` or blank only draws a warning from iptables (no interface can have it).
 */
export function validInterface(name: string): boolean {
  return name.length > 0 && name.length <= 15;
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
    if (!s.physdevIn && !s.physdevOut && !s.isIn && !s.isOut && !s.isBridged)
      return 'physdev needs at least one option';
    return s;
  },
};
