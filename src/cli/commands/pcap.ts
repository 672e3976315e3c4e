/**
 * @module cli/commands/pcap
 * `podpath pcap FILE [--text] [--json] [--snapshot S ...] [--cluster C] [--fail-on SEVERITY]`:
 * reads a capture (pcap, pcapng, or tcpdump text output; `-` for stdin) and reports the
 * failure signatures in it, with addresses named from snapshots and the cluster inventory.
 */
import { readFile } from 'node:fs/promises';
import { InputError, parseFlags, UsageError } from '../args.js';
import { analyzeFile, analyzeStream } from '../../pcap/analyze.js';
import { mergeNames, namesFromKubectl, namesFromSnapshot, type Names } from '../../pcap/names.js';
import { renderReportText } from '../../pcap/render-text.js';
import type { PcapReport } from '../../pcap/types.js';
import { explainWithSnapshots } from '../../pcap/snapshot-causes.js';
import type { NodeSnapshot } from '../../snapshot/types.js';

const HELP = `usage: podpath pcap FILE [--text] [--json] [--snapshot S ...] [--cluster C] [--fail-on SEVERITY]

Finds failure signatures in a capture: replies that bypass reverse NAT (nat-reply-bypass),
unanswered SYNs, refused connections, ICMP unreachables, DNS 5 s retries, PMTU black holes,
SNAT port reuse and mid-stream conntrack INVALID resets.
  FILE                 pcap or pcapng (any byte order, micro/nanosecond), or '-' for stdin
  --text               FILE is tcpdump's text output (as pasted into a ticket)
  --json               machine-readable report
  --snapshot S         node snapshot(s): pod and node addresses are shown by name
  --cluster C          kubectl get nodes,pods,services -A -o json: names for pods and Services
  --node NAME          the node the capture was taken on (for the findings)
  --fail-on SEVERITY   exit 1 when a finding is at or above it: critical, warning (default), info, none
Exit codes: 0 nothing found, 1 findings at or above --fail-on, 2 bad usage or unreadable capture.`;

const RANK = { critical: 3, warning: 2, info: 1, none: 99 } as const;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      text: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      snapshot: { type: 'string', multiple: true },
      cluster: { type: 'string' },
      node: { type: 'string' },
      'fail-on': { type: 'string', default: 'warning' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  );
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 1)
    throw new UsageError(
      positionals.length
        ? `one capture file at a time, got ${positionals.length}`
        : 'podpath pcap: give a capture FILE',
    );
  const failOn = values['fail-on'] as keyof typeof RANK;
  if (!(failOn in RANK))
    throw new UsageError(`--fail-on ${failOn}: expected critical, warning, info or none`);
  const file = positionals[0]!;
  const { names, snapshots } = await loadNames(values.snapshot ?? [], values.cluster);
  const opts = { file: file === '-' ? '<stdin>' : file, names, text: values.text, node: values.node ?? '' };
  let report: PcapReport;
  try {
    report = file === '-' ? await analyzeStream(process.stdin, opts) : await analyzeFile(file, opts);
  } catch (e) {
    throw new InputError(`${file}: cannot read: ${(e as Error).message}`);
  }
  const fatal = report.packets === 0 ? report.diagnostics.find((d) => d.severity === 'error') : undefined;
  if (fatal) {
    const at =
      'offset' in fatal && fatal.offset !== undefined
        ? ` at byte offset ${fatal.offset}`
        : fatal.line
          ? ` at line ${fatal.line}`
          : '';
    throw new InputError(`${opts.file}${at}: ${fatal.message} (${fatal.code})`);
  }
  explainWithSnapshots(report.findings, snapshots);
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
    for (const d of report.diagnostics.filter((x) => x.severity === 'error'))
      process.stderr.write(`podpath: warning: ${opts.file}: ${d.message}\n`);
  } else
    console.log(
      renderReportText(report, { color: Boolean(process.stdout.isTTY) && !process.env['NO_COLOR'] }),
    );
  const worst = Math.max(0, ...report.findings.map((f) => RANK[f.severity]));
  return worst >= RANK[failOn] ? 1 : 0;
}

async function loadNames(
  paths: string[],
  cluster: string | undefined,
): Promise<{ names: Names; snapshots: NodeSnapshot[] }> {
  const maps: Names[] = [];
  const snapshots: NodeSnapshot[] = [];
  if (paths.length) {
    // loaded on demand: reading a capture needs none of the snapshot machinery
    const { loadSnapshots } = await import('../../snapshot/load.js');
    const { SnapshotError } = await import('../../snapshot/snapshot-error.js');
    try {
      for (const l of await loadSnapshots(paths)) {
        snapshots.push(l.snapshot);
        maps.push(namesFromSnapshot(l.snapshot));
      }
    } catch (e) {
      if (e instanceof SnapshotError) throw new InputError(e.message);
      throw e;
    }
  }
  if (cluster) {
    let doc: unknown;
    try {
      doc = JSON.parse(await readFile(cluster, 'utf8'));
    } catch (e) {
      throw new InputError(
        `${cluster}: cannot read the cluster inventory (kubectl ... -o json): ${(e as Error).message}`,
      );
    }
    maps.push(namesFromKubectl(doc));
  }
  return { names: mergeNames(...maps), snapshots };
}
