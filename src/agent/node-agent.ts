/**
 * @module agent/node-agent
 * The loop behind `podpath agent`: collect the node (read-only), run every check, update
 * the metrics, notice drift of the watched sysctls (log `old -> new`, tell the reporter),
 * keep the Node condition in step, and — only for checks named with `--remediate` — put a
 * known-good sysctl value back and say so. Collection and sysctl writes are injected so
 * tests can drive the loop; the CLI wires the real ones.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { NodeSnapshot } from '../snapshot/types.js';
import { buildCluster } from '../model/build.js';
import { ALL_CHECKS, runChecks } from '../checks/index.js';
import type { Finding } from '../checks/types.js';
import type { AgentMetrics } from './metrics.js';
import { REMEDIATIONS, WATCHED_SYSCTLS, sysctlPath } from './watched-sysctls.js';

export interface DriftEvent {
  name: string;
  old: string | undefined;
  new: string | undefined;
}

export interface ProblemState {
  problem: boolean;
  /** CamelCase of the first failing check, or NoProblem */
  reason: string;
  message: string;
}

/** What the agent tells Kubernetes (Events, Node condition); all optional and best effort. */
export interface Reporter {
  sysctlChanged?(e: DriftEvent, findings: Finding[]): Promise<void>;
  remediated?(check: string, sysctl: string, old: string, value: string): Promise<void>;
  condition?(state: ProblemState): Promise<void>;
}

export interface AgentOptions {
  collect: () => Promise<NodeSnapshot>;
  metrics: AgentMetrics;
  log: (line: string) => void;
  reporter?: Reporter;
  /** check ids whose sysctl the agent may restore */
  remediate?: string[];
  writeSysctl?: (name: string, value: string) => Promise<void>;
  /** the watched sysctls' values now (default: read from /proc/sys), for the cheap poll */
  readWatched?: () => Promise<Map<string, string | undefined>>;
  /** findings at these severities set the Node condition (default critical, warning) */
  conditionSeverities?: string[];
}

export interface RunSummary {
  ok: boolean;
  findings: Finding[];
  drift: DriftEvent[];
  remediated: string[];
  ms: number;
  error?: string;
}

export async function writeProcSysctl(name: string, value: string): Promise<void> {
  await writeFile(sysctlPath(name), `${value}\n`);
}

export async function readWatchedSysctls(): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>();
  for (const name of WATCHED_SYSCTLS) {
    try {
      out.set(name, (await readFile(sysctlPath(name), 'utf8')).trim());
    } catch {
      out.set(name, undefined);
    }
  }
  return out;
}

