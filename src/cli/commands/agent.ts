/**
 * @module cli/commands/agent
 * `podpath agent [--interval 30s] [--listen 127.0.0.1:9807] [--remediate CHECK ...]`:
 * the DaemonSet side of podpath. Re-collects this node every interval (and when its pods
 * change, with an API), runs the checks, serves Prometheus metrics, logs and reports drift
 * of the watched sysctls. Read-only unless --remediate names a check.
 */
import { existsSync } from 'node:fs';
import { hostname, homedir } from 'node:os';
import { join } from 'node:path';
import { parseFlags, UsageError, InputError } from '../args.js';
import { collectSnapshot } from '../../collect/collect.js';
import { parseDuration, formatDuration } from '../../agent/duration.js';
import { makeMetrics } from '../../agent/metrics.js';
import { NodeAgent } from '../../agent/node-agent.js';
import { REMEDIATIONS } from '../../agent/watched-sysctls.js';
import { parseListen, serveMetrics } from '../../agent/serve-metrics.js';
import type { Reporter } from '../../agent/node-agent.js';

const HELP = `usage: podpath agent [--interval 30s] [--full-every D] [--listen 127.0.0.1:9807] [--node NAME] [--remediate CHECK ...]
                     [--kubeconfig F] [--context C] [--offline] [--no-pods] [--once]

Watches this node: every --interval it collects the node (read-only), runs every check and
updates the metrics on --listen (/metrics, /healthz, /readyz). A watched sysctl that changes
is logged (old -> new) and, when an API is reachable (in-cluster service account or
--kubeconfig), reported as an Event on the Node and as the Node condition PodpathNetworkProblem.
  --interval D      2s, 30s, 1m ... (default 30s)
  --full-every D    collect and check everything only this often (default: every interval);
                    in between only the watched sysctls are read, and a change runs everything
  --listen A        host:port for the metrics (default 127.0.0.1:9807; the DaemonSet uses the pod IP)
  --node NAME       the Node object (default $NODE_NAME, else the hostname)
  --remediate CHECK opt-in: when CHECK fails, write its known-good sysctl back and log it
                    (${Object.keys(REMEDIATIONS).join(', ')}); repeatable
  --events-namespace NS   namespace of the Events (default default)
  --offline         never talk to the API
  --no-pods         do not enter pod network namespaces
  --once            one run: print the metrics on stdout and exit (1 when a check fails)`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    interval: { type: 'string', default: '30s' },
    'full-every': { type: 'string' },
    listen: { type: 'string', default: '127.0.0.1:9807' },
    node: { type: 'string' },
    remediate: { type: 'string', multiple: true },
    kubeconfig: { type: 'string' },
    context: { type: 'string' },
    'events-namespace': { type: 'string', default: 'default' },
    offline: { type: 'boolean', default: false },
    'no-pods': { type: 'boolean', default: false },
    once: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const intervalMs = parseDuration(values.interval);
  if (intervalMs === undefined || intervalMs < 1000)
    throw new UsageError(
      `--interval ${values.interval}: expected a duration of at least 1s, like 2s, 30s or 1m`,
    );
  const fullEveryMs = values['full-every'] !== undefined ? parseDuration(values['full-every']) : intervalMs;
  if (fullEveryMs === undefined || fullEveryMs < intervalMs)
    throw new UsageError(
      `--full-every ${values['full-every']}: expected a duration of at least --interval, like 5m`,
    );
  const listen = parseListen(values.listen);
  if (!listen) throw new UsageError(`--listen ${values.listen}: expected HOST:PORT, e.g. 127.0.0.1:9807`);
  for (const r of values.remediate ?? [])
    if (!REMEDIATIONS[r])
      throw new UsageError(
        `--remediate ${r}: podpath can only restore ${Object.keys(REMEDIATIONS).join(', ')}`,
      );
  const node = values.node ?? (process.env['NODE_NAME'] || hostname());
  const log = (line: string): void => {
    process.stderr.write(`${new Date().toISOString()} podpath agent: ${line}\n`);
  };
  // the client library costs ~70 MB of RSS: loaded only when there is an API to talk to
  const wantApi =
    !values.offline && Boolean(values.kubeconfig || values.context || process.env['KUBERNETES_SERVICE_HOST']);
  const api = wantApi
    ? await connectApi(values.kubeconfig, values.context, node, values['events-namespace'])
    : undefined;
  const metrics = makeMetrics();
  const agent = new NodeAgent({
    collect: () =>
      collectSnapshot({
        node,
        podNetns: !values['no-pods'],
        concurrency: 2,
        timeoutMs: Math.max(intervalMs, 10_000),
      }),
    metrics,
    log,
    remediate: values.remediate ?? [],
    ...(api ? { reporter: api.reporter } : {}),
  });
  if (values.once) {
    const r = await agent.run();
    process.stdout.write(await metrics.registry.metrics());
    return !r.ok ? 3 : r.findings.some((f) => f.severity !== 'info') ? 1 : 0;
  }
  let server;
  try {
    server = await serveMetrics(
      metrics.registry,
      () => ({
        ready: agent.ready && !agent.lastError,
        ...(agent.lastError ? { why: agent.lastError } : {}),
      }),
      listen,
    );
  } catch (e) {
    throw new InputError(`--listen ${values.listen}: ${(e as Error).message}`);
  }
  log(
    `node ${node}, every ${formatDuration(intervalMs)}${fullEveryMs !== intervalMs ? ` (watched sysctls; full collection every ${formatDuration(fullEveryMs)} and on a change)` : ''}, metrics on http://${values.listen}/metrics, ${api ? `API ${api.server}` : 'no API'}, ${values.remediate?.length ? `remediates ${values.remediate.join(', ')}` : 'read-only'}`,
  );
  const watch = api?.watchPods(
    (type, p) => {
      if (type === 'ADDED' && !agent.ready) return;
      log(`pod ${p.namespace}/${p.name} ${type.toLowerCase()}: checking again`);
      agent.trigger();
    },
    (e) => log(`pod watch: ${String((e as Error)?.message ?? e)}`),
  );
  agent.start(intervalMs, fullEveryMs);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  log('stopping');
  watch?.stop();
  await agent.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return 0;
}

