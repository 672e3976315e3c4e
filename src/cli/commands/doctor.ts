/**
 * @module cli/commands/doctor
 * `podpath doctor [--snapshot S ...] [--node NAME] [--cluster C | --kubeconfig F] [--json]`:
 * on a node (root): collect it, run every check, trace every local pod to every Service
 * port through every endpoint, and print the failing pairs grouped by cause. With
 * --snapshot it works on snapshots instead (no root). Exit 1 when a pair fails.
 */
import { hostname } from 'node:os';
import { parseFlags, InputError } from '../args.js';
import { loadCluster } from '../load-cluster.js';
import { INVENTORY_FLAGS, INVENTORY_HELP, inventoryFromFlags } from '../load-inventory.js';
import { collectNames } from '../../diagnose/names.js';
import { addInventoryNames } from '../../cluster/inventory-names.js';
import { doctorMatrix } from '../../diagnose/doctor.js';
import { renderDoctor } from '../../diagnose/render-doctor.js';
import { TraceError } from '../../diagnose/trace.js';
import { buildCluster } from '../../model/build.js';
import type { ClusterModel } from '../../model/node.js';

const HELP = `usage: podpath doctor [--snapshot S ...] [--node NAME] [--cluster C | --kubeconfig F [--context C]] [--json]

On a node (root): collects this node (read-only), runs every check and traces every local
pod to every Service port through every endpoint, then groups the failing pairs by cause.
  --snapshot S   work on snapshots instead of the live node (repeat per node; no root needed)
  --node NAME    whose pods are the clients (default: this node, or the first snapshot)
${INVENTORY_HELP}
  --json         the result as JSON
  --quiet        no progress on stderr
Exit codes: 0 every pair connects, 1 some pair fails, 2 bad usage or input.`;

function progressPrinter(quiet: boolean): (done: number, total: number) => void {
  const started = Date.now();
  let last = 0;
  const tty = process.stderr.isTTY;
  let shown = false;
  return (done, total) => {
    if (quiet) return;
    const now = Date.now();
    // only long runs: nothing in the first second, then at most one line a second, and the last
    if (done !== total && (now - started < 1000 || now - last < 1000)) return;
    if (done === total && !shown) return;
    last = now;
    shown = true;
    const line = `doctor: traced ${done}/${total} flows (${Math.round((done / Math.max(total, 1)) * 100)}%)`;
    process.stderr.write(tty ? `\r${line}${done === total ? '\n' : ''}` : `${line}\n`);
  };
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    snapshot: { type: 'string', multiple: true },
    node: { type: 'string' },
    ...INVENTORY_FLAGS,
    json: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const quiet = values.quiet;
  const inv = await inventoryFromFlags(values, { quiet: values.json });
  let cluster: ClusterModel;
  let node = values.node;
  if (values.snapshot?.length) {
    cluster = await loadCluster(values.snapshot, { quiet: values.json });
  } else {
    if (process.getuid?.() !== 0)
      throw new InputError(
        'doctor on the live node needs root (reading iptables and conntrack); or give --snapshot',
      );
    const { collectSnapshot } = await import('../../collect/collect.js');
    node ??= process.env['NODE_NAME'] || undefined;
    const snap = await collectSnapshot({
      ...(node ? { node } : {}),
      progress: (l) => {
        if (!quiet) process.stderr.write(`doctor: ${l}\n`);
      },
    });
    node ??= snap.metadata.node || hostname();
    cluster = buildCluster([{ snapshot: snap, origin: `live ${snap.metadata.node}`, sourceFiles: {} }]);
  }
  const names = collectNames(cluster);
  if (inv) addInventoryNames(names, inv);
  let result;
  try {
    result = doctorMatrix(cluster, {
      ...(node ? { node } : {}),
      ...(inv ? { inventory: inv } : {}),
      names,
      progress: progressPrinter(quiet || values.json),
    });
  } catch (e) {
    if (e instanceof TraceError) throw new InputError(e.message);
    throw e;
  }
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else console.log(renderDoctor(result));
  return result.groups.length ? 1 : 0;
}
