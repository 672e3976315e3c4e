/**
 * @module pcap/testing/analyze-scenario
 * Writes a scenario as pcap (or pcapng) and analyses it, for signature tests.
 */
import { analyzeBuffer, type AnalyzeOptions } from '../analyze.js';
import type { PcapReport } from '../types.js';
import type { Scenario } from './scenario.js';

export function analyzeScenario(s: Scenario, o: AnalyzeOptions & { pcapng?: boolean } = {}): PcapReport {
  const data = o.pcapng ? s.pcapng() : s.pcap();
  return analyzeBuffer(data, { file: 'test.pcap', ...o });
}

export function ids(r: PcapReport): string[] {
  return r.findings.map((f) => f.id);
}
