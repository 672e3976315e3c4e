/**
 * @module parse/iptables-save/match-ports
 * The protocol matches `-m tcp|udp|sctp` (libxt_tcp.c, libxt_udp.c, libxt_sctp.c) and
 * `-m multiport` (libxt_multiport.c). The kernel side is `tcp_mt()` / `udp_mt()` /
 * `multiport_mt()` in net/netfilter/xt_tcpudp.c and xt_multiport.c.
 */
import type { Match, PortRange } from '../../model/iptables.js';
import { optionMap, type ExtensionSpec, type OptionSpec } from './extension-spec.js';
import { parsePortList, parsePortRange } from './parse-port.js';

type PortMatch = Extract<Match, { m: 'tcp' | 'udp' | 'sctp' }>;
type MultiportMatch = Extract<Match, { m: 'multiport' }>;

/** Kernel bit order of TCP flags (TCPHDR_FIN ... TCPHDR_URG), as iptables-save prints them. */
const TCP_FLAG_ORDER = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG'] as const;

/** `SYN,ACK` / `ALL` / `NONE` -> flag names in kernel bit order; string on error. */
export function parseTcpFlags(s: string): string[] | string {
  let bits = 0;
  for (const f of s.split(',')) {
    const u = f.toUpperCase();
    if (u === 'ALL') bits |= 0x3f;
    else if (u === 'NONE') continue;
    else {
      const k = (TCP_FLAG_ORDER as readonly string[]).indexOf(u);
      if (k < 0) return `bad TCP flag \`${f}'`;
      bits |= 1 << k;
    }
  }
  const out: string[] = [];
  for (let k = 0; k < 6; k++) if (bits & (1 << k)) out.push(TCP_FLAG_ORDER[k] as string);
  return out;
}

function portOpt(field: 'sport' | 'dport', allowReversed: boolean): OptionSpec<PortMatch> {
  return {
    args: 1,
    neg: true,
    apply(s, neg, a) {
      const r = parsePortRange(a, ':', allowReversed);
      if (r === null) return `bad port or port range \`${a}'`;
      s[field] = { neg, value: r };
      return undefined;
    },
  };
}

// libxt_tcp refuses min > max ("invalid portrange"), libxt_udp keeps it (it never matches)
const SPORT = portOpt('sport', false);
const DPORT = portOpt('dport', false);
const UDP_SPORT = portOpt('sport', true);
const UDP_DPORT = portOpt('dport', true);

const TCP_OPTIONS = optionMap<PortMatch>({
  '--sport|--source-port': SPORT,
  '--dport|--destination-port': DPORT,
  '--tcp-flags': {
    args: 2,
    neg: true,
    apply(s, neg, a, b) {
      const mask = parseTcpFlags(a);
      if (typeof mask === 'string') return mask;
      const comp = parseTcpFlags(b);
      if (typeof comp === 'string') return comp;
      s.tcpFlags = { neg, value: { mask, comp } };
      return undefined;
    },
  },
  // `--syn` = `--tcp-flags SYN,RST,ACK,FIN SYN`
  '--syn': {
    args: 0,
    neg: true,
    apply(s, neg) {
      s.tcpFlags = { neg, value: { mask: ['FIN', 'SYN', 'RST', 'ACK'], comp: ['SYN'] } };
      return undefined;
    },
  },
  '--tcp-option': { args: 1, neg: true, unmodelled: true },
});

const UDP_OPTIONS = optionMap<PortMatch>({
  '--sport|--source-port': UDP_SPORT,
  '--dport|--destination-port': UDP_DPORT,
});

const SCTP_OPTIONS = optionMap<PortMatch>({
  '--sport|--source-port': SPORT,
  '--dport|--destination-port': DPORT,
  '--chunk-types': { args: 2, neg: true, unmodelled: true },
});

function portSpec(options: Map<string, OptionSpec<PortMatch>>): ExtensionSpec<PortMatch, Match> {
  return {
    options,
    create: (name) => ({ m: name as PortMatch['m'] }),
    finish: (s) => s,
  };
}

export const TCP_MATCH = portSpec(TCP_OPTIONS);
export const UDP_MATCH = portSpec(UDP_OPTIONS);
export const SCTP_MATCH = portSpec(SCTP_OPTIONS);

function listOpt(field: 'sports' | 'dports' | 'ports'): OptionSpec<MultiportMatch> {
  return {
    args: 1,
    neg: true,
    apply(s, neg, a) {
      const r = parsePortList(a);
      if ('error' in r) return r.error;
      s[field] = { neg, value: r.ports as PortRange[] };
      return undefined;
    },
  };
}

export const MULTIPORT_MATCH: ExtensionSpec<MultiportMatch, Match> = {
  options: optionMap<MultiportMatch>({
    '--sports|--source-ports': listOpt('sports'),
    '--dports|--destination-ports': listOpt('dports'),
    '--ports': listOpt('ports'),
  }),
  create: () => ({ m: 'multiport' }),
  finish(s) {
    const n = (s.sports ? 1 : 0) + (s.dports ? 1 : 0) + (s.ports ? 1 : 0);
    if (n === 0) return 'multiport needs one of --sports, --dports, --ports';
    if (n > 1) return 'multiport takes only one of --sports, --dports, --ports';
    return s;
  },
};