interface ApiLink {
  server: string;
  reporter: Reporter;
  watchPods(
    onChange: (type: string, p: { namespace: string; name: string }) => void,
    onError: (e: unknown) => void,
  ): { stop(): void };
}

async function connectApi(
  kubeconfig: string | undefined,
  context: string | undefined,
  node: string,
  eventsNamespace: string,
): Promise<ApiLink | undefined> {
  // in a pod (no kubeconfig anywhere): the light client, ~70 MB less RSS than the library
  if (
    !kubeconfig &&
    !context &&
    !process.env['KUBECONFIG'] &&
    !existsSync(join(homedir(), '.kube', 'config'))
  ) {
    const { inClusterConfig, LightApi } = await import('../../cluster/light-api.js');
    const cfg = inClusterConfig();
    if (cfg) {
      const { LightReporter } = await import('../../agent/light-reporter.js');
      const { watchNodePodsLight } = await import('../../cluster/light-watch-pods.js');
      const light = new LightApi(cfg);
      return {
        server: `${cfg.server} (service account, light client)`,
        reporter: new LightReporter(light, node, eventsNamespace),
        watchPods: (onChange, onError) => watchNodePodsLight(light, node, onChange, { onError }),
      };
    }
  }
  const { kubeConfigFor } = await import('../../cluster/load-inventory.js');
  const { KubeConfigError } = await import('../../cluster/kube-config.js');
  const { KubeReporter } = await import('../../agent/kube-reporter.js');
  const { watchNodePods } = await import('../../cluster/watch-pods.js');
  let kc;
  try {
    kc = kubeConfigFor({ ...(kubeconfig ? { kubeconfig } : {}), ...(context ? { context } : {}) });
  } catch (e) {
    if (e instanceof KubeConfigError) throw new InputError(e.message);
    throw e;
  }
  if (!kc) return undefined;
  return {
    server: kc.getCurrentCluster()?.server ?? '?',
    reporter: new KubeReporter(kc, node, eventsNamespace),
    watchPods: (onChange, onError) => watchNodePods(kc, node, onChange, { onError }),
  };
}
