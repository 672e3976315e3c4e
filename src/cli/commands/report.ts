/**
 * @module cli/commands/report
 * `podpath report --snapshot S... [--cluster C] [--from X --to Y] [--pcap F] -o report.html`:
 * one self-contained HTML file (inline CSS and SVG, no script, no network) with the check
 * findings, the pod -> Service matrix, a diagram per failing flow and the capture findings.
 * Exit 0 when no flow of the report fails, 1 when one does, 2 on bad input.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseFlags, UsageError, InputError } from '../args.js';
import { loadCluster } from '../load-cluster.js';
import {
  INVENTORY_FLAGS,
  INVENTORY_HELP,
  inventoryFromFlags,
  sourceFlag,
  targetFlag,
} from '../load-inventory.js';
import { toModelInventory } from '../../cluster/to-model-inventory.js';
import { buildReport } from '../../report/build-report.js';
import { renderReport } from '../../report/render-report.js';
import { TraceError } from '../../diagnose/trace.js';
import type { PcapReport } from '../../pcap/types.js';

const HELP = `usage: podpath report --snapshot S [--snapshot S2 ...] [--cluster C] [--from SRC --to DST:PORT] [--proto tcp|udp] [--pcap FILE] -o report.html

Writes one self-contained HTML page (no network needed to view it): the check findings, the
pod -> Service matrix, and for each failing flow a diagram of the packet path (request and
reply, the hop where it breaks with cause, evidence and fix), plus capture findings on a timeline.
  --snapshot S     a node snapshot (JSON, directory or .tar.gz); repeat per node
${INVENTORY_HELP}
  --from/--to      draw only this flow (all its paths), e.g. --from 10.224.1.34 --to 10.233.53.172:8080,
                   or by name with an inventory: --from ns/pod --to svc:ns/name:port
  --pcap FILE      a capture (pcap or pcapng) whose findings go on a timeline
  -o, --output F   where to write the page ('-' for stdout)`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    snapshot: { type: 'string', multiple: true },
    ...INVENTORY_FLAGS,
    from: { type: 'string' },
    to: { type: 'string' },
    proto: { type: 'string', default: 'tcp' },
    pcap: { type: 'string' },
    output: { type: 'string', short: 'o' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!values.output) throw new UsageError('report needs -o FILE (or -o - for stdout)');
  if (Boolean(values.from) !== Boolean(values.to)) throw new UsageError('--from and --to go together');
  const quiet = values.output === '-';
  const inv = await inventoryFromFlags(values, { quiet });
  const from = values.from ? sourceFlag(values.from, inv) : undefined;
  const to = values.to ? targetFlag(values.to, inv) : undefined;
  const proto = to?.proto && !argv.includes('--proto') ? to.proto : values.proto;
  if (proto !== 'tcp' && proto !== 'udp') throw new UsageError(`--proto ${proto}: expected tcp or udp`);
  const files = values.snapshot ?? [];
  const cluster = await loadCluster(files, { quiet });
  if (inv) cluster.inventory = toModelInventory(inv);
  let extraNames: Map<string, string> | undefined;
  for (const f of values.cluster ?? [])
    extraNames = new Map([...(extraNames ?? []), ...(await kubectlNames(f))]);
  const pcap = values.pcap ? await readCapture(values.pcap, extraNames) : undefined;
  let model;
  try {
    model = await buildReport(cluster, {
      files,
      extraNames,
      pcap,
      flow: to && from ? { proto, src: from.ip, dst: to.ip, dport: to.port } : undefined,
    });
  } catch (e) {
    if (e instanceof TraceError) throw new InputError(e.message);
    throw e;
  }
  const html = renderReport(model);
  if (values.output === '-') process.stdout.write(html);
  else {
    await writeFile(values.output, html);
    const failing = model.flows.reduce(
      (n, f) => n + f.paths.filter((p) => p.path.outcome !== 'connected').length,
      0,
    );
    console.error(
      `podpath: wrote ${values.output} (${(html.length / 1024).toFixed(0)} KiB): ${model.findings.length} finding(s), ${model.flows.length} flow(s) with ${failing} failing path(s)${pcap ? `, ${pcap.findings.length} capture finding(s)` : ''}`,
    );
  }
  return model.flows.some((f) => f.trace.outcome !== 'connected') ? 1 : 0;
}

async function kubectlNames(file: string): Promise<Map<string, string>> {
  const { namesFromKubectl } = await import('../../pcap/names.js');
  try {
    return namesFromKubectl(JSON.parse(await readFile(file, 'utf8')));
  } catch (e) {
    throw new InputError(
      `${file}: cannot read the cluster inventory (kubectl ... -o json): ${(e as Error).message}`,
    );
  }
}

async function readCapture(file: string, names: Map<string, string> | undefined): Promise<PcapReport> {
  const { analyzeFile } = await import('../../pcap/analyze.js');
  let r: PcapReport;
  try {
    r = await analyzeFile(file, { file, names });
  } catch (e) {
    throw new InputError(`${file}: cannot read: ${(e as Error).message}`);
  }
  const fatal = r.packets === 0 ? r.diagnostics.find((d) => d.severity === 'error') : undefined;
  if (fatal) throw new InputError(`${file}: ${fatal.message} (${fatal.code})`);
  return r;
}
