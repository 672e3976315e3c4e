/**
 * @module cli/commands/check
 * `podpath check --snapshot S [...] [--json] [--fail-on critical|warning|info|none]`
 */
import { parseFlags, UsageError } from '../args.js';
import { loadCluster, useColor } from '../load-cluster.js';
import { runChecks, exitCodeFor, ALL_CHECKS } from '../../checks/index.js';
import { renderSarif } from '../../render/sarif.js';
import { renderMarkdown } from '../../render/markdown.js';
import { renderFindingsJson } from '../../render/findings-json.js';
import { renderFindingsText } from '../../render/findings-text.js';
import type { Severity } from '../../checks/types.js';

const HELP = `usage: podpath check --snapshot S [--snapshot S2 ...] [--json | --sarif | --markdown] [--fail-on SEVERITY]

Looks for every known node-level misconfiguration in the snapshots.
  --fail-on SEVERITY   exit 1 when a finding is at or above it: critical, warning (default), info, none
  --keep-going         parse errors in a snapshot are warnings: analyse what could be read`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    snapshot: { type: 'string', multiple: true },
    json: { type: 'boolean', default: false },
    sarif: { type: 'boolean', default: false },
    markdown: { type: 'boolean', default: false },
    'fail-on': { type: 'string', default: 'warning' },
    'keep-going': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const failOn = values['fail-on'];
  if (!['critical', 'warning', 'info', 'none'].includes(failOn))
    throw new UsageError(`--fail-on ${failOn}: expected critical, warning, info or none`);
  const cluster = await loadCluster(values.snapshot ?? [], {
    quiet: values.json || values.sarif || values.markdown,
    keepGoing: values['keep-going'],
  });
  const { findings, skipped } = runChecks(cluster);
  if ([values.json, values.sarif, values.markdown].filter(Boolean).length > 1)
    throw new UsageError('choose one of --json, --sarif, --markdown');
  if (values.json) console.log(renderFindingsJson(findings, { skipped }));
  else if (values.sarif) console.log(renderSarif(findings, ALL_CHECKS, { version: '0.1.0' }));
  else if (values.markdown)
    console.log(renderMarkdown(findings, { nodes: cluster.nodes.map((n) => n.name) }));
  else
    console.log(renderFindingsText(findings, { color: useColor(), nodes: cluster.nodes.map((n) => n.name) }));
  return exitCodeFor(findings, failOn as Severity | 'none');
}
