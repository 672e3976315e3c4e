/**
 * @module parse/iptables-save/match-simple
 * Single-purpose matches: comment, icmp/icmp6, mark/connmark, nfacct, pkttype, mac,
 * iprange, limit (libxt_<name>.c; kernel xt_<name>.c, e.g. `mark_mt()`:
 * `(skb->mark & mask) == mark`).
 */
import type { Match } from '../../model/iptables.js';
import { optionMap, type ExtensionSpec, type OptionSpec } from './extension-spec.js';
import { normaliseAddress } from './parse-address.js';
import { settleFamily } from './parse-context.js';
import { normaliseIcmpType } from './icmp-types.js';
import { parseDecimal, parseValueMask } from './parse-number.js';

type CommentMatch = Extract<Match, { m: 'comment' }>;
type IcmpMatch = Extract<Match, { m: 'icmp' | 'icmp6' }>;
type MarkMatch = { m: 'mark' | 'connmark'; mark?: Extract<Match, { m: 'mark' | 'connmark' }>['mark'] };
type NfacctMatch = { m: 'nfacct'; name?: string };
type PkttypeMatch = { m: 'pkttype'; type?: Extract<Match, { m: 'pkttype' }>['type'] };
type MacMatch = { m: 'mac'; source?: Extract<Match, { m: 'mac' }>['source'] };
type IprangeMatch = Extract<Match, { m: 'iprange' }>;
type LimitMatch = Extract<Match, { m: 'limit' }>;

/** XT_MAX_COMMENT_LEN is 256 including the terminating NUL. */
const MAX_COMMENT = 255;

export const COMMENT_MATCH: ExtensionSpec<CommentMatch, Match> = {
  options: optionMap<CommentMatch>({
    '--comment': {
      args: 1,
      neg: false,
      apply(s, _neg, a) {
        if (a.length > MAX_COMMENT) return `comment longer than ${MAX_COMMENT} characters`;
        s.comment = a;
        return undefined;
      },
    },
  }),
  create: () => ({ m: 'comment', comment: '' }),
  finish: (s) => s,
};

function icmpSpec(option: string, v6: boolean): ExtensionSpec<IcmpMatch, Match> {
  return {
    options: optionMap<IcmpMatch>({
      [option]: {
        args: 1,
        neg: true,
        apply(s, neg, a) {
          const t = normaliseIcmpType(a, v6);
          if (t === null) return `unknown ${v6 ? 'ICMPv6' : 'ICMP'} type \`${a}'`;
          s.type = { neg, value: t };
          return undefined;
        },
      },
    }),
    create: () => ({ m: v6 ? 'icmp6' : 'icmp' }),
    finish: (s) => s,
  };
}

export const ICMP_MATCH = icmpSpec('--icmp-type', false);
export const ICMP6_MATCH = icmpSpec('--icmpv6-type', true);

export const MARK_MATCH: ExtensionSpec<MarkMatch, Match> = {
  options: optionMap<MarkMatch>({
    '--mark': {
      args: 1,
      neg: true,
      apply(s, neg, a) {
        const v = parseValueMask(a);
        if (v === null) return `bad mark \`${a}' (value[/mask])`;
        s.mark = { neg, value: v };
        return undefined;
      },
    },
  }),
  create: (name) => ({ m: name === 'connmark' ? 'connmark' : 'mark' }),
  finish(s) {
    if (!s.mark) return `${s.m} match needs --mark`;
    return { m: s.m, mark: s.mark };
  },
};

export const NFACCT_MATCH: ExtensionSpec<NfacctMatch, Match> = {
  options: optionMap<NfacctMatch>({
    '--nfacct-name': {
      args: 1,
      neg: false,
      apply(s, _neg, a) {
        if (a === '' || a.length > 31) return `bad nfacct name \`${a}'`;
        s.name = a;
        return undefined;
      },
    },
  }),
  create: () => ({ m: 'nfacct' }),
  finish: (s) => (s.name === undefined ? 'nfacct match needs --nfacct-name' : { m: 'nfacct', name: s.name }),
};

