/**
 * @module cli/commands/trace
 * `podpath trace --snapshot S [...] --from SRC --to DST:PORT [--proto tcp|udp] [--json] [--brief]`
 * Exit 0 when the client connects on every path, 1 when some path fails, 2 on bad input.
 */
import { parseFlags, UsageError, InputError } from '../args.js';
import { loadCluster, parseHostPort, useColor } from '../load-cluster.js';
import { traceFlow, TraceError } from '../../diagnose/trace.js';
import { collectNames } from '../../diagnose/names.js';
import { renderTrace, makeStyle } from '../../diagnose/render-trace.js';
import { checkFindings } from '../../diagnose/findings.js';
import { isIPv4 } from '../../util/ipv4.js';

const HELP = `usage: podpath trace --snapshot S [--snapshot S2 ...] --from SRC --to DST:PORT [--proto tcp|udp] [--json] [--brief]

Walks one flow through the node model, request and reply, one path per load-balancing choice,
and says what the client application sees: connected, refused, timeout, unreachable (or mixed).
  --snapshot S   a node snapshot (JSON from podpath collect, a directory, or a .tar.gz); repeat per node
  --from SRC     the client: a pod IP (or a node IP)
  --to DST:PORT  a Service ClusterIP:port, a pod IP:port, ...
  --proto P      tcp (default) or udp
  --json         the trace as JSON (ARCHITECTURE §4)
  --brief        no hop lists, only the paths and causes`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    snapshot: { type: 'string', multiple: true },
    cluster: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    proto: { type: 'string', default: 'tcp' },
    json: { type: 'boolean', default: false },
    brief: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!values.from || !values.to) throw new UsageError('trace needs --from SRC and --to DST:PORT');
  if (!isIPv4(values.from))
    throw new InputError(
      `--from ${values.from}: expected a pod IP (names need --cluster, not supported yet)`,
    );
  const proto = values.proto;
  if (proto !== 'tcp' && proto !== 'udp') throw new UsageError(`--proto ${proto}: expected tcp or udp`);
  const to = parseHostPort(values.to, '--to');
  const cluster = await loadCluster(values.snapshot ?? [], { quiet: values.json });
  let t;
  try {
    t = traceFlow(
      cluster,
      { proto, src: values.from, dst: to.ip, dport: to.port },
      { findings: checkFindings },
    );
  } catch (e) {
    if (e instanceof TraceError) throw new InputError(e.message);
    throw e;
  }
  if (values.json) console.log(JSON.stringify(t, null, 2));
  else console.log(renderTrace(t, collectNames(cluster), makeStyle(useColor()), { hops: !values.brief }));
  return t.outcome === 'connected' ? 0 : 1;
}
