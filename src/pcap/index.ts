/**
 * @module pcap
 * Capture reading and failure signatures: pcap / pcapng / tcpdump text in, findings with
 * their packets out. `podpath pcap` (cli/commands/pcap.ts) is a thin shell around this.
 */
export {
  analyzeBuffer,
  analyzeFile,
  analyzeStream,
  CaptureAnalyzer,
  type AnalyzeOptions,
} from './analyze.js';
export { createCaptureParser, type CaptureParserOptions } from './read/capture-parser.js';
export { linkTypeName, isSupportedLinkType } from './decode/link.js';
export { namesFromSnapshot, namesFromKubectl, mergeNames, type Names } from './names.js';
export { explainWithSnapshots, bridgeNetfilterCauses } from './snapshot-causes.js';
export { renderReportText, summaryLine } from './render-text.js';
export { summarize, formatTime, tcpFlagString } from './signatures/evidence.js';
export type { NameMap } from './signatures/context.js';
export * from './types.js';
