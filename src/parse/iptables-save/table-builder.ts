/**
 * @module parse/iptables-save/table-builder
 * One table under construction: its chains (declared by `:CHAIN`, `-N`, `-P`, or
 * implicitly by `-A` to a built-in chain), and the `-j`/`-g` targets to check once the
 * table is complete (iptables-restore refuses a jump to a chain that does not exist;
 * libiptc `iptcc_map_target()`).
 */
import type { Chain, Table, TableName } from '../../model/iptables.js';
import { report, type ParseContext } from './parse-context.js';
import type { ChainLookup } from './parse-rule.js';

export class TableBuilder implements ChainLookup {
  readonly table: Table;
  private readonly byName = new Map<string, Chain>();
  private readonly jumpChains: string[] = [];
  private readonly jumpLines: number[] = [];
  private readonly jumpColumns: number[] = [];

  constructor(name: TableName, line: number) {
    this.table = { name, chains: {}, line };
  }

  hasChain(name: string): boolean {
    return this.byName.has(name);
  }

  get(name: string): Chain | undefined {
    return this.byName.get(name);
  }

  jumpTo(chain: string, line: number, column: number): void {
    this.jumpChains.push(chain);
    this.jumpLines.push(line);
    this.jumpColumns.push(column);
  }

  /** Adds a chain; the caller has checked it is new. */
  add(chain: Chain): Chain {
    this.byName.set(chain.name, chain);
    // a plain object keyed by chain name; `__proto__` must not reach the prototype setter
    if (chain.name === '__proto__') {
      Object.defineProperty(this.table.chains, chain.name, {
        value: chain,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else this.table.chains[chain.name] = chain;
    return chain;
  }

  remove(name: string): void {
    this.byName.delete(name);
    delete this.table.chains[name];
  }

  /** User (non built-in) chain names, in declaration order. */
  userChains(): string[] {
    const out: string[] = [];
    for (const c of this.byName.values()) if (!c.builtin) out.push(c.name);
    return out;
  }

  chains(): IterableIterator<Chain> {
    return this.byName.values();
  }

  /** Reports every jump to a chain the finished table does not have (UNKNOWN_CHAIN). */
  checkJumps(ctx: ParseContext): void {
    for (let k = 0; k < this.jumpChains.length; k++) {
      const name = this.jumpChains[k] as string;
      if (!this.byName.has(name)) {
        report(
          ctx,
          'UNKNOWN_CHAIN',
          `jump to chain \`${name}' that table ${this.table.name} does not declare`,
          this.jumpColumns[k] as number,
          'error',
          this.jumpLines[k],
        );
      }
    }
    this.jumpChains.length = 0;
    this.jumpLines.length = 0;
    this.jumpColumns.length = 0;
  }
}
