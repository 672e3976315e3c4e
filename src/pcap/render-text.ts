/**
 * @module pcap/render-text
 * A capture report for people: one summary line (packets, flows, duration), the reader's
 * diagnostics, then the findings with their packets, fix and references.
 */
import type { PcapReport } from './types.js';
import { linkTypeName } from './decode/link.js';
import { prettifyDiagnostic } from '../parse/diagnostic.js';

const ORDER = ['critical', 'warning', 'info'] as const;

export function summaryLine(r: PcapReport): string {
  const links = [...new Set(r.linkTypes)].map(linkTypeName).join(', ');
  const dur = r.duration >= 100 ? r.duration.toFixed(0) : r.duration.toFixed(3);
  return `${r.file}: ${r.packets.toLocaleString('en-US')} packets, ${r.flows.toLocaleString('en-US')} flows, ${dur} s (${r.format}${links ? `, ${links}` : ''})`;
}

export function renderReportText(r: PcapReport, opts: { color?: boolean } = {}): string {
  const c = (code: string, s: string) => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const out = [summaryLine(r)];
  for (const d of r.diagnostics)
    out.push(`  ${d.severity === 'error' ? 'warning' : 'note'}: ${prettifyDiagnostic(d)}`);
  if (r.findings.length === 0) {
    out.push(c('32', 'no failure signatures found'));
    return out.join('\n');
  }
  out.push('');
  for (const sev of ORDER) {
    const group = r.findings.filter((f) => f.severity === sev);
    if (!group.length) continue;
    out.push(
      c(
        sev === 'critical' ? '1;31' : sev === 'warning' ? '1;33' : '1',
        `${sev.toUpperCase()} (${group.length})`,
      ),
    );
    for (const f of group) {
      out.push(`  ${c('1', f.id)}: ${f.title}`);
      if (f.symptom) out.push(`    symptom:  ${f.symptom}`);
      for (const e of f.evidence) {
        const packet = /#\d+$/.test(e.source);
        out.push(
          packet
            ? `    packet:   ${e.source}${e.line ? ` (line ${e.line})` : ''}  ${e.text}`
            : `    note:     ${e.text}`,
        );
      }
      for (const x of f.fix)
        out.push(
          `    fix (${x.kind}): ${x.description}${x.commands.length ? '\n' + x.commands.map((cmd) => `        $ ${cmd}`).join('\n') : ''}`,
        );
      if (f.references.length) out.push(`    refs:     ${f.references.join(', ')}`);
      out.push('');
    }
  }
  const counts = ORDER.map((s) => `${r.findings.filter((f) => f.severity === s).length} ${s}`).join(', ');
  out.push(`${r.findings.length} finding(s): ${counts}`);
  return out.join('\n');
}
