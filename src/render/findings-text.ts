/**
 * @module render/findings-text
 * Findings for people: grouped by severity, evidence and fix under each, colour optional.
 */
import type { Finding, Severity } from '../checks/types.js';

const ORDER: Severity[] = ['critical', 'warning', 'info'];

export function renderFindingsText(findings: Finding[], opts: { color: boolean; nodes?: string[] }): string {
  const c = (code: string, s: string) => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const out: string[] = [];
  if (findings.length === 0) {
    out.push(c('32', `no findings${opts.nodes ? ` on ${opts.nodes.join(', ')}` : ''}`));
    return out.join('\n');
  }
  for (const sev of ORDER) {
    const group = findings.filter((f) => f.severity === sev);
    if (!group.length) continue;
    out.push(
      c(
        sev === 'critical' ? '1;31' : sev === 'warning' ? '1;33' : '1',
        `${sev.toUpperCase()} (${group.length})`,
      ),
    );
    for (const f of group) {
      out.push(`  ${c('1', f.id)} on ${f.node}: ${f.title}`);
      if (f.symptom) out.push(`    symptom:  ${f.symptom}`);
      for (const e of f.evidence)
        out.push(`    evidence: ${e.text}${e.line ? `  [${e.source}:${e.line}]` : `  [${e.source}]`}`);
      for (const x of f.fix)
        out.push(
          `    fix (${x.kind}): ${x.description}${x.commands.length ? '\n' + x.commands.map((cmd) => `        $ ${cmd}`).join('\n') : ''}`,
        );
      if (f.references.length) out.push(`    refs:     ${f.references.slice(0, 4).join(', ')}`);
      out.push('');
    }
  }
  const counts = ORDER.map((s) => `${findings.filter((f) => f.severity === s).length} ${s}`).join(', ');
  out.push(`${findings.length} finding(s): ${counts}`);
  return out.join('\n');
}
