/**
 * @module lab/probe/render-probes
 * `lab probe` text output: one line per flow, endpoints indented below.
 */
import type { ProbeResult } from './types.js';

export function renderProbes(results: ProbeResult[]): string {
  const lines: string[] = [];
  const w = Math.max(4, ...results.map((r) => r.flow.name.length));
  for (const r of results) {
    const exp =
      r.expectMet === undefined ? '' : r.expectMet ? '  [as expected]' : `  [UNEXPECTED: ${r.expectDetail}]`;
    lines.push(
      `${r.flow.name.padEnd(w)}  ${r.flow.proto} ${r.flow.from} -> ${r.flow.to} (${r.flow.dst}:${r.flow.dport}): ${r.outcome}${exp}`,
    );
    if (r.endpoints.length > 1 || (r.endpoints.length === 1 && !r.flow.targetPod)) {
      for (const e of r.endpoints) {
        const dnat = e.dnat !== undefined ? `, ${e.dnat} DNAT` : '';
        lines.push(
          `${''.padEnd(w)}    ${(e.pod ?? e.endpoint).padEnd(24)} ${e.endpoint.padEnd(21)} ${e.outcomes.join('|')} (${e.count} attempts${dnat})`,
        );
      }
    }
    if (r.unattributed.length)
      lines.push(
        `${''.padEnd(w)}    (no endpoint)            ${r.unattributed.length} attempts: ${[...new Set(r.unattributed)].join('|')}`,
      );
    if (r.error) lines.push(`${''.padEnd(w)}    error: ${r.error}`);
  }
  const failed = results.filter((r) => r.expectMet === false).length;
  lines.push('', `${results.length} flows probed${failed ? `, ${failed} not as the scenario expects` : ''}`);
  return lines.join('\n');
}
