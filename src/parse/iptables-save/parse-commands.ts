/**
 * @module parse/iptables-save/parse-commands
 * Command lines inside a table, as iptables-restore passes them to `do_command4()`:
 * `-A`/`-I` (rules, optionally prefixed by `[packets:bytes]`), `-N`, `-P` (with the
 * `-c packets bytes` of `iptables -S -v`), `-F`, `-X`, `-Z`. `-D`, `-R`, `-E` are reported
 * as unsupported and ignored.
 */
import type { Chain } from '../../model/iptables.js';
import { isBuiltinChain } from './builtin-chains.js';
import type { DocumentState } from './document-state.js';
import { report } from './parse-context.js';
import { parseCounter, parseCounters } from './parse-number.js';
import type { TableBuilder } from './table-builder.js';
import { tokenizeInto } from './tokenize-rule.js';

/** A line starting with `-` or `[` at column col (0-based). */
export function commandLine(st: DocumentState, line: string, col: number): void {
  const ctx = st.ctx;
  const buf = st.buf;
  tokenizeInto(line, col, buf);
  if (buf.unterminatedAt >= 0) report(ctx, 'SYNTAX', 'unterminated quote', buf.unterminatedAt + 1);
  let k = 0;
  let counters: { packets: number; bytes: number } | null = null;
  if (buf.count > 0 && buf.values[0]?.charCodeAt(0) === 91 /* [ */) {
    counters = parseCounters(buf.values[0] as string);
    if (!counters)
      report(ctx, 'BAD_VALUE', `bad counters \`${buf.values[0]}' (expected [packets:bytes])`, col + 1);
    k = 1;
  }
  const t = st.table;
  if (!t) {
    if (!st.skipping) report(ctx, 'SYNTAX', 'rule outside a table (no *table line before it)', col + 1);
    return;
  }
  if (k >= buf.count) {
    report(ctx, 'SYNTAX', 'counters without a command', col + 1);
    return;
  }
  const cmd = buf.values[k] as string;
  const cmdCol = (buf.starts[k] as number) + 1;
  const chainName = k + 1 < buf.count ? (buf.values[k + 1] as string) : undefined;
  const chainCol = k + 1 < buf.count ? (buf.starts[k + 1] as number) + 1 : cmdCol;
  switch (cmd) {
    case '-A':
    case '--append':
    case '-I':
    case '--insert':
      if (chainName === undefined) report(ctx, 'SYNTAX', `\`${cmd}' needs a chain name`, cmdCol);
      else addRule(st, t, line, k, chainName, chainCol, cmd === '-I' || cmd === '--insert', counters);
      return;
    case '-N':
    case '--new-chain':
      if (chainName === undefined) report(ctx, 'SYNTAX', '`-N` needs a chain name', cmdCol);
      else if (!st.validChainName(chainName, chainCol)) return;
      else if (t.hasChain(chainName) || isBuiltinChain(t.table.name, chainName)) {
        report(ctx, 'DUPLICATE', `chain ${chainName} already exists`, chainCol);
      } else t.add({ name: chainName, builtin: false, rules: [], line: ctx.line });
      return;
    case '-P':
    case '--policy':
      setPolicy(st, t, k);
      return;
    case '-X':
    case '--delete-chain':
    case '-F':
    case '--flush':
      flushOrDelete(st, t, cmd === '-X' || cmd === '--delete-chain', chainName, chainCol);
      return;
    case '-Z':
    case '--zero':
      return;
    case '-D':
    case '--delete':
    case '-R':
    case '--replace':
    case '-E':
    case '--rename-chain':
      report(ctx, 'UNSUPPORTED', `command \`${cmd}' is not modelled; the line is ignored`, cmdCol);
      return;
    default:
      report(ctx, 'SYNTAX', `unknown command \`${cmd}'`, cmdCol);
  }
}

