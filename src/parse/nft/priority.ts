/**
 * @module parse/nft/priority
 * Chain priorities as nft writes them: a number, or a standard name with an optional
 * offset (`dstnat`, `filter - 10`, `srcnat+5`). The names mean different numbers in the
 * bridge family (nftables/src/rule.c `std_prios` and `bridge_std_prios`).
 */

const INET: Record<string, number> = {
  raw: -300,
  mangle: -150,
  dstnat: -100,
  filter: 0,
  security: 50,
  srcnat: 100,
};
const BRIDGE: Record<string, number> = { dstnat: -300, filter: -200, out: 100, srcnat: 300 };

/** Numeric value of a priority, or undefined when it is neither a number nor a known name. */
export function resolvePriority(family: string, prio: unknown): { value: number; text?: string } | undefined {
  if (typeof prio === 'number') return Number.isInteger(prio) ? { value: prio } : undefined;
  if (typeof prio !== 'string') return undefined;
  const m = /^\s*([a-z]+|-?\d+)\s*(?:([+-])\s*(\d+))?\s*$/.exec(prio);
  if (!m) return undefined;
  const names = family === 'bridge' ? BRIDGE : INET;
  const base = /^-?\d+$/.test(m[1]!) ? Number(m[1]) : names[m[1]!];
  if (base === undefined) return undefined;
  const off = m[3] ? Number(m[3]) * (m[2] === '-' ? -1 : 1) : 0;
  return { value: base + off, text: prio.trim() };
}
