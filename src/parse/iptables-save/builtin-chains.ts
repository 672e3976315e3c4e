/**
 * @module parse/iptables-save/builtin-chains
 * The tables iptables knows and the built-in chains (netfilter hooks) each one registers
 * (`iptable_filter.c`, `iptable_nat.c`, ... `valid_hooks`).
 */
import type { TableName } from '../../model/iptables.js';

export const BUILTIN_CHAINS: Readonly<Record<TableName, readonly string[]>> = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};

export function isTableName(s: string): s is TableName {
  return s === 'filter' || s === 'nat' || s === 'mangle' || s === 'raw' || s === 'security';
}

export function isBuiltinChain(table: TableName, chain: string): boolean {
  return BUILTIN_CHAINS[table].includes(chain);
}

/** XT_EXTENSION_MAXNAMELEN (29) including the NUL: iptables refuses longer chain names. */
export const MAX_CHAIN_NAME = 28;