/** `-A CHAIN rule` / `-I CHAIN [n] rule`. */
function addRule(
  st: DocumentState,
  t: TableBuilder,
  line: string,
  k: number,
  chainName: string,
  chainCol: number,
  insert: boolean,
  counters: { packets: number; bytes: number } | null,
): void {
  const buf = st.buf;
  const chain = chainForRule(st, t, chainName, chainCol);
  let from = k + 2;
  let at = -1;
  if (insert) {
    at = 0;
    const v = from < buf.count ? (buf.values[from] as string) : '';
    if (/^[0-9]+$/.test(v) && !buf.quoted[from]) {
      at = Number(v) - 1;
      if (at < 0 || at > chain.rules.length) {
        report(
          st.ctx,
          'BAD_VALUE',
          `rule number ${v} is out of range for ${chainName} (${chain.rules.length} rules)`,
          (buf.starts[from] as number) + 1,
        );
        at = Math.max(0, Math.min(at, chain.rules.length));
      }
      from++;
    }
  }
  const rule = st.rules.parse(line, buf, from);
  if (counters) rule.counters = counters;
  if (at < 0) chain.rules.push(rule);
  else chain.rules.splice(at, 0, rule);
}

/** The chain an `-A`/`-I` goes to; declared implicitly (with a diagnostic for user chains). */
function chainForRule(st: DocumentState, t: TableBuilder, name: string, column: number): Chain {
  const last = st.lastChain;
  if (last !== null && st.lastTable === t && last.name === name) return last;
  st.lastTable = t;
  const found = t.get(name);
  if (found) return (st.lastChain = found);
  const builtin = isBuiltinChain(t.table.name, name);
  if (!builtin) {
    report(
      st.ctx,
      'UNKNOWN_CHAIN',
      `rule for chain \`${name}' that is not declared in table ${t.table.name}; kept`,
      column,
    );
  }
  // a built-in chain exists in the kernel without a declaration (iptables-restore --noflush
  // input, as kube-proxy writes it); its policy is then the kernel's default, ACCEPT
  const chain: Chain = { name, builtin, rules: [], line: st.ctx.line };
  if (builtin) chain.policy = 'ACCEPT';
  return (st.lastChain = t.add(chain));
}

/** `-P CHAIN ACCEPT|DROP [-c packets bytes]`. */
function setPolicy(st: DocumentState, t: TableBuilder, k: number): void {
  const ctx = st.ctx;
  const buf = st.buf;
  if (k + 2 >= buf.count) {
    report(ctx, 'SYNTAX', '`-P` needs a chain and a policy', (buf.starts[k] as number) + 1);
    return;
  }
  const name = buf.values[k + 1] as string;
  const p = buf.values[k + 2] as string;
  if (!isBuiltinChain(t.table.name, name)) {
    report(
      ctx,
      'BAD_VALUE',
      `\`${name}' is not a built-in chain of table ${t.table.name}; only those have a policy`,
      (buf.starts[k + 1] as number) + 1,
    );
    return;
  }
  if (p !== 'ACCEPT' && p !== 'DROP') {
    report(ctx, 'BAD_VALUE', `bad policy \`${p}' (ACCEPT or DROP)`, (buf.starts[k + 2] as number) + 1);
    return;
  }
  let chain = t.get(name);
  if (!chain) chain = t.add({ name, builtin: true, rules: [], line: ctx.line });
  chain.policy = p;
  if (k + 3 < buf.count && buf.values[k + 3] === '-c') {
    const packets = k + 4 < buf.count ? parseCounter(buf.values[k + 4] as string) : -1;
    const bytes = k + 5 < buf.count ? parseCounter(buf.values[k + 5] as string) : -1;
    if (packets >= 0 && bytes >= 0) chain.counters = { packets, bytes };
    else report(ctx, 'BAD_VALUE', 'bad counters after `-c`', (buf.starts[k + 3] as number) + 1);
  }
}

/** `-F [CHAIN]` / `-X [CHAIN]`. */
function flushOrDelete(
  st: DocumentState,
  t: TableBuilder,
  del: boolean,
  name: string | undefined,
  column: number,
): void {
  if (del) st.lastChain = null;
  if (name === undefined) {
    if (del) for (const c of t.userChains()) t.remove(c);
    else for (const c of t.chains()) c.rules.length = 0;
    return;
  }
  const chain = t.get(name);
  if (!chain) {
    // with --noflush the chain may exist in the kernel; the model cannot know
    report(
      st.ctx,
      'UNKNOWN_CHAIN',
      `\`${del ? '-X' : '-F'} ${name}': chain not declared in table ${t.table.name}`,
      column,
      'warning',
    );
    return;
  }
  if (!del) chain.rules.length = 0;
  else if (chain.builtin) report(st.ctx, 'BAD_VALUE', `built-in chain ${name} cannot be deleted`, column);
  else t.remove(name);
}
