/**
 * @module parse/iptables-save/parse-targets
 * Target extensions (`-j NAME`) the model represents. Verdicts ACCEPT/DROP/RETURN/QUEUE
 * and NOTRACK take no options; REJECT (`reject_tg()`, default `icmp-port-unreachable`,
 * `icmp6-port-unreachable` for IPv6); CT/LOG/NFLOG/TRACE/CHECKSUM/TCPMSS/NFQUEUE keep their
 * options as raw text. A name that is neither one of these nor a known extension is a
 * jump to a user chain.
 */
import type { Target } from '../../model/iptables.js';
import { optionMap, type ExtensionSpec, type OptionSpec } from './extension-spec.js';
import { DNAT_TARGET, MASQUERADE_TARGET, REDIRECT_TARGET, SNAT_TARGET } from './target-nat.js';
import { CONNMARK_TARGET, MARK_TARGET } from './target-mark.js';

export type AnyTargetSpec = ExtensionSpec<unknown, Target>;

function erase<S>(spec: ExtensionSpec<S, Target>): AnyTargetSpec {
  return spec as unknown as AnyTargetSpec;
}

type Verdict = 'ACCEPT' | 'DROP' | 'RETURN' | 'QUEUE' | 'NOTRACK';

function verdict(t: Verdict): ExtensionSpec<object, Target> {
  return { options: new Map(), create: () => ({}), finish: () => ({ t }) };
}

const REJECT_V4: Record<string, string> = {
  'icmp-net-unreachable': 'icmp-net-unreachable',
  'net-unreach': 'icmp-net-unreachable',
  'icmp-host-unreachable': 'icmp-host-unreachable',
  'host-unreach': 'icmp-host-unreachable',
  'icmp-port-unreachable': 'icmp-port-unreachable',
  'port-unreach': 'icmp-port-unreachable',
  'icmp-proto-unreachable': 'icmp-proto-unreachable',
  'proto-unreach': 'icmp-proto-unreachable',
  'icmp-net-prohibited': 'icmp-net-prohibited',
  'net-prohib': 'icmp-net-prohibited',
  'icmp-host-prohibited': 'icmp-host-prohibited',
  'host-prohib': 'icmp-host-prohibited',
  'icmp-admin-prohibited': 'icmp-admin-prohibited',
  'admin-prohib': 'icmp-admin-prohibited',
  'tcp-reset': 'tcp-reset',
  'tcp-rst': 'tcp-reset',
};

const REJECT_V6: Record<string, string> = {
  'icmp6-no-route': 'icmp6-no-route',
  'no-route': 'icmp6-no-route',
  'icmp6-adm-prohibited': 'icmp6-adm-prohibited',
  'adm-prohibited': 'icmp6-adm-prohibited',
  'icmp6-addr-unreachable': 'icmp6-addr-unreachable',
  'addr-unreach': 'icmp6-addr-unreachable',
  'icmp6-port-unreachable': 'icmp6-port-unreachable',
  'port-unreach': 'icmp6-port-unreachable',
  'icmp6-policy-fail': 'icmp6-policy-fail',
  'policy-fail': 'icmp6-policy-fail',
  'icmp6-reject-route': 'icmp6-reject-route',
  'reject-route': 'icmp6-reject-route',
  'tcp-reset': 'tcp-reset',
  'tcp-rst': 'tcp-reset',
};

