/**
 * @module parse/iptables-save/parse-document
 * The line loop shared by both entry points, modelled on `ip[6]tables_restore_main()`:
 * `*table` opens a table, `:CHAIN POLICY [pkts:bytes]` declares a chain, command lines
 * (`-A`, `-I`, `-N`, `-P`, `-X`, `-F`, optionally prefixed by `[pkts:bytes]`) change it,
 * `COMMIT` closes it. `iptables -S` output is the same command language for one table
 * without `*table`/`COMMIT`.
 *
 * One pass over the text; lines are found with indexOf, each rule is tokenised into a
 * reused buffer. Lines longer than MAX_LINE are reported and not tokenised, binary data
 * or another format stops the parse with WRONG_FORMAT.
 */
import type { Chain, Ruleset, TableName } from '../../model/iptables.js';
import type { ParseResult } from '../diagnostic.js';
import { isBuiltinChain, isTableName, MAX_CHAIN_NAME } from './builtin-chains.js';
import { firstBinaryOffset, otherFormat } from './detect-format.js';
import { internTable } from './intern-words.js';
import { createContext, report, type ParseContext } from './parse-context.js';
import { isLegacyTablesWarning, parseGeneratedBy } from './parse-header.js';
import { parseCounter, parseCounters } from './parse-number.js';
import { RuleParser } from './parse-rule.js';
import { TableBuilder } from './table-builder.js';
import { createTokenBuffer, tokenizeInto, type TokenBuffer } from './tokenize-rule.js';

/** iptables-restore reads lines into a 10 KiB buffer; 64 KiB is far beyond any real rule. */
export const MAX_LINE = 65536;

export interface ParseOptions {
  family?: 'ipv4' | 'ipv6';
}

type Mode = 'save' | 'list';

class DocumentParser {
  readonly ctx: ParseContext;
  readonly ruleset: Ruleset;
  private readonly mode: Mode;
  private readonly buf: TokenBuffer = createTokenBuffer(internTable());
  private table: TableBuilder | null = null;
  /** inside `*unknown` ... COMMIT: lines are skipped without further errors */
  private skipping = false;
  private readonly rules: RuleParser;
  /** cache of the chain the previous rule went to (cleared when a chain is deleted) */
  private lastChain: Chain | null = null;
  private lastTable: TableBuilder | null = null;
  private readonly lookup = {
    hasChain: (name: string) => this.table !== null && this.table.hasChain(name),
    jumpTo: (chain: string, line: number, column: number) => this.table?.jumpTo(chain, line, column),
  };

  constructor(mode: Mode, opts: ParseOptions | undefined) {
    this.mode = mode;
    this.ctx = createContext(opts?.family);
    this.ruleset = { family: this.ctx.family, backend: 'unknown', tables: {} };
    this.rules = new RuleParser(this.ctx, this.lookup);
  }

  run(text: string, listTable?: TableName): ParseResult<Ruleset> {
    const ctx = this.ctx;
    if (listTable) this.openTable(listTable, 0);
    const bad = firstBinaryOffset(text);
    const len = text.length;
    let pos = 0;
    let lineNo = 0;
    let meaningful = false;
    let stopped = false;
    while (pos <= len) {
      let end = text.indexOf('\n', pos);
      if (end < 0) end = len;
      lineNo++;
      ctx.line = lineNo;
      if (bad >= pos && bad <= end) {
        report(ctx, 'WRONG_FORMAT', 'binary data (NUL byte or invalid UTF-8), not iptables-save text', bad - pos + 1);
        stopped = true;
        break;
      }
      let e = end;
      if (e > pos && text.charCodeAt(e - 1) === 13) e--;
      if (e - pos > MAX_LINE) {
        report(ctx, 'SYNTAX', `line of ${e - pos} characters is longer than ${MAX_LINE}; not parsed`, 1);
      } else {
        let s = pos;
        while (s < e && (text.charCodeAt(s) === 32 || text.charCodeAt(s) === 9)) s++;
        if (s < e) {
          const line = text.slice(pos, e);
          const col = s - pos;
          const first = line.charCodeAt(col);
          if (first === 35 /* # */) this.comment(line, col, lineNo);
          else {
            if (!meaningful) {
              meaningful = true;
              const why = otherFormat(line.slice(col));
              if (why !== undefined) {
                report(ctx, 'WRONG_FORMAT', `this is ${why}`, col + 1);
                stopped = true;
                break;
              }
            }
            this.statement(line, col, first);
          }
        }
      }
      if (end >= len) break;
      pos = end + 1;
    }
    if (!stopped) this.finish(lineNo, meaningful);
    this.ruleset.family = ctx.family;
    return { value: this.ruleset, diagnostics: ctx.diagnostics };
  }