function camel(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

export function problemState(findings: Finding[], severities = ['critical', 'warning']): ProblemState {
  const bad = findings.filter((f) => severities.includes(f.severity));
  if (!bad.length)
    return { problem: false, reason: 'NoProblem', message: 'podpath finds no network problem on this node' };
  const ids = [...new Set(bad.map((f) => f.id))];
  return {
    problem: true,
    reason: camel(ids[0]!),
    message: bad
      .slice(0, 5)
      .map((f) => `${f.id}: ${f.title}`)
      .join('; ')
      .slice(0, 1000),
  };
}

export class NodeAgent {
  private last = new Map<string, string | undefined>();
  private first = true;
  private condition: string | undefined;
  private running: Promise<RunSummary> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private again = false;
  ready = false;
  lastError: string | undefined;

  private readonly o: AgentOptions;

  constructor(o: AgentOptions) {
    this.o = o;
  }

  /** One run; concurrent calls share the run in flight (and one more run follows it). */
  run(): Promise<RunSummary> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.runOnce().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        void this.run();
      }
    });
    return this.running;
  }

  /**
   * Runs now, then every `fullEveryMs` (default `intervalMs`); in between, every `intervalMs`,
   * only the watched sysctls are read and a change starts a full run at once.
   * `trigger()` runs early (pods changed).
   */
  start(intervalMs: number, fullEveryMs = intervalMs): void {
    // fixed rate: a run starts every period (at once when the last one took longer)
    let lastFull = 0;
    const tick = (): void => {
      const started = Date.now();
      const full = fullEveryMs <= intervalMs || started - lastFull >= fullEveryMs - 50;
      const step = full ? this.run().then(() => void (lastFull = started)) : this.poll();
      void step.finally(() => {
        if (this.timer !== undefined)
          this.timer = setTimeout(tick, Math.max(0, intervalMs - (Date.now() - started)));
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  /** The cheap check between full runs: true when a watched sysctl differs (a full run follows). */
  async poll(): Promise<boolean> {
    if (this.first) return false;
    const now = await (this.o.readWatched ?? readWatchedSysctls)();
    const changed = [...now].some(([k, v]) => this.last.get(k) !== v);
    if (changed) await this.run();
    return changed;
  }

  trigger(): void {
    void this.run();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async runOnce(): Promise<RunSummary> {
    const started = Date.now();
    const { metrics: m, log } = this.o;
    try {
      const snapshot = await this.o.collect();
      const cluster = buildCluster([{ snapshot, origin: 'live', sourceFiles: {} }]);
      const node = cluster.nodes[0]!;
      const { findings } = runChecks(cluster);
      const failing = new Map<string, Finding>();
      for (const f of findings) if (!failing.has(f.id)) failing.set(f.id, f);
      for (const c of ALL_CHECKS)
        m.checkFailing.set({ check: c.id, severity: c.severity }, failing.has(c.id) ? 1 : 0);
      const drift: DriftEvent[] = [];
      for (const name of WATCHED_SYSCTLS) {
        const v = node.host.sysctl.get(name)?.value;
        const num = v !== undefined ? Number(v) : NaN;
        if (Number.isFinite(num)) m.sysctl.set({ name }, num);
        else m.sysctl.remove({ name });
        if (!this.first && this.last.get(name) !== v) drift.push({ name, old: this.last.get(name), new: v });
        this.last.set(name, v);
      }
      const count = Number(node.host.sysctl.get('net.netfilter.nf_conntrack_count')?.value);
      const max = Number(node.host.sysctl.get('net.netfilter.nf_conntrack_max')?.value);
      if (Number.isFinite(count)) m.conntrackEntries.set(count);
      if (Number.isFinite(max)) m.conntrackMax.set(max);
      for (const d of drift) {
        m.sysctlChanges.inc({ name: d.name });
        log(`sysctl ${d.name} changed: ${d.old ?? '(absent)'} -> ${d.new ?? '(absent)'}`);
        await this.o.reporter
          ?.sysctlChanged?.(d, findings)
          .catch((e: unknown) => log(`event not sent: ${String(e)}`));
      }
      const remediated: string[] = [];
      for (const id of this.o.remediate ?? []) {
        const r = REMEDIATIONS[id];
        if (!r || !failing.has(id)) continue;
        const old = node.host.sysctl.get(r.sysctl)?.value ?? '(absent)';
        try {
          await (this.o.writeSysctl ?? writeProcSysctl)(r.sysctl, r.value);
          remediated.push(id);
          log(`remediate ${id}: set ${r.sysctl} ${old} -> ${r.value}`);
          await this.o.reporter
            ?.remediated?.(id, r.sysctl, old, r.value)
            .catch((e: unknown) => log(`event not sent: ${String(e)}`));
        } catch (e) {
          log(`remediate ${id}: cannot set ${r.sysctl}=${r.value}: ${(e as Error).message}`);
        }
      }
      const state = problemState(findings, this.o.conditionSeverities);
      const key = `${state.problem}|${state.reason}|${state.message}`;
      if (key !== this.condition) {
        const ok = await (this.o.reporter?.condition?.(state) ?? Promise.resolve()).then(
          () => true,
          (e: unknown) => {
            log(`node condition not updated: ${String(e)}`);
            return false;
          },
        );
        if (ok) this.condition = key;
        if (state.problem || !this.first)
          log(`condition PodpathNetworkProblem=${state.problem ? 'True' : 'False'} (${state.reason})`);
      }
      this.first = false;
      this.ready = true;
      this.lastError = undefined;
      const ms = Date.now() - started;
      m.lastRun.set(Date.now() / 1000);
      m.runDuration.set(ms / 1000);
      m.runs.inc({ result: 'ok' });
      return { ok: true, findings, drift, remediated, ms };
    } catch (e) {
      m.runs.inc({ result: 'error' });
      this.lastError = (e as Error).message;
      log(`run failed: ${(e as Error).message}`);
      return {
        ok: false,
        findings: [],
        drift: [],
        remediated: [],
        ms: Date.now() - started,
        error: this.lastError,
      };
    }
  }
}