const PKT_TYPES: Record<string, string> = {
  unicast: 'unicast',
  host: 'unicast',
  broadcast: 'broadcast',
  multicast: 'multicast',
  otherhost: 'otherhost',
  outgoing: 'outgoing',
  loopback: 'loopback',
  fastroute: 'fastroute',
};

export const PKTTYPE_MATCH: ExtensionSpec<PkttypeMatch, Match> = {
  options: optionMap<PkttypeMatch>({
    '--pkt-type': {
      args: 1,
      neg: true,
      apply(s, neg, a) {
        const key = a.toLowerCase();
        const t = Object.prototype.hasOwnProperty.call(PKT_TYPES, key) ? PKT_TYPES[key] : undefined;
        if (t === undefined) return `bad packet type \`${a}'`;
        s.type = { neg, value: t };
        return undefined;
      },
    },
  }),
  create: () => ({ m: 'pkttype' }),
  finish: (s) => (s.type === undefined ? 'pkttype match needs --pkt-type' : { m: 'pkttype', type: s.type }),
};

/** `xtables_parse_mac()`: six hex octets separated by `:`; lower-cased as iptables 1.8 prints it. */
export function parseMac(s: string): string | null {
  if (s.length !== 17) return null;
  for (let i = 0; i < 17; i++) {
    const c = s.charCodeAt(i);
    if (i % 3 === 2) {
      if (c !== 58) return null;
    } else {
      const l = c | 0x20;
      if (!((c >= 48 && c <= 57) || (l >= 97 && l <= 102))) return null;
    }
  }
  return s.toLowerCase();
}

export const MAC_MATCH: ExtensionSpec<MacMatch, Match> = {
  options: optionMap<MacMatch>({
    '--mac-source': {
      args: 1,
      neg: true,
      apply(s, neg, a) {
        const mac = parseMac(a);
        if (mac === null) return `bad MAC address \`${a}'`;
        s.source = { neg, value: mac };
        return undefined;
      },
    },
  }),
  create: () => ({ m: 'mac' }),
  finish: (s) => (s.source === undefined ? 'mac match needs --mac-source' : { m: 'mac', source: s.source }),
};

function rangeOpt(field: 'srcRange' | 'dstRange'): OptionSpec<IprangeMatch> {
  return {
    args: 1,
    neg: true,
    apply(s, neg, a, _b, ctx) {
      const dash = a.indexOf('-');
      const from = dash < 0 ? a : a.slice(0, dash);
      const to = dash < 0 ? a : a.slice(dash + 1);
      const family = settleFamily(ctx, from);
      const f = normaliseAddress(from, family);
      const t = normaliseAddress(to, family);
      if (f === null || t === null) return `bad address range \`${a}'`;
      s[field] = { neg, value: [f, t] };
      return undefined;
    },
  };
}

export const IPRANGE_MATCH: ExtensionSpec<IprangeMatch, Match> = {
  options: optionMap<IprangeMatch>({
    '--src-range': rangeOpt('srcRange'),
    '--dst-range': rangeOpt('dstRange'),
  }),
  create: () => ({ m: 'iprange' }),
  finish: (s) => (s.srcRange || s.dstRange ? s : 'iprange match needs --src-range or --dst-range'),
};

/** `N[/second|minute|hour|day]` with any unambiguous prefix of the unit (libxt_limit.c `parse_rate()`). */
const RATE = /^[0-9]+(\/(s|se|sec|seco|secon|second|m|mi|min|minu|minut|minute|h|ho|hou|hour|d|da|day))?$/i;

export const LIMIT_MATCH: ExtensionSpec<LimitMatch, Match> = {
  options: optionMap<LimitMatch>({
    '--limit': {
      args: 1,
      neg: false,
      apply(s, _neg, a) {
        if (!RATE.test(a)) return `bad rate \`${a}'`;
        s.rate = a;
        return undefined;
      },
    },
    '--limit-burst': {
      args: 1,
      neg: false,
      apply(s, _neg, a) {
        const v = parseDecimal(a, 10000);
        if (v < 0) return `bad burst \`${a}'`;
        s.burst = v;
        return undefined;
      },
    },
  }),
  create: () => ({ m: 'limit' }),
  finish: (s) => s,
};