  private finish(lastLine: number, meaningful: boolean): void {
    const ctx = this.ctx;
    if (this.table) {
      if (this.mode === 'save') {
        report(ctx, 'UNEXPECTED_EOF', `table ${this.table.table.name} (line ${this.table.table.line}) has no COMMIT`, 0, 'error', lastLine);
      }
      this.table.checkJumps(ctx);
      this.table = null;
    } else if (this.skipping) {
      report(ctx, 'UNEXPECTED_EOF', 'unknown table has no COMMIT', 0, 'error', lastLine);
    }
    if (!meaningful) report(ctx, 'EMPTY', 'no tables, chains or rules in the input', 0, 'warning', 0);
  }

  private comment(line: string, col: number, lineNo: number): void {
    const text = col === 0 ? line : line.slice(col);
    if (lineNo === 1 && text.startsWith('#!')) {
      const why = otherFormat(text);
      if (why !== undefined) {
        report(this.ctx, 'WRONG_FORMAT', `this is ${why}`, col + 1);
        return;
      }
    }
    if (text.length < 12) return;
    const h = parseGeneratedBy(text);
    if (h) {
      if (this.ruleset.backend === 'unknown') this.ruleset.backend = h.backend;
      if (this.ruleset.version === undefined) this.ruleset.version = h.version;
      if (!this.ctx.familyKnown) {
        this.ctx.family = h.family;
        this.ctx.familyKnown = true;
      }
    } else if (isLegacyTablesWarning(text)) this.ruleset.legacyTablesPresent = true;
  }

  private statement(line: string, col: number, first: number): void {
    if (first === 42 /* * */ || first === 58 /* : */ || (first === 67 /* C */ && line.slice(col).trimEnd() === 'COMMIT')) {
      if (this.mode === 'list') {
        report(this.ctx, 'SYNTAX', 'iptables-save syntax in `iptables -S` input (parse it as iptables-save)', col + 1);
        return;
      }
      if (first === 42) this.tableLine(line, col);
      else if (first === 58) this.chainLine(line, col);
      else this.commit(col);
      return;
    }
    if (first === 45 /* - */ || first === 91 /* [ */) {
      this.command(line, col);
      return;
    }
    if (this.skipping) return;
    report(this.ctx, 'SYNTAX', `unexpected line (expected ${this.mode === 'save' ? '*table, :CHAIN, -A or COMMIT' : '-P, -N or -A'})`, col + 1);
  }

  // ---- *table, :CHAIN, COMMIT ------------------------------------------------------------

  private openTable(name: TableName, line: number): void {
    const ctx = this.ctx;
    if (this.ruleset.tables[name]) report(ctx, 'DUPLICATE', `table ${name} appears twice; the later one replaces it (as iptables-restore commits it last)`, 1);
    this.table = new TableBuilder(name, line);
    this.ruleset.tables[name] = this.table.table;
  }

  private tableLine(line: string, col: number): void {
    const ctx = this.ctx;
    const rest = line.slice(col + 1);
    const m = /^\S*/.exec(rest);
    const name = m ? m[0] : '';
    if (this.table) {
      report(ctx, 'SYNTAX', `table ${this.table.table.name} (line ${this.table.table.line}) has no COMMIT before *${name}`, col + 1);
      this.table.checkJumps(ctx);
      this.table = null;
    }
    this.skipping = false;
    if (!isTableName(name)) {
      report(ctx, 'BAD_VALUE', `unknown table \`${name}' (filter, nat, mangle, raw, security); skipped up to its COMMIT`, col + 2);
      this.skipping = true;
      return;
    }
    this.openTable(name, ctx.line);
  }

