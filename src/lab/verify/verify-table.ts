/**
 * @module lab/verify/verify-table
 * The agreement table `lab verify` prints (and the README shows).
 */
import type { ProbeResult } from '../probe/types.js';
import type { Comparison } from './compare.js';
import type { Prediction } from './predict.js';

export interface VerifyRow {
  scenario: string;
  flow: string;
  from: string;
  to: string;
  kernel: string;
  podpath: string;
  /** 'kernel-only': the cause is outside any snapshot (scenario says `differential: false`) */
  verdict: 'agree' | 'DISAGREE' | 'kernel-only';
  detail?: string;
  /** the lab's own sanity check (scenario `expect`) */
  expectMet?: boolean;
}

const short = (pod: string | undefined, ep: string): string => (pod ? (pod.split('/')[1] ?? pod) : ep);

export function kernelCell(k: ProbeResult): string {
  if (k.outcome === 'error') return 'error';
  if (k.endpoints.length <= 1 || k.flow.targetPod) return k.outcome;
  return `${k.outcome} (${k.endpoints.map((e) => `${short(e.pod, e.endpoint)} ${e.outcomes.join('|')}`).join(', ')})`;
}

export function podpathCell(p: Prediction, k: ProbeResult): string {
  if (p.error) return 'error';
  if (p.endpoints.length <= 1 || k.flow.targetPod) return p.outcome;
  const pods = new Map(k.endpoints.map((e) => [e.endpoint, e.pod]));
  const name = (ep: string): string => short(pods.get(ep) ?? k.flow.endpoints[ep], ep);
  return `${p.outcome} (${p.endpoints.map((e) => `${name(e.endpoint)} ${e.outcomes.join('|')}`).join(', ')})`;
}

export function verifyRow(k: ProbeResult, p: Prediction, c: Comparison): VerifyRow {
  const row: VerifyRow = {
    scenario: k.flow.scenario,
    flow: k.flow.name,
    from: k.flow.from,
    to: k.flow.to,
    kernel: kernelCell(k),
    podpath: podpathCell(p, k),
    verdict: !k.flow.differential ? 'kernel-only' : c.agree ? 'agree' : 'DISAGREE',
  };
  if (c.detail) row.detail = c.detail;
  if (k.expectMet !== undefined) row.expectMet = k.expectMet;
  return row;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** Plain-text table; `markdown` gives a GitHub table for the README. */
export function renderVerifyTable(rows: VerifyRow[], opts: { markdown?: boolean } = {}): string {
  const head = [
    'scenario',
    'flow',
    'kernel (lab probe)',
    'podpath (trace on collected snapshots)',
    'verdict',
  ];
  const body = rows.map((r) => [
    r.scenario,
    r.flow,
    r.kernel,
    r.podpath,
    r.verdict + (r.expectMet === false ? ' (lab expectation failed)' : ''),
  ]);
  const agree = rows.filter((r) => r.verdict === 'agree').length;
  const differential = rows.filter((r) => r.verdict !== 'kernel-only').length;
  const summary = `${agree}/${differential} (scenario, flow) pairs agree across ${new Set(rows.map((r) => r.scenario)).size} scenarios; ${rows.length - differential} kernel-only`;
  if (opts.markdown) {
    const line = (cells: string[]): string => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
    return [line(head), line(head.map(() => '---')), ...body.map(line), '', summary].join('\n');
  }
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const fmt = (cells: string[]): string =>
    cells
      .map((c, i) => pad(c, widths[i]!))
      .join('  ')
      .trimEnd();
  const out = [fmt(head), fmt(widths.map((w) => '-'.repeat(w))), ...body.map(fmt)];
  for (const r of rows)
    if (r.verdict === 'DISAGREE' && r.detail) out.push(`  ${r.scenario}/${r.flow}: ${r.detail}`);
  out.push('', summary);
  return out.join('\n');
}
