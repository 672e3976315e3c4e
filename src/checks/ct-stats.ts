/**
 * @module checks/ct-stats
 * Per-CPU conntrack counters (`conntrack -S`, /proc/net/stat/nf_conntrack) summed, with the
 * rows that show them as evidence.
 */
import type { NodeModel } from '../model/node.js';
import type { Evidence } from './types.js';
import { sourceOf } from './util.js';

export function ctStat(node: NodeModel, key: string): number | undefined {
  if (!node.ctStats?.length) return undefined;
  let sum = 0;
  let seen = false;
  for (const row of node.ctStats) {
    const v = row.values[key];
    if (v !== undefined) {
      sum += v;
      seen = true;
    }
  }
  return seen ? sum : undefined;
}

/** Rows where any of `keys` is non-zero, as `cpu=N key=v ...` evidence (at most `max`). */
export function ctStatEvidence(node: NodeModel, keys: string[], max = 4): Evidence[] {
  const rows = (node.ctStats ?? []).filter((r) => keys.some((k) => (r.values[k] ?? 0) > 0));
  const out: Evidence[] = rows.slice(0, max).map((r) => ({
    source: sourceOf(node, 'conntrack-stats'),
    line: r.line,
    text: `cpu=${r.cpu} ${keys.map((k) => `${k}=${r.values[k] ?? 0}`).join(' ')}`,
  }));
  if (rows.length > max)
    out.push({
      source: sourceOf(node, 'conntrack-stats'),
      text: `... ${rows.length - max} more CPU(s); totals: ${keys.map((k) => `${k}=${ctStat(node, k) ?? 0}`).join(' ')}`,
    });
  return out;
}