  private chainLine(line: string, col: number): void {
    const ctx = this.ctx;
    const t = this.table;
    if (!t) {
      if (!this.skipping) report(ctx, 'SYNTAX', 'chain declaration outside a table (no *table line before it)', col + 1);
      return;
    }
    const buf = this.buf;
    tokenizeInto(line, col + 1, buf);
    if (buf.count === 0 || buf.starts[0] !== col + 1) {
      report(ctx, 'SYNTAX', 'missing chain name after `:`', col + 1);
      return;
    }
    const name = buf.values[0] as string;
    if (!this.validChainName(name, col + 2)) return;
    const builtin = isBuiltinChain(t.table.name, name);
    let policy: Chain['policy'];
    if (buf.count < 2) report(ctx, 'SYNTAX', `missing policy for chain ${name}`, (buf.ends[0] as number) + 1);
    else {
      const p = buf.values[1] as string;
      const pcol = (buf.starts[1] as number) + 1;
      if (builtin) {
        if (p === 'ACCEPT' || p === 'DROP') policy = p;
        else report(ctx, 'BAD_VALUE', `bad policy \`${p}' for built-in chain ${name} (ACCEPT or DROP)`, pcol);
      } else if (p !== '-') report(ctx, 'BAD_VALUE', `user chain ${name} cannot have a policy (\`${p}'); write \`-'`, pcol);
    }
    let counters: Chain['counters'];
    if (buf.count >= 3) {
      const c = parseCounters(buf.values[2] as string);
      if (c) counters = c;
      else report(ctx, 'BAD_VALUE', `bad counters \`${buf.values[2]}' (expected [packets:bytes])`, (buf.starts[2] as number) + 1);
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

  private commit(col: number): void {
    if (this.table) {
      this.table.checkJumps(this.ctx);
      this.table = null;
    } else if (this.skipping) this.skipping = false;
    else report(this.ctx, 'SYNTAX', 'COMMIT outside a table', col + 1);
  }

  private validChainName(name: string, column: number): boolean {
    if (name === '' || name.charCodeAt(0) === 45 || name === '!') {
      report(this.ctx, 'BAD_VALUE', `bad chain name \`${name}'`, column);
      return false;
    }
    if (name.length > MAX_CHAIN_NAME) {
      report(this.ctx, 'BAD_VALUE', `chain name \`${name}' is longer than ${MAX_CHAIN_NAME} characters`, column);
    }
    return true;
  }

  // ---- commands ------------------------------------------------------------------------

  private command(line: string, col: number): void {
    const ctx = this.ctx;
    const buf = this.buf;
    tokenizeInto(line, col, buf);
    if (buf.unterminatedAt >= 0) report(ctx, 'SYNTAX', 'unterminated quote', buf.unterminatedAt + 1);
    let k = 0;
    let counters: { packets: number; bytes: number } | null = null;
    if (buf.values[0]?.charCodeAt(0) === 91 /* [ */) {
      counters = parseCounters(buf.values[0]);
      if (!counters) report(ctx, 'BAD_VALUE', `bad counters \`${buf.values[0]}' (expected [packets:bytes])`, col + 1);
      k = 1;
    }
    const t = this.table;
    if (!t) {
      if (!this.skipping) report(ctx, 'SYNTAX', 'rule outside a table (no *table line before it)', col + 1);
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
      case '--insert': {
        if (chainName === undefined) {
          report(ctx, 'SYNTAX', `\`${cmd}' needs a chain name`, cmdCol);
          return;
        }
        const chain = this.chainForRule(t, chainName, chainCol);
        let from = k + 2;
        let at = -1;
        if (cmd === '-I' || cmd === '--insert') {
          at = 0;
          const v = from < buf.count ? (buf.values[from] as string) : '';
          if (/^[0-9]+$/.test(v) && !buf.quoted[from]) {
            at = Number(v) - 1;
            if (at < 0 || at > chain.rules.length) {
              report(ctx, 'BAD_VALUE', `rule number ${v} is out of range for ${chainName} (${chain.rules.length} rules)`, (buf.starts[from] as number) + 1);
              at = Math.max(0, Math.min(at, chain.rules.length));
            }
            from++;
          }
        }
        const rule = this.rules.parse(line, buf, from);
        if (counters) rule.counters = counters;
        if (at < 0) chain.rules.push(rule);
        else chain.rules.splice(at, 0, rule);
        return;
      }
      case '-N':
      case '--new-chain':
        if (chainName === undefined) report(ctx, 'SYNTAX', '`-N` needs a chain name', cmdCol);
        else if (!this.validChainName(chainName, chainCol)) return;
        else if (t.hasChain(chainName) || isBuiltinChain(t.table.name, chainName)) {
          report(ctx, 'DUPLICATE', `chain ${chainName} already exists`, chainCol);
        } else t.add({ name: chainName, builtin: false, rules: [], line: ctx.line });
        return;
      case '-P':
      case '--policy':
        this.policy(t, k);
        return;
      case '-X':
      case '--delete-chain':
      case '-F':
      case '--flush':
        this.flushOrDelete(t, cmd === '-X' || cmd === '--delete-chain', chainName, chainCol);
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

  /** The chain an `-A`/`-I` goes to; declared implicitly (with a diagnostic for user chains). */
  private chainForRule(t: TableBuilder, name: string, column: number): Chain {
    // iptables-save groups the rules of a chain: most lookups hit the previous chain
    const last = this.lastChain;
    if (last !== null && this.lastTable === t && last.name === name) return last;
    const found = t.get(name);
    this.lastTable = t;
    if (found) return (this.lastChain = found);
    const builtin = isBuiltinChain(t.table.name, name);
    if (!builtin) {
      report(this.ctx, 'UNKNOWN_CHAIN', `rule for chain \`${name}' that is not declared in table ${t.table.name}; kept`, column);
    }
    // a built-in chain exists in the kernel without a declaration (iptables-restore --noflush
    // input, as kube-proxy writes it); its policy is then the kernel's default, ACCEPT
    const chain: Chain = { name, builtin, rules: [], line: this.ctx.line };
    if (builtin) chain.policy = 'ACCEPT';
    return (this.lastChain = t.add(chain));
  }

  private policy(t: TableBuilder, k: number): void {
    const ctx = this.ctx;
    const buf = this.buf;
    const name = buf.values[k + 1];
    const p = buf.values[k + 2];
    if (name === undefined || p === undefined) {
      report(ctx, 'SYNTAX', '`-P` needs a chain and a policy', (buf.starts[k] as number) + 1);
      return;
    }
    if (!isBuiltinChain(t.table.name, name)) {
      report(ctx, 'BAD_VALUE', `\`${name}' is not a built-in chain of table ${t.table.name}; only those have a policy`, (buf.starts[k + 1] as number) + 1);
      return;
    }
    if (p !== 'ACCEPT' && p !== 'DROP') {
      report(ctx, 'BAD_VALUE', `bad policy \`${p}' (ACCEPT or DROP)`, (buf.starts[k + 2] as number) + 1);
      return;
    }
    let chain = t.get(name);
    if (!chain) chain = t.add({ name, builtin: true, rules: [], line: ctx.line });
    chain.policy = p;
    // `iptables -S -v` appends `-c packets bytes`
    if (buf.values[k + 3] === '-c' && k + 5 < buf.count) {
      const packets = parseCounter(buf.values[k + 4] ?? '');
      const bytes = parseCounter(buf.values[k + 5] ?? '');
      if (packets >= 0 && bytes >= 0) chain.counters = { packets, bytes };
      else report(ctx, 'BAD_VALUE', 'bad counters after `-c`', (buf.starts[k + 3] as number) + 1);
    }
  }

  private flushOrDelete(t: TableBuilder, del: boolean, name: string | undefined, column: number): void {
    if (del) this.lastChain = null;
    if (name === undefined) {
      if (del) for (const c of t.userChains()) t.remove(c);
      else for (const c of t.chains()) c.rules.length = 0;
      return;
    }
    const chain = t.get(name);
    if (!chain) {
      // with --noflush the chain may exist in the kernel; the model cannot know
      report(this.ctx, 'UNKNOWN_CHAIN', `\`${del ? '-X' : '-F'} ${name}': chain not declared in table ${t.table.name}`, column, 'warning');
      return;
    }
    if (!del) chain.rules.length = 0;
    else if (chain.builtin) report(this.ctx, 'BAD_VALUE', `built-in chain ${name} cannot be deleted`, column);
    else t.remove(name);
  }
}

/** Parses `iptables-save` / `iptables-restore` text. */
export function parseSaveText(text: string, opts?: ParseOptions): ParseResult<Ruleset> {
  return new DocumentParser('save', opts).run(text);
}

/** Parses `iptables [-t TABLE] -S` output for one table. */
export function parseListText(text: string, table: TableName, opts?: ParseOptions): ParseResult<Ruleset> {
  return new DocumentParser('list', opts).run(text, table);
}
