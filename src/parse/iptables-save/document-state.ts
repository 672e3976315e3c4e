/**
 * @module parse/iptables-save/document-state
 * What the line handlers of one document share: the result being built, the open table,
 * the token buffer and the rule parser, plus small helpers used by several of them.
 */
import type { Chain, Ruleset, TableName } from '../../model/iptables.js';
import { MAX_CHAIN_NAME } from './builtin-chains.js';
import { internTable } from './intern-words.js';
import { createContext, report, type ParseContext } from './parse-context.js';
import { RuleParser } from './parse-rule.js';
import { TableBuilder } from './table-builder.js';
import { createTokenBuffer, type TokenBuffer } from './tokenize-rule.js';

/** `save`: iptables-save / iptables-restore text; `list`: `iptables -S` of one table. */
export type Mode = 'save' | 'list';

export interface ParseOptions {
  family?: 'ipv4' | 'ipv6';
}

export class DocumentState {
  readonly ctx: ParseContext;
  readonly ruleset: Ruleset;
  readonly mode: Mode;
  readonly buf: TokenBuffer = createTokenBuffer(internTable());
  readonly rules: RuleParser;
  table: TableBuilder | null = null;
  /** inside `*unknown` ... COMMIT: lines are skipped without further errors */
  skipping = false;
  /** the chain the previous rule went to: iptables-save groups a chain's rules */
  lastChain: Chain | null = null;
  lastTable: TableBuilder | null = null;

  constructor(mode: Mode, opts: ParseOptions | undefined) {
    this.mode = mode;
    this.ctx = createContext(opts?.family);
    this.ruleset = { family: this.ctx.family, backend: 'unknown', tables: {} };
    this.rules = new RuleParser(this.ctx, {
      hasChain: (name) => this.table !== null && this.table.hasChain(name),
      jumpTo: (chain, line, column) => this.table?.jumpTo(chain, line, column),
    });
  }

  /** Opens table `name` (a second one replaces the first, as a second COMMIT would). */
  openTable(name: TableName, line: number): void {
    if (this.ruleset.tables[name]) {
      report(
        this.ctx,
        'DUPLICATE',
        `table ${name} appears twice; the later one replaces it (as iptables-restore commits it last)`,
        1,
      );
    }
    this.table = new TableBuilder(name, line);
    this.ruleset.tables[name] = this.table.table;
  }

  /** Checks the open table's jumps and closes it. */
  closeTable(): void {
    if (this.table) this.table.checkJumps(this.ctx);
    this.table = null;
    this.lastChain = null;
  }

  /** iptables refuses names starting with `-` or `!`, and longer than 28 characters. */
  validChainName(name: string, column: number): boolean {
    if (name === '' || name.charCodeAt(0) === 45 || name === '!') {
      report(this.ctx, 'BAD_VALUE', `bad chain name \`${name}'`, column);
      return false;
    }
    if (name.length > MAX_CHAIN_NAME) {
      report(
        this.ctx,
        'BAD_VALUE',
        `chain name \`${name}' is longer than ${MAX_CHAIN_NAME} characters`,
        column,
      );
    }
    return true;
  }
}
