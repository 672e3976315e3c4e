/**
 * @module diagnose/render-trace
 * Text for people of a trace: the outcome, one block per load-balancing choice with its
 * hops, the hop where it breaks, the cause, and the findings that explain it.
 */
import type { TraceResult } from './trace.js';
import type { Hop, PathResult } from '../sim/types.js';
import type { Names } from './names.js';
import { nameEndpoint, nameIp } from './names.js';
import type { Finding } from '../checks/types.js';

export interface Style {
  bold(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
}

export function makeStyle(color: boolean): Style {
  const w = (code: string) => (s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { bold: w('1'), red: w('31'), green: w('32'), yellow: w('33'), dim: w('2') };
}

const OUTCOME_WORD: Record<string, string> = {
  connected: 'connected',
  refused: 'connection refused',
  timeout: 'timeout',
  unreachable: 'no route to host',
  unknown: 'unknown',
  mixed: 'mixed',
};

export function outcomeLabel(o: string, st: Style): string {
  const w = OUTCOME_WORD[o] ?? o;
  return o === 'connected' ? st.green(w) : o === 'unknown' || o === 'mixed' ? st.yellow(w) : st.red(w);
}

function pct(p: number): string {
  return `${(p * 100).toFixed(p * 100 >= 10 || p === 0 ? 0 : 1)}%`;
}

export function renderHop(h: Hop, i: number, st: Style, breaks: boolean): string {
  const where = `${h.node}${h.ns === 'host' ? '' : `/${h.ns}`}`;
  const rule = h.rule ? ` ${st.dim(`[${h.rule.source}:${h.rule.line}]`)} ${h.rule.text}` : '';
  const change = h.after ? `  => ${h.after}` : '';
  const note = h.note ? ` — ${h.note}` : '';
  const mark = breaks
    ? st.red('✗')
    : h.verdict === 'drop' || h.verdict === 'reject'
      ? st.red('✗')
      : h.verdict === 'unknown'
        ? st.yellow('?')
        : ' ';
  const line = `${mark} ${String(i + 1).padStart(2)} ${where.padEnd(18)} ${(h.stage + (h.device ? ` ${h.device}` : '')).padEnd(34)}${rule}${note}${change}`;
  return breaks ? st.bold(line) : line;
}

export function renderPath(
  p: PathResult,
  names: Names,
  st: Style,
  opts: { hops: boolean; clientNode?: string },
): string[] {
  const out: string[] = [];
  const ok = p.outcome === 'connected';
  const where = p.endpointNode
    ? `${p.endpointNode}${opts.clientNode ? (p.endpointNode === opts.clientNode ? ', same node as the client' : ', another node') : ''}`
    : 'node unknown';
  out.push(
    `${ok ? st.green('✓') : st.red('✗')} ${pct(p.probability).padStart(4)}  endpoint ${nameEndpoint(names, p.endpoint)} [${where}] -> ${outcomeLabel(p.outcome, st)}`,
  );
  if (!ok) out.push(`        cause: ${p.cause}`);
  if (opts.hops) {
    for (const [leg, hops] of [
      ['request', p.request],
      ['reply', p.reply],
    ] as const) {
      if (hops.length === 0) continue;
      out.push(`        ${leg}:`);
      hops.forEach((h, i) =>
        out.push('        ' + renderHop(h, i, st, p.breaksAt?.leg === leg && p.breaksAt.index === i)),
      );
    }
  }
  return out;
}

export function renderFindingsBrief(findings: Finding[], st: Style): string[] {
  const out: string[] = [];
  for (const f of findings) {
    out.push(
      `${f.severity === 'critical' ? st.red('CRITICAL') : f.severity === 'warning' ? st.yellow('WARNING') : 'INFO'} ${f.id} on ${f.node}: ${f.title}`,
    );
    for (const e of f.evidence)
      out.push(
        `    evidence: ${e.text}${e.line ? ` (${e.source}:${e.line})` : e.source ? ` (${e.source})` : ''}`,
      );
    for (const x of f.fix) for (const c of x.commands) out.push(`    fix (${x.kind}): ${c}`);
  }
  return out;
}

export function renderTrace(t: TraceResult, names: Names, st: Style, opts: { hops: boolean }): string {
  const out: string[] = [];
  const f = t.flow;
  out.push(
    st.bold(
      `podpath trace ${f.proto} ${nameIp(names, f.src)} -> ${nameEndpoint(names, `${f.dst}:${f.dport}`)}`,
    ),
  );
  const failing = t.paths.filter((p) => p.outcome !== 'connected');
  const summary =
    t.outcome === 'mixed'
      ? `${failing.length} of ${t.paths.length} load-balancing choices fail (${pct(failing.reduce((a, p) => a + p.probability, 0))} of new connections)`
      : `${t.paths.length} path${t.paths.length === 1 ? '' : 's'}`;
  out.push(`outcome: ${outcomeLabel(t.outcome, st)} — ${summary}`, '');
  for (const p of t.paths)
    out.push(...renderPath(p, names, st, { hops: opts.hops, clientNode: t.client?.node }), '');
  if (t.findings.length) out.push(st.bold('why:'), ...renderFindingsBrief(t.findings, st), '');
  if (t.assumptions.length) {
    out.push(st.dim('assumed:'));
    for (const a of t.assumptions) out.push(st.dim(`  - ${a}`));
  }
  return out.join('\n');
}
