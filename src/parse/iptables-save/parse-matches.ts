/**
 * @module parse/iptables-save/parse-matches
 * The match modules the model represents (`-m NAME`), and the protocol matches that
 * `-p tcp --dport 80` loads implicitly (`load_proto()` in iptables/xshared.c).
 * Any other module is kept as `{ m: 'unsupported' }` with an UNSUPPORTED diagnostic.
 */
import type { Match } from '../../model/iptables.js';
import type { ExtensionSpec } from './extension-spec.js';
import { CONNTRACK_MATCH, STATE_MATCH } from './match-conntrack.js';
import { MULTIPORT_MATCH, SCTP_MATCH, TCP_MATCH, UDP_MATCH } from './match-ports.js';
import {
  COMMENT_MATCH,
  ICMP6_MATCH,
  ICMP_MATCH,
  IPRANGE_MATCH,
  LIMIT_MATCH,
  MAC_MATCH,
  MARK_MATCH,
  NFACCT_MATCH,
  PKTTYPE_MATCH,
} from './match-simple.js';
import { RECENT_MATCH, SET_MATCH } from './match-lists.js';
import { ADDRTYPE_MATCH, PHYSDEV_MATCH, STATISTIC_MATCH } from './match-stateful.js';

/** A match spec with its state type erased (each spec is internally consistent). */
export type AnyMatchSpec = ExtensionSpec<unknown, Match>;

function erase<S>(spec: ExtensionSpec<S, Match>): AnyMatchSpec {
  return spec as unknown as AnyMatchSpec;
}

export const MATCH_SPECS: ReadonlyMap<string, AnyMatchSpec> = new Map<string, AnyMatchSpec>([
  ['tcp', erase(TCP_MATCH)],
  ['udp', erase(UDP_MATCH)],
  ['sctp', erase(SCTP_MATCH)],
  ['multiport', erase(MULTIPORT_MATCH)],
  ['icmp', erase(ICMP_MATCH)],
  ['icmp6', erase(ICMP6_MATCH)],
  ['comment', erase(COMMENT_MATCH)],
  ['conntrack', erase(CONNTRACK_MATCH)],
  ['state', erase(STATE_MATCH)],
  ['mark', erase(MARK_MATCH)],
  ['connmark', erase(MARK_MATCH)],
  ['addrtype', erase(ADDRTYPE_MATCH)],
  ['statistic', erase(STATISTIC_MATCH)],
  ['physdev', erase(PHYSDEV_MATCH)],
  ['recent', erase(RECENT_MATCH)],
  ['set', erase(SET_MATCH)],
  ['nfacct', erase(NFACCT_MATCH)],
  ['pkttype', erase(PKTTYPE_MATCH)],
  ['mac', erase(MAC_MATCH)],
  ['iprange', erase(IPRANGE_MATCH)],
  ['limit', erase(LIMIT_MATCH)],
]);

/** Module spellings that are the same module (`-m icmpv6` is ip6tables' icmp6). */
export const MATCH_ALIASES: ReadonlyMap<string, string> = new Map([
  ['icmpv6', 'icmp6'],
  ['ipv6-icmp', 'icmp6'],
]);

/** `-p PROTO` -> the match module loaded implicitly for its options. */
export function implicitMatchFor(proto: string | undefined): string | undefined {
  switch (proto) {
    case 'tcp':
    case 'udp':
    case 'sctp':
    case 'icmp':
      return proto;
    case 'icmpv6':
      return 'icmp6';
    default:
      return undefined;
  }
}
