/**
 * @module cli/commands/probe
 * `podpath probe [--cluster C | --kubeconfig F] [--service ns/name[:port] ...] [--json]`:
 * active checks from the pod (or node) this runs in — a DaemonSet pod or `kubectl debug`.
 * For each Service port: DNS, ClusterIP connects, each endpoint's pod IP, same-node vs
 * cross-node, explained; with --snapshot, the model's prediction beside it. TCP handshakes
 * and DNS queries only, bounded concurrency and timeouts. Exit 1 when a Service is degraded.
 */
import { networkInterfaces } from 'node:os';
import { parseFlags, UsageError, InputError } from '../args.js';
import { INVENTORY_FLAGS, INVENTORY_HELP, inventoryFromFlags } from '../load-inventory.js';
import { loadCluster } from '../load-cluster.js';
import { parseDuration } from '../../agent/duration.js';
import { planProbes } from '../../probe/plan-probes.js';
import { runProbes } from '../../probe/run-probe.js';
import { renderProbe, type ProbeReport } from '../../probe/render-probe.js';
import { traceFlow } from '../../diagnose/trace.js';
import type { Inventory } from '../../cluster/types.js';

const HELP = `usage: podpath probe [--cluster C | --kubeconfig F [--context C]] [--service ns/name[:port] ...]
                     [--node NAME] [--timeout 2s] [--concurrency 4] [--attempts N]
                     [--no-dns] [--dns-server IP] [--cluster-domain D] [--snapshot S ...] [--json]

Probes Services from this pod's network namespace, as the incident was narrowed by hand:
resolve the Service name, connect to the ClusterIP (several times, to meet several backends),
connect to each endpoint's pod IP; endpoints are same-node or cross-node. TCP handshakes and
DNS queries only. Inside a cluster the in-cluster service account gives the inventory.
${INVENTORY_HELP}
  --service S      ns/name or ns/name:port (repeatable; default: every ClusterIP Service)
  --node NAME      the node this pod runs on (default $NODE_NAME, or found from this pod's IP)
  --timeout D      per connect / DNS query (default 2s)
  --concurrency N  probes at a time (default 4)
  --attempts N     ClusterIP connects per Service (default 3 per endpoint, 6..12)
  --no-dns         skip the DNS step;  --dns-server IP  ask this server instead of resolv.conf
  --snapshot S     node snapshots: add the model's prediction per endpoint`;

function localIPv4(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address);
}

function whoAmI(inv: Inventory, ips: string[]): { pod?: string; node?: string } {
  const pod = inv.pods.find((p) => !p.hostNetwork && p.ips.some((i) => ips.includes(i)));
  if (pod) return { pod: `${pod.namespace}/${pod.name}`, ...(pod.node ? { node: pod.node } : {}) };
  const node = inv.nodes.find((n) => n.addresses.some((a) => ips.includes(a.address)));
  return node ? { node: node.name } : {};
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    ...INVENTORY_FLAGS,
    service: { type: 'string', multiple: true },
    node: { type: 'string' },
    timeout: { type: 'string', default: '2s' },
    concurrency: { type: 'string', default: '4' },
    attempts: { type: 'string' },
    'no-dns': { type: 'boolean', default: false },
    'dns-server': { type: 'string' },
    'cluster-domain': { type: 'string', default: 'cluster.local' },
    snapshot: { type: 'string', multiple: true },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const timeoutMs = parseDuration(values.timeout);
  if (!timeoutMs) throw new UsageError(`--timeout ${values.timeout}: expected a duration like 500ms or 2s`);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw new UsageError(`--concurrency ${values.concurrency}: expected 1..64`);
  const attempts = values.attempts !== undefined ? Number(values.attempts) : undefined;
  if (attempts !== undefined && (!Number.isInteger(attempts) || attempts < 0 || attempts > 100))
    throw new UsageError(`--attempts ${values.attempts}: expected 0..100`);
  const inv = await inventoryFromFlags(values, { quiet: values.json, discover: true });
  if (!inv)
    throw new InputError(
      'probe needs the Services: give --cluster FILE or --kubeconfig (in a pod: a service account that may list them)',
    );
  const ips = localIPv4();
  const me = whoAmI(inv, ips);
  const node = values.node ?? (process.env['NODE_NAME'] || me.node);
  const plan = planProbes(inv, {
    ...(node ? { node } : {}),
    ...(values.service ? { only: values.service } : {}),
    clusterDomain: values['cluster-domain'],
  });
  if (values.service?.length && !plan.targets.length)
    throw new InputError(`--service ${values.service.join(', ')}: no such TCP Service port in ${inv.source}`);
  const services = await runProbes(plan.targets, {
    timeoutMs,
    concurrency,
    dns: !values['no-dns'],
    ...(attempts !== undefined ? { attempts } : {}),
    ...(values['dns-server'] ? { dnsServer: values['dns-server'] } : {}),
  });
  if (values.snapshot?.length) {
    const cluster = await loadCluster(values.snapshot, { quiet: true });
    const src = ips.find((i) => inv.pods.some((p) => p.ips.includes(i))) ?? ips[0];
    for (const s of services) {
      if (!src) break;
      try {
        const t = traceFlow(cluster, { proto: 'tcp', src, dst: s.target.clusterIP, dport: s.target.port });
        s.simulated = t.paths.map((p) => ({
          endpoint: p.endpoint,
          outcome: p.outcome,
          ...(p.causeId && p.outcome !== 'connected' ? { cause: p.causeId } : {}),
        }));
      } catch (e) {
        s.simulated = [{ endpoint: '-', outcome: 'unknown', cause: (e as Error).message }];
      }
    }
  }
  const report: ProbeReport = {
    from: { ips, ...(me.pod ? { pod: me.pod } : {}), ...(node ? { node } : {}) },
    timeoutMs,
    concurrency,
    services,
    skipped: plan.skipped,
  };
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else console.log(renderProbe(report));
  return services.every((s) => s.verdict === 'ok') ? 0 : 1;
}