function lookup(table: Record<string, string>, key: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

interface RejectState {
  with?: string;
}

const REJECT_TARGET: ExtensionSpec<RejectState, Target> = {
  options: optionMap<RejectState>({
    '--reject-with': {
      args: 1,
      neg: false,
      apply(s, _neg, a, _b, ctx) {
        const own = lookup(ctx.family === 'ipv6' ? REJECT_V6 : REJECT_V4, a);
        if (own !== undefined) {
          s.with = own;
          return undefined;
        }
        const other = lookup(ctx.family === 'ipv6' ? REJECT_V4 : REJECT_V6, a);
        if (other !== undefined && !ctx.familyKnown) {
          ctx.family = ctx.family === 'ipv6' ? 'ipv4' : 'ipv6';
          ctx.familyKnown = true;
          s.with = other;
          return undefined;
        }
        return `bad --reject-with \`${a}' for ${ctx.family}`;
      },
    },
  }),
  create: () => ({}),
  finish: (s, _raw, ctx) => ({
    t: 'REJECT',
    with: s.with ?? (ctx.family === 'ipv6' ? 'icmp6-port-unreachable' : 'icmp-port-unreachable'),
  }),
};

type RawName = 'LOG' | 'NFLOG' | 'TRACE' | 'CHECKSUM' | 'TCPMSS' | 'NFQUEUE';

/** Targets kept as raw option text; `names` lists options as `--a|--b` per arity. */
function rawTarget(t: RawName, zero: string, one: string): ExtensionSpec<object, Target> {
  const def: Record<string, OptionSpec<object>> = {};
  if (zero) def[zero] = { args: 0, neg: false };
  if (one) def[one] = { args: 1, neg: false };
  return { options: optionMap(def), create: () => ({}), finish: (_s, raw) => ({ t, raw }) };
}

interface CtState {
  notrack: boolean;
}

const CT_TARGET: ExtensionSpec<CtState, Target> = {
  options: optionMap<CtState>({
    '--notrack': { args: 0, neg: false, apply: (s) => void (s.notrack = true) },
    '--helper|--ctevents|--expevents|--zone|--zone-orig|--zone-reply|--timeout': { args: 1, neg: false },
  }),
  create: () => ({ notrack: false }),
  finish: (s, raw) => ({ t: 'CT', notrack: s.notrack, raw }),
};

export const TARGET_SPECS: ReadonlyMap<string, AnyTargetSpec> = new Map<string, AnyTargetSpec>([
  ['ACCEPT', erase(verdict('ACCEPT'))],
  ['DROP', erase(verdict('DROP'))],
  ['RETURN', erase(verdict('RETURN'))],
  ['QUEUE', erase(verdict('QUEUE'))],
  ['NOTRACK', erase(verdict('NOTRACK'))],
  ['REJECT', erase(REJECT_TARGET)],
  ['DNAT', erase(DNAT_TARGET)],
  ['SNAT', erase(SNAT_TARGET)],
  ['MASQUERADE', erase(MASQUERADE_TARGET)],
  ['REDIRECT', erase(REDIRECT_TARGET)],
  ['MARK', erase(MARK_TARGET)],
  ['CONNMARK', erase(CONNMARK_TARGET)],
  ['CT', erase(CT_TARGET)],
  [
    'LOG',
    erase(
      rawTarget(
        'LOG',
        '--log-tcp-sequence|--log-tcp-options|--log-ip-options|--log-uid|--log-macdecode',
        '--log-level|--log-prefix',
      ),
    ),
  ],
  [
    'NFLOG',
    erase(
      rawTarget('NFLOG', '', '--nflog-group|--nflog-prefix|--nflog-range|--nflog-size|--nflog-threshold'),
    ),
  ],
  ['TRACE', erase(rawTarget('TRACE', '', ''))],
  ['CHECKSUM', erase(rawTarget('CHECKSUM', '--checksum-fill', ''))],
  ['TCPMSS', erase(rawTarget('TCPMSS', '--clamp-mss-to-pmtu', '--set-mss'))],
  [
    'NFQUEUE',
    erase(
      rawTarget('NFQUEUE', '--queue-bypass|--fail-open|--queue-cpu-fanout', '--queue-num|--queue-balance'),
    ),
  ],
]);

/**
 * Target extensions of iptables 1.8 that the model does not represent: `-j NAME` with one
 * of these is kept as `{ t: 'unsupported' }`, not taken for a jump to a missing chain.
 */
export const UNMODELLED_TARGETS: ReadonlySet<string> = new Set([
  'AUDIT',
  'CLASSIFY',
  'CLUSTERIP',
  'CONNSECMARK',
  'DNPT',
  'DSCP',
  'ECN',
  'HL',
  'HMARK',
  'IDLETIMER',
  'IMQ',
  'LED',
  'MIRROR',
  'NETMAP',
  'RATEEST',
  'SAME',
  'SECMARK',
  'SET',
  'SNPT',
  'SYNPROXY',
  'TCPOPTSTRIP',
  'TEE',
  'TOS',
  'TPROXY',
  'TTL',
  'ULOG',
  'NETFLOW',
  'XT_NAT',
]);
