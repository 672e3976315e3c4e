/**
 * @module render/markdown
 * `check --markdown`: findings to paste into a ticket: a summary table, then one section
 * per finding (symptom, evidence with its source, fix commands in sh blocks, references).
 * Also `renderCatalogTable(checks)`: the catalog as a Markdown table for the README.
 */
import type { Check, Finding, Severity } from '../checks/types.js';

const ORDER: Severity[] = ['critical', 'warning', 'info'];

/** a table cell: no line breaks, `|` escaped */
export function cell(s: string): string {
  return s.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

/** inline code that survives backticks in the text */
function code(s: string): string {
  const ticks = s.includes('`') ? '``' : '`';
  return `${ticks}${ticks.length > 1 ? ' ' : ''}${s}${ticks.length > 1 ? ' ' : ''}${ticks}`;
}

export function renderMarkdown(findings: Finding[], opts: { nodes?: string[] } = {}): string {
  const out: string[] = ['# podpath check', ''];
  if (findings.length === 0) {
    out.push(`No findings${opts.nodes?.length ? ` on ${opts.nodes.join(', ')}` : ''}.`);
    return out.join('\n') + '\n';
  }
  const counts = ORDER.map((s) => `${findings.filter((f) => f.severity === s).length} ${s}`).join(', ');
  out.push(
    `${findings.length} finding(s): ${counts}.`,
    '',
    '| severity | check | node | title |',
    '|---|---|---|---|',
  );
  for (const f of findings)
    out.push(`| ${f.severity} | ${code(f.id)} | ${cell(f.node)} | ${cell(f.title)} |`);
  for (const f of findings) {
    out.push('', `## ${f.severity.toUpperCase()}: ${f.id} on ${f.node}`, '', `**${f.title}**`, '');
    if (f.symptom) out.push(`*Symptom:* ${f.symptom}`, '');
    out.push('*Evidence:*', '');
    for (const e of f.evidence)
      out.push(`- ${code(e.text)} — ${e.source}${e.line !== undefined ? `:${e.line}` : ''}`);
    for (const x of f.fix) {
      out.push('', `*Fix (${x.kind}):* ${x.description}`);
      if (x.commands.length) out.push('', '```sh', ...x.commands, '```');
    }
    if (f.versions?.length) out.push('', `*Versions:* ${f.versions.join('; ')}`);
    if (f.references.length) out.push('', `*References:* ${f.references.join(', ')}`);
  }
  return out.join('\n') + '\n';
}

/** Which checks a lab scenario proves, and why the others cannot be (where the kernel is the reason). */
export interface LabProof {
  proven: Set<string>;
  /** check id -> why the lab cannot show it */
  limits?: Record<string, string>;
}

/**
 * id | severity | what it detects | FM, one row per check, in catalog order; with `lab`, a
 * "proven in lab" column: `y`, or `n` with the reason when the kernel cannot show it.
 */
export function renderCatalogTable(checks: Check[], lab?: LabProof): string {
  const head = lab ? ' proven in lab |' : '';
  const rows = [`| id | severity | what it detects | FM |${head}`, `|---|---|---|---|${lab ? '---|' : ''}`];
  for (const c of checks) {
    let proof = '';
    if (lab) {
      const why = lab.limits?.[c.id];
      proof = ` ${lab.proven.has(c.id) ? 'y' : why ? `n: ${cell(why)}` : 'n'} |`;
    }
    rows.push(`| ${code(c.id)} | ${c.severity} | ${cell(c.title)} | ${c.fm.join(', ')} |${proof}`);
  }
  return rows.join('\n') + '\n';
}
