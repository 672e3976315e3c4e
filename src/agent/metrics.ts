/**
 * @module agent/metrics
 * The agent's Prometheus metrics (prom-client, own registry): one gauge per check that is
 * 0 or 1, the watched sysctls, conntrack fill, the time of the last run, plus the process
 * metrics (RSS, CPU) so the agent's own footprint is visible.
 */
import { Registry, Gauge, Counter, collectDefaultMetrics } from 'prom-client';

export interface AgentMetrics {
  registry: Registry;
  checkFailing: Gauge<'check' | 'severity'>;
  sysctl: Gauge<'name'>;
  conntrackEntries: Gauge;
  conntrackMax: Gauge;
  lastRun: Gauge;
  runDuration: Gauge;
  runs: Counter<'result'>;
  sysctlChanges: Counter<'name'>;
}

export function makeMetrics(opts: { processMetrics?: boolean } = {}): AgentMetrics {
  const registry = new Registry();
  const m: AgentMetrics = {
    registry,
    checkFailing: new Gauge({
      name: 'podpath_check_failing',
      help: '1 when the check finds a problem on this node, 0 when it does not',
      labelNames: ['check', 'severity'],
      registers: [registry],
    }),
    sysctl: new Gauge({
      name: 'podpath_sysctl',
      help: 'value of a watched sysctl in the node network namespace',
      labelNames: ['name'],
      registers: [registry],
    }),
    conntrackEntries: new Gauge({
      name: 'podpath_conntrack_entries',
      help: 'conntrack entries in use (net.netfilter.nf_conntrack_count)',
      registers: [registry],
    }),
    conntrackMax: new Gauge({
      name: 'podpath_conntrack_max',
      help: 'conntrack table size (net.netfilter.nf_conntrack_max)',
      registers: [registry],
    }),
    lastRun: new Gauge({
      name: 'podpath_last_run_timestamp_seconds',
      help: 'end of the last completed collect-and-check run, seconds since the epoch',
      registers: [registry],
    }),
    runDuration: new Gauge({
      name: 'podpath_last_run_duration_seconds',
      help: 'how long the last collect-and-check run took',
      registers: [registry],
    }),
    runs: new Counter({
      name: 'podpath_runs_total',
      help: 'collect-and-check runs, by result (ok, error)',
      labelNames: ['result'],
      registers: [registry],
    }),
    sysctlChanges: new Counter({
      name: 'podpath_sysctl_changes_total',
      help: 'changes of a watched sysctl seen between two runs',
      labelNames: ['name'],
      registers: [registry],
    }),
  };
  if (opts.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'podpath_' });
  return m;
}
