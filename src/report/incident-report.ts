/**
 * @module report/incident-report
 * The report of the bundled incident (examples/incident), for the browser tests and the
 * README screenshots; with a capture of the same failure when `pcap` is given.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadCluster } from '../cli/load-cluster.js';
import { exampleDir } from '../cli/commands/demo.js';
import { buildReport, type ReportModel } from './build-report.js';
import { renderReport } from './render-report.js';
import type { PcapReport } from '../pcap/types.js';

export function incidentFiles(): string[] {
  const dir = exampleDir();
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(dir, f))
    .map((p) => (relative(process.cwd(), p).startsWith('..') ? p : relative(process.cwd(), p)));
}

export async function incidentReport(opts: { pcap?: PcapReport } = {}): Promise<ReportModel> {
  const files = incidentFiles();
  const cluster = await loadCluster(files, { quiet: true });
  return buildReport(cluster, { files, pcap: opts.pcap, now: new Date(0) });
}

export async function incidentReportHtml(opts: { pcap?: PcapReport } = {}): Promise<string> {
  return renderReport(await incidentReport(opts));
}
