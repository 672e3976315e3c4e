/**
 * @module parse/iptables-save/target-nat
 * NAT targets (libxt_DNAT.c, libxt_SNAT.c, libxt_MASQUERADE.c, libxt_REDIRECT.c; kernel
 * `xt_dnat_target_v2()`, `xt_snat_target_v2()`, `masquerade_tg()`, `redirect_tg4()`).
 */
import type { NatRange, Target } from '../../model/iptables.js';
import { optionMap, type ExtensionSpec, type OptionSpec } from './extension-spec.js';
import { parseNatRange } from './parse-nat-range.js';
import { parsePortRange } from './parse-port.js';

interface NatState {
  name: string;
  to?: NatRange;
  toPorts?: { from: number; to: number };
  random: boolean;
  randomFully: boolean;
  persistent: boolean;
}

const TO: OptionSpec<NatState> = {
  args: 1,
  neg: false,
  apply(s, _neg, a, _b, ctx) {
    // several ranges were allowed before Linux 2.6.11 and are not modelled
    if (s.to !== undefined) return `${s.name} takes one --to-${s.name === 'DNAT' ? 'destination' : 'source'}`;
    const r = parseNatRange(a, ctx.family);
    if (!r.ok) return r.reason;
    s.to = r.range;
    return undefined;
  },
};

const TO_PORTS: OptionSpec<NatState> = {
  args: 1,
  neg: false,
  apply(s, _neg, a) {
    const r = parsePortRange(a, '-');
    if (r === null) return `bad port or port range \`${a}'`;
    s.toPorts = r;
    return undefined;
  },
};

const RANDOM: OptionSpec<NatState> = { args: 0, neg: false, apply: (s) => void (s.random = true) };
const RANDOM_FULLY: OptionSpec<NatState> = { args: 0, neg: false, apply: (s) => void (s.randomFully = true) };
const PERSISTENT: OptionSpec<NatState> = { args: 0, neg: false, apply: (s) => void (s.persistent = true) };

function create(name: string): NatState {
  return { name, random: false, randomFully: false, persistent: false };
}

export const DNAT_TARGET: ExtensionSpec<NatState, Target> = {
  options: optionMap<NatState>({ '--to-destination': TO, '--random': RANDOM, '--persistent': PERSISTENT }),
  create,
  finish: (s) =>
    s.to
      ? { t: 'DNAT', to: s.to, random: s.random, persistent: s.persistent }
      : 'DNAT needs --to-destination',
};

export const SNAT_TARGET: ExtensionSpec<NatState, Target> = {
  options: optionMap<NatState>({
    '--to-source': TO,
    '--random': RANDOM,
    '--random-fully': RANDOM_FULLY,
    '--persistent': PERSISTENT,
  }),
  create,
  finish: (s) =>
    s.to
      ? { t: 'SNAT', to: s.to, random: s.random, randomFully: s.randomFully, persistent: s.persistent }
      : 'SNAT needs --to-source',
};

export const MASQUERADE_TARGET: ExtensionSpec<NatState, Target> = {
  options: optionMap<NatState>({
    '--to-ports': TO_PORTS,
    '--random': RANDOM,
    '--random-fully': RANDOM_FULLY,
  }),
  create,
  finish(s) {
    const t: Extract<Target, { t: 'MASQUERADE' }> = {
      t: 'MASQUERADE',
      random: s.random,
      randomFully: s.randomFully,
    };
    if (s.toPorts) t.toPorts = s.toPorts;
    return t;
  },
};

export const REDIRECT_TARGET: ExtensionSpec<NatState, Target> = {
  options: optionMap<NatState>({ '--to-ports': TO_PORTS, '--random': RANDOM }),
  create,
  finish(s) {
    const t: Extract<Target, { t: 'REDIRECT' }> = { t: 'REDIRECT', random: s.random };
    if (s.toPorts) t.toPorts = s.toPorts;
    return t;
  },
};
