/**
 * @module parse/iptables-save/parse-declarations
 * The iptables-save structure lines (`ip[6]tables_restore_main()`): `*table` opens a
 * table, `:CHAIN POLICY [packets:bytes]` declares a chain (built-in chains carry ACCEPT or
 * DROP, user chains `-`), `COMMIT` closes the table.
 */
import type { Chain } from '../../model/iptables.js';
import { isBuiltinChain, isTableName } from './builtin-chains.js';
import type { DocumentState } from './document-state.js';
import { report } from './parse-context.js';
import { parseCounters } from './parse-number.js';
import { tokenizeInto } from './tokenize-rule.js';

/** `*table` at column col (0-based). */
export function tableLine(st: DocumentState, line: string, col: number): void {
  const ctx = st.ctx;
  const m = /^\S*/.exec(line.slice(col + 1));
  const name = m ? m[0] : '';
  if (st.table) {
    report(
      ctx,
      'SYNTAX',
      `table ${st.table.table.name} (line ${st.table.table.line}) has no COMMIT before *${name}`,
      col + 1,
    );
    st.closeTable();
  }
  st.skipping = false;
  if (!isTableName(name)) {
    report(
      ctx,
      'BAD_VALUE',
      `unknown table \`${name}' (filter, nat, mangle, raw, security); skipped up to its COMMIT`,
      col + 2,
    );
    st.skipping = true;
    return;
  }
  st.openTable(name, ctx.line);
}

/** `:CHAIN POLICY [packets:bytes]`. */
export function chainLine(st: DocumentState, line: string, col: number): void {
  const ctx = st.ctx;
  const t = st.table;
  if (!t) {
    if (!st.skipping)
      report(ctx, 'SYNTAX', 'chain declaration outside a table (no *table line before it)', col + 1);
    return;
  }
  const buf = st.buf;
  tokenizeInto(line, col + 1, buf);
  if (buf.count === 0 || buf.starts[0] !== col + 1) {
    report(ctx, 'SYNTAX', 'missing chain name after `:`', col + 1);
    return;
  }
  const name = buf.values[0] as string;
  if (!st.validChainName(name, col + 2)) return;
  const builtin = isBuiltinChain(t.table.name, name);
  let policy: Chain['policy'];
  if (buf.count < 2) report(ctx, 'SYNTAX', `missing policy for chain ${name}`, (buf.ends[0] as number) + 1);
  else {
    const p = buf.values[1] as string;
    const pcol = (buf.starts[1] as number) + 1;
    if (builtin) {
      if (p === 'ACCEPT' || p === 'DROP') policy = p;
      else report(ctx, 'BAD_VALUE', `bad policy \`${p}' for built-in chain ${name} (ACCEPT or DROP)`, pcol);
    } else if (p !== '-')
      report(ctx, 'BAD_VALUE', `user chain ${name} cannot have a policy (\`${p}'); write \`-'`, pcol);
  }
  let counters: Chain['counters'];
  if (buf.count >= 3) {
    const c = parseCounters(buf.values[2] as string);
    if (c) counters = c;
    else
      report(
        ctx,
        'BAD_VALUE',
        `bad counters \`${buf.values[2]}' (expected [packets:bytes])`,
        (buf.starts[2] as number) + 1,
      );
  }
  const existing = t.get(name);
  if (existing) {
    report(ctx, 'DUPLICATE', `chain ${name} declared twice (first on line ${existing.line})`, col + 1);
    if (policy) existing.policy = policy;
    return;
  }
  const chain: Chain = { name, builtin, rules: [], line: ctx.line };
  if (builtin) chain.policy = policy ?? 'ACCEPT';
  if (counters) chain.counters = counters;
  t.add(chain);
}

/** `COMMIT`. */
export function commitLine(st: DocumentState, col: number): void {
  if (st.table) st.closeTable();
  else if (st.skipping) st.skipping = false;
  else report(st.ctx, 'SYNTAX', 'COMMIT outside a table', col + 1);
}
