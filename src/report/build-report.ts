/**
 * @module report/build-report
 * Everything a report shows, computed before any HTML is written: the check findings, the
 * pod -> Service matrix, the failing flows with their laid-out diagrams, and the capture
 * findings. Used by `podpath report` (one file) and `podpath serve` (one page per view).
 */
import type { ClusterModel } from '../model/node.js';
import type { Finding } from '../checks/types.js';
import type { Flow, PathResult } from '../sim/types.js';
import type { PcapReport } from '../pcap/types.js';
import { runChecks, type CheckRun } from '../checks/index.js';
import { CAUSE_CHECKS, traceFlow, type TraceResult } from '../diagnose/trace.js';
import { collectNames, type Names } from '../diagnose/names.js';
import { localMatrix, type Matrix, type MatrixProvider } from './matrix.js';
import { pathGraph } from './path-graph.js';
import { layoutPath } from './layout-path.js';
import { renderPathSvg } from './svg-path.js';
import { slug } from './escape.js';

export interface PathView {
  path: PathResult;
  /** finished SVG markup, when drawn */
  svg?: string;
  /** the findings that explain why this path breaks */
  findings: Finding[];
}

export interface FlowView {
  id: string;
  trace: TraceResult;
  paths: PathView[];
}

export interface ReportModel {
  title: string;
  generatedAt: string;
  files: string[];
  cluster: ClusterModel;
  names: Names;
  findings: Finding[];
  skipped: CheckRun['skipped'];
  matrix: Matrix;
  flows: FlowView[];
  pcap?: PcapReport;
}

export interface ReportOptions {
  files: string[];
  /** only this flow (`--from --to`); default: the failing cells of the matrix */
  flow?: Flow;
  pcap?: PcapReport;
  /** more address names (kubectl inventory): ip -> ns/name */
  extraNames?: Map<string, string>;
  matrix?: MatrixProvider;
  /** at most this many diagrams (default 8) */
  maxDiagrams?: number;
  now?: Date;
}

/** Findings that explain a path: the checks of its cause, on the node where it breaks or ends. */
export function findingsForPath(path: PathResult, all: Finding[]): Finding[] {
  const ids = CAUSE_CHECKS[path.causeId ?? ''] ?? [];
  const at = path.breaksAt
    ? (path.breaksAt.leg === 'request' ? path.request : path.reply)[path.breaksAt.index]
    : undefined;
  const nodes = new Set([at?.node, path.endpointNode].filter(Boolean));
  return all.filter((f) => ids.includes(f.id) && (nodes.size === 0 || nodes.has(f.node)));
}

function calloutFor(path: PathResult, fs: Finding[]): { title: string; text?: string } {
  const f = fs[0];
  return f
    ? { title: f.id, text: f.evidence[0]?.text }
    : { title: path.causeId ?? 'breaks here', text: path.cause };
}

export async function drawPath(
  cluster: ClusterModel,
  path: PathResult,
  fs: Finding[],
  id: string,
  title: string,
): Promise<string> {
  const g = pathGraph(cluster, path, path.outcome === 'connected' ? undefined : calloutFor(path, fs));
  return renderPathSvg(await layoutPath(g), id, title);
}

/** A trace with its paths; diagrams for the failing paths (or the first path when all connect, with `drawAll`). */
export async function flowView(
  cluster: ClusterModel,
  trace: TraceResult,
  all: Finding[],
  opts: { drawAll?: boolean; budget?: { left: number } } = {},
): Promise<FlowView> {
  const id = `flow-${slug(`${trace.flow.proto}-${trace.flow.src}-${trace.flow.dst}-${trace.flow.dport}`)}`;
  const paths: PathView[] = [];
  for (const [i, p] of trace.paths.entries()) {
    const fs = findingsForPath(p, all);
    const want = p.outcome !== 'connected' || opts.drawAll;
    let svg: string | undefined;
    if (want && (!opts.budget || opts.budget.left > 0)) {
      if (opts.budget) opts.budget.left--;
      svg = await drawPath(
        cluster,
        p,
        fs,
        `${id}-p${i}`,
        `${trace.flow.src} to ${trace.flow.dst}:${trace.flow.dport} via ${p.endpoint}: ${p.outcome}`,
      );
    }
    paths.push({ path: p, svg, findings: fs });
  }
  return { id, trace, paths };
}

export function namesOf(cluster: ClusterModel, extra?: Map<string, string>): Names {
  const names = collectNames(cluster);
  for (const [ip, n] of extra ?? []) if (!names.ip.has(ip)) names.ip.set(ip, n);
  return names;
}

export async function buildReport(cluster: ClusterModel, opts: ReportOptions): Promise<ReportModel> {
  const run = runChecks(cluster);
  const findingsOf = (_c: ClusterModel, ids: string[]): Finding[] =>
    run.findings.filter((f) => ids.includes(f.id));
  const matrix = (opts.matrix ?? localMatrix)(cluster, findingsOf);
  const budget = { left: opts.maxDiagrams ?? 8 };
  const flows: FlowView[] = [];
  if (opts.flow) {
    const t = traceFlow(cluster, opts.flow, { findings: findingsOf });
    flows.push(await flowView(cluster, t, run.findings, { drawAll: true, budget }));
  } else {
    for (const cell of matrix.cells.values())
      if (cell.trace && cell.outcome !== 'connected')
        flows.push(await flowView(cluster, cell.trace, run.findings, { budget }));
  }
  return {
    title: `podpath report: ${cluster.nodes.map((n) => n.name).join(', ')}`,
    generatedAt: (opts.now ?? new Date()).toISOString(),
    files: opts.files,
    cluster,
    names: namesOf(cluster, opts.extraNames),
    findings: run.findings,
    skipped: run.skipped,
    matrix,
    flows,
    pcap: opts.pcap,
  };
}
