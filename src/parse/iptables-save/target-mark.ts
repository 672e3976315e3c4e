/**
 * @module parse/iptables-save/target-mark
 * MARK and CONNMARK (libxt_MARK.c, libxt_CONNMARK.c). Every MARK spelling becomes the
 * one operation the kernel runs, `mark_tg()`: `skb->mark = (skb->mark & ~mask) ^ value`
 * (`mark_tg_parse()` rev 2: `--set-mark v/m` = xmark v/(m|v), `--and-mark m` = 0/~m,
 * `--or-mark m` = m/m, `--xor-mark m` = m/0). CONNMARK `connmark_tg()`:
 * set: `ct = (ct & ~ctmask) ^ value`; save: `ct = (ct & ~ctmask) ^ (skb & nfmask)`;
 * restore: `skb = (skb & ~nfmask) ^ (ct & ctmask)` — the model keeps one mask, so save and
 * restore with different nfmask and ctmask are unsupported.
 */
import type { MarkOp, Target } from '../../model/iptables.js';
import { optionMap, type ExtensionSpec, type OptionSpec } from './extension-spec.js';
import { parseUintBase0, parseValueMask } from './parse-number.js';

type MarkVerb = 'set-xmark' | 'set-mark' | 'and-mark' | 'or-mark' | 'xor-mark';

/** One MARK/CONNMARK verb and its argument -> the xmark operation; string on error. */
export function toMarkOp(verb: MarkVerb, arg: string): MarkOp | string {
  if (verb === 'set-xmark' || verb === 'set-mark') {
    const vm = parseValueMask(arg);
    if (vm === null) return `bad mark \`${arg}' (value[/mask])`;
    return verb === 'set-xmark' ? vm : { value: vm.value, mask: (vm.mask | vm.value) >>> 0 };
  }
  const v = parseUintBase0(arg);
  if (v < 0) return `bad mark \`${arg}'`;
  if (verb === 'and-mark') return { value: 0, mask: ~v >>> 0 };
  if (verb === 'or-mark') return { value: v, mask: v };
  return { value: v, mask: 0 };
}

interface MarkState {
  op?: MarkOp;
}

function markVerb(verb: MarkVerb): OptionSpec<MarkState> {
  return {
    args: 1,
    neg: false,
    apply(s, _neg, a) {
      if (s.op) return 'MARK takes one operation';
      const op = toMarkOp(verb, a);
      if (typeof op === 'string') return op;
      s.op = op;
      return undefined;
    },
  };
}

export const MARK_TARGET: ExtensionSpec<MarkState, Target> = {
  options: optionMap<MarkState>({
    '--set-xmark': markVerb('set-xmark'),
    '--set-mark': markVerb('set-mark'),
    '--and-mark': markVerb('and-mark'),
    '--or-mark': markVerb('or-mark'),
    '--xor-mark': markVerb('xor-mark'),
  }),
  create: () => ({}),
  finish: (s) =>
    s.op
      ? { t: 'MARK', op: s.op }
      : 'MARK needs --set-xmark, --set-mark, --and-mark, --or-mark or --xor-mark',
};

interface ConnmarkState {
  op?: 'set' | 'save' | 'restore';
  set?: MarkOp;
  nfmask?: number;
  ctmask?: number;
}

function connmarkVerb(verb: MarkVerb): OptionSpec<ConnmarkState> {
  return {
    args: 1,
    neg: false,
    apply(s, _neg, a) {
      if (s.op) return 'CONNMARK takes one operation';
      const op = toMarkOp(verb, a);
      if (typeof op === 'string') return op;
      s.op = 'set';
      s.set = op;
      return undefined;
    },
  };
}

function connmarkMove(op: 'save' | 'restore'): OptionSpec<ConnmarkState> {
  return {
    args: 0,
    neg: false,
    apply(s) {
      if (s.op) return 'CONNMARK takes one operation';
      s.op = op;
      return undefined;
    },
  };
}

function maskOpt(which: 'nfmask' | 'ctmask' | 'both'): OptionSpec<ConnmarkState> {
  return {
    args: 1,
    neg: false,
    apply(s, _neg, a) {
      const v = parseUintBase0(a);
      if (v < 0) return `bad mask \`${a}'`;
      if (which !== 'ctmask') s.nfmask = v;
      if (which !== 'nfmask') s.ctmask = v;
      return undefined;
    },
  };
}

export const CONNMARK_TARGET: ExtensionSpec<ConnmarkState, Target> = {
  options: optionMap<ConnmarkState>({
    '--set-xmark': connmarkVerb('set-xmark'),
    '--set-mark': connmarkVerb('set-mark'),
    '--and-mark': connmarkVerb('and-mark'),
    '--or-mark': connmarkVerb('or-mark'),
    '--xor-mark': connmarkVerb('xor-mark'),
    '--save-mark': connmarkMove('save'),
    '--restore-mark': connmarkMove('restore'),
    '--nfmask': maskOpt('nfmask'),
    '--ctmask': maskOpt('ctmask'),
    '--mask': maskOpt('both'),
  }),
  create: () => ({}),
  finish(s, raw) {
    if (s.op === undefined)
      return 'CONNMARK needs --set-xmark, --set-mark, --save-mark or --restore-mark (or --and/--or/--xor-mark)';
    if (s.op === 'set') {
      if (s.nfmask !== undefined || s.ctmask !== undefined)
        return '--nfmask/--ctmask/--mask go with --save-mark or --restore-mark';
      const op = s.set as MarkOp;
      return { t: 'CONNMARK', op: 'set', value: op.value, mask: op.mask, raw };
    }
    const nf = s.nfmask ?? 0xffffffff;
    const ct = s.ctmask ?? 0xffffffff;
    if (nf !== ct)
      return {
        unsupported: `CONNMARK --${s.op}-mark with --nfmask 0x${nf.toString(16)} != --ctmask 0x${ct.toString(16)} is not modelled`,
      };
    return { t: 'CONNMARK', op: s.op, mask: nf, raw };
  },
};
