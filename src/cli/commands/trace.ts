/**
 * @module cli/commands/trace
 * `podpath trace --snapshot S [...] --from SRC --to DST:PORT [--proto tcp|udp] [--json] [--brief]`
 * Exit 0 when the client connects on every path, 1 when some path fails, 2 on bad input.
 */
import { parseFlags, UsageError, InputError } from '../args.js';
import { loadCluster, useColor } from '../load-cluster.js';
import {
  INVENTORY_FLAGS,
  INVENTORY_HELP,
  inventoryFromFlags,
  sourceFlag,
  targetFlag,
} from '../load-inventory.js';
import { addInventoryNames } from '../../cluster/inventory-names.js';
import { toModelInventory } from '../../cluster/to-model-inventory.js';
import { traceFlow, TraceError } from '../../diagnose/trace.js';
import { collectNames } from '../../diagnose/names.js';
import { renderTrace, makeStyle } from '../../diagnose/render-trace.js';
import { checkFindings } from '../../diagnose/findings.js';

const HELP = `usage: podpath trace --snapshot S [--snapshot S2 ...] [--cluster C] --from SRC --to DST:PORT [--proto tcp|udp] [--json] [--brief]

Walks one flow through the node model, request and reply, one path per load-balancing choice,
and says what the client application sees: connected, refused, timeout, unreachable (or mixed).
  --snapshot S   a node snapshot (JSON from podpath collect, a directory, or a .tar.gz); repeat per node
  --from SRC     the client: a pod IP (or a node IP), or ns/pod with an inventory
  --to DST:PORT  a Service ClusterIP:port, a pod IP:port, svc:ns/name:port, ns/pod:port
${INVENTORY_HELP}
  --proto P      tcp (default) or udp
  --json         the trace as JSON (ARCHITECTURE §4)
  --brief        no hop lists, only the paths and causes
  --keep-going   parse errors in a snapshot are warnings: trace on what could be read`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    snapshot: { type: 'string', multiple: true },
    ...INVENTORY_FLAGS,
    from: { type: 'string' },
    to: { type: 'string' },
    proto: { type: 'string', default: 'tcp' },
    json: { type: 'boolean', default: false },
    brief: { type: 'boolean', default: false },
    'keep-going': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!values.from || !values.to) throw new UsageError('trace needs --from SRC and --to DST:PORT');
  const inv = await inventoryFromFlags(values, { quiet: values.json });
  const from = sourceFlag(values.from, inv);
  const to = targetFlag(values.to, inv);
  const proto = to.proto && !argv.includes('--proto') ? to.proto : values.proto;
  if (proto !== 'tcp' && proto !== 'udp') throw new UsageError(`--proto ${proto}: expected tcp or udp`);
  const cluster = await loadCluster(values.snapshot ?? [], {
    quiet: values.json,
    keepGoing: values['keep-going'],
  });
  if (inv) cluster.inventory = toModelInventory(inv);
  let t;
  try {
    t = traceFlow(cluster, { proto, src: from.ip, dst: to.ip, dport: to.port }, { findings: checkFindings });
  } catch (e) {
    if (e instanceof TraceError) throw new InputError(e.message);
    throw e;
  }
  if (values.json) console.log(JSON.stringify(t, null, 2));
  else {
    const names = collectNames(cluster);
    if (inv) addInventoryNames(names, inv);
    console.log(renderTrace(t, names, makeStyle(useColor()), { hops: !values.brief }));
  }
  return t.outcome === 'connected' ? 0 : 1;
}
