/**
 * `podpath agent` inside a real lab node namespace (root): bridge-nf-call-iptables is flipped
 * there with sysctl(8), the agent's metric follows within two intervals and back, and a real
 * Prometheus (Debian package) in the same namespace scrapes it and evaluates deploy/'s alert.
 * Also measures the agent's RSS and CPU. Without root (or without prometheus) it says so and skips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labAvailability } from '../lab/build/host.js';
import { nodeNetns } from '../lab/build/names.js';
import { loadScenario } from '../lab/scenario/load-scenario.js';
import { withLab } from '../lab/with-lab.js';
import { cliArgv } from '../collect/collect-in-netns.js';
import { runCommand } from '../collect/run-command.js';
import { findRepoRoot } from '../snapshot/repo-root.js';
import { nsFetch, sampleValue } from './testing/ns-fetch.js';

const why = labAvailability();
const prometheus = ['/usr/bin/prometheus', '/usr/local/bin/prometheus'].find(existsSync);
const root = findRepoRoot(import.meta.url);
const INTERVAL_MS = 2000;
const BRIDGE = 'net.bridge.bridge-nf-call-iptables';

async function stop(p: ChildProcess | undefined): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => p.once('exit', () => resolve()));
  p.kill('SIGTERM');
  const t = setTimeout(() => p.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(t);
}

async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** utime+stime+cutime+cstime (the agent and the tools it ran; clock ticks, 100 Hz) and VmRSS (kB) */
function usage(pid: number): { ticks: number; rssKb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const rss = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/);
  return {
    ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]),
    rssKb: Number(rss?.[1] ?? 0),
  };
}

test('agent in a lab node: a sysctl flip shows within 2 intervals and back; Prometheus scrapes it and the alert goes pending', async (t) => {
  if (why) return t.skip('needs root: lab tests skipped');
  if (!prometheus) return t.skip('prometheus not installed (Debian package prometheus): skipped');
  await withLab(loadScenario('healthy'), async (lab) => {
    const ns = nodeNetns(lab.prefix, 'node1');
    const tmp = mkdtempSync(join(tmpdir(), 'pp-agent-lab-'));
    const cfg = join(tmp, 'prometheus.yml');
    writeFileSync(
      cfg,
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        `rule_files: [${JSON.stringify(join(root, 'deploy', 'prometheus', 'podpath-rules.yaml'))}]`,
        'scrape_configs:',
        '  - job_name: podpath-agent',
        '    static_configs: [{ targets: ["127.0.0.1:9807"] }]',
        '',
      ].join('\n'),
    );
    const [node, ...pre] = cliArgv();
    let agent: ChildProcess | undefined;
    let prom: ChildProcess | undefined;
    const fetcher = nsFetch(ns);
    let log = '';
    try {
      agent = spawn(
        'ip',
        [
          'netns',
          'exec',
          ns,
          node!,
          ...pre,
          'agent',
          '--interval',
          '2s',
          '--listen',
          '127.0.0.1:9807',
          '--offline',
          '--node',
          'node1',
          '--no-pods',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      agent.stderr!.on('data', (d: Buffer) => (log += d));
      prom = spawn(
        'ip',
        [
          'netns',
          'exec',
          ns,
          prometheus,
          `--config.file=${cfg}`,
          `--storage.tsdb.path=${join(tmp, 'data')}`,
          '--web.listen-address=127.0.0.1:9090',
          '--log.level=error',
        ],
        { stdio: ['ignore', 'ignore', 'inherit'] },
      );
      const metrics = async () => {
        const r = await fetcher.get('http://127.0.0.1:9807/metrics');
        return r.status === 200 ? r.body : undefined;
      };
      await until(
        'the agent to be ready',
        async () => ((await fetcher.get('http://127.0.0.1:9807/readyz')).status === 200 ? true : undefined),
        30_000,
      );
      assert.equal((await fetcher.get('http://127.0.0.1:9807/healthz')).body, 'ok\n');
      const first = (await metrics())!;
      assert.equal(sampleValue(first, 'podpath_sysctl', { name: BRIDGE }), 1);
      assert.equal(
        sampleValue(first, 'podpath_check_failing', { check: 'bridge-nf-call-iptables-disabled' }),
        0,
      );
      const before = usage(agent.pid!);
      const startedAt = Date.now();

      const flip = async (value: 0 | 1) => {
        const w = await runCommand('ip', ['netns', 'exec', ns, 'sysctl', '-w', `${BRIDGE}=${value}`]);
        assert.equal(w.exitCode, 0, w.stderr);
        const t0 = Date.now();
        const text = await until(
          `podpath_sysctl ${BRIDGE} = ${value}`,
          async () => {
            const m = await metrics();
            return m && sampleValue(m, 'podpath_sysctl', { name: BRIDGE }) === value ? m : undefined;
          },
          6 * INTERVAL_MS,
        );
        const lag = Date.now() - t0;
        const runS = sampleValue(text, 'podpath_last_run_duration_seconds') ?? 0;
        t.diagnostic(
          `flip to ${value}: metric followed after ${lag} ms (interval ${INTERVAL_MS} ms, last run ${Math.round(runS * 1000)} ms)`,
        );
        assert.ok(lag <= 2 * INTERVAL_MS + runS * 1000, `lag ${lag} ms is more than 2 intervals`);
        assert.equal(
          sampleValue(text, 'podpath_check_failing', { check: 'bridge-nf-call-iptables-disabled' }),
          value ? 0 : 1,
        );
      };
      const promValue = async (q: string) => {
        const r = await fetcher.get(`http://127.0.0.1:9090/api/v1/query?query=${encodeURIComponent(q)}`);
        if (r.status !== 200) return undefined;
        const res = (JSON.parse(r.body) as { data: { result: { value: [number, string] }[] } }).data.result;
        return res[0]?.value[1];
      };
      const alertState = async () => {
        const r = await fetcher.get('http://127.0.0.1:9090/api/v1/rules?type=alert');
        if (r.status !== 200) return undefined;
        const groups = (
          JSON.parse(r.body) as { data: { groups: { rules: { name: string; state: string }[] }[] } }
        ).data.groups;
        return groups.flatMap((g) => g.rules).find((x) => x.name === 'PodpathBridgeNfCallIptablesDisabled')
          ?.state;
      };
      const q = `podpath_sysctl{name="${BRIDGE}"}`;
      await until(
        'Prometheus to scrape the agent',
        async () => ((await promValue(q)) === '1' ? true : undefined),
        30_000,
      );
      assert.equal(await alertState(), 'inactive');

      await flip(0);
      assert.match(log, /sysctl net\.bridge\.bridge-nf-call-iptables changed: 1 -> 0/);
      await until(
        'Prometheus to see 0',
        async () => ((await promValue(q)) === '0' ? true : undefined),
        10_000,
      );
      await until(
        'the alert to go pending',
        async () => ((await alertState()) === 'pending' ? true : undefined),
        10_000,
      );
      assert.equal(await promValue('podpath_check_failing{check="bridge-nf-call-iptables-disabled"}'), '1');

      await flip(1);
      assert.match(log, /changed: 0 -> 1/);
      await until(
        'Prometheus to see 1 again',
        async () => ((await promValue(q)) === '1' ? true : undefined),
        10_000,
      );
      await until(
        'the alert to be inactive',
        async () => ((await alertState()) === 'inactive' ? true : undefined),
        10_000,
      );

      const after = usage(agent.pid!);
      const secs = (Date.now() - startedAt) / 1000;
      const cpu = (after.ticks - before.ticks) / 100 / secs;
      t.diagnostic(
        `agent at 2s: RSS ${Math.round(after.rssKb / 1024)} MB, CPU ${(cpu * 100).toFixed(1)}% of a core over ${secs.toFixed(0)} s (${(((after.ticks - before.ticks) * 10) / ((secs * 1000) / INTERVAL_MS)).toFixed(0)} ms CPU per interval)`,
      );
      assert.equal(agent.exitCode, null, `the agent is still running: ${log}`);
    } finally {
      fetcher.close();
      await stop(agent);
      await stop(prom);
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

test('agent --once --remediate in a lab node: puts bridge-nf-call-iptables back to 1 and says so', async (t) => {
  if (why) return t.skip('needs root: lab tests skipped');
  await withLab(loadScenario('healthy'), async (lab) => {
    const ns = nodeNetns(lab.prefix, 'node1');
    const [node, ...pre] = cliArgv();
    assert.equal((await runCommand('ip', ['netns', 'exec', ns, 'sysctl', '-w', `${BRIDGE}=0`])).exitCode, 0);
    const ro = await runCommand('ip', [
      'netns',
      'exec',
      ns,
      node!,
      ...pre,
      'agent',
      '--once',
      '--offline',
      '--no-pods',
      '--node',
      'node1',
    ]);
    assert.equal(
      sampleValue(ro.stdout, 'podpath_check_failing', { check: 'bridge-nf-call-iptables-disabled' }),
      1,
    );
    assert.equal(
      (await runCommand('ip', ['netns', 'exec', ns, 'sysctl', '-n', BRIDGE])).stdout.trim(),
      '0',
      'read-only by default',
    );
    const r = await runCommand('ip', [
      'netns',
      'exec',
      ns,
      node!,
      ...pre,
      'agent',
      '--once',
      '--offline',
      '--no-pods',
      '--node',
      'node1',
      '--remediate',
      'bridge-nf-call-iptables-disabled',
    ]);
    assert.match(
      r.stderr,
      /remediate bridge-nf-call-iptables-disabled: set net\.bridge\.bridge-nf-call-iptables 0 -> 1/,
    );
    assert.equal((await runCommand('ip', ['netns', 'exec', ns, 'sysctl', '-n', BRIDGE])).stdout.trim(), '1');
  });
});

test('agent --full-every 10m in a lab node: the cheap poll still notices the flip within 2 intervals', async (t) => {
  if (why) return t.skip('needs root: lab tests skipped');
  await withLab(loadScenario('healthy'), async (lab) => {
    const ns = nodeNetns(lab.prefix, 'node1');
    const [node, ...pre] = cliArgv();
    const fetcher = nsFetch(ns);
    let agent: ChildProcess | undefined;
    let log = '';
    try {
      agent = spawn(
        'ip',
        [
          'netns',
          'exec',
          ns,
          node!,
          ...pre,
          'agent',
          '--interval',
          '2s',
          '--full-every',
          '10m',
          '--listen',
          '127.0.0.1:9807',
          '--offline',
          '--node',
          'node1',
          '--no-pods',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      agent.stderr!.on('data', (d: Buffer) => (log += d));
      await until(
        'the agent to be ready',
        async () => ((await fetcher.get('http://127.0.0.1:9807/readyz')).status === 200 ? true : undefined),
        30_000,
      );
      const runs = async () =>
        sampleValue((await fetcher.get('http://127.0.0.1:9807/metrics')).body, 'podpath_runs_total', {
          result: 'ok',
        });
      await new Promise((r) => setTimeout(r, 3 * INTERVAL_MS));
      assert.equal(await runs(), 1, 'no full run while nothing changes');
      assert.equal(
        (await runCommand('ip', ['netns', 'exec', ns, 'sysctl', '-w', `${BRIDGE}=0`])).exitCode,
        0,
      );
      const t0 = Date.now();
      const text = await until(
        'the metric to follow',
        async () => {
          const b = (await fetcher.get('http://127.0.0.1:9807/metrics')).body;
          return sampleValue(b, 'podpath_sysctl', { name: BRIDGE }) === 0 ? b : undefined;
        },
        6 * INTERVAL_MS,
      );
      const lag = Date.now() - t0;
      const runS = sampleValue(text, 'podpath_last_run_duration_seconds') ?? 0;
      t.diagnostic(
        `--full-every 10m: metric followed after ${lag} ms (last run ${Math.round(runS * 1000)} ms)`,
      );
      assert.ok(lag <= 2 * INTERVAL_MS + runS * 1000, `lag ${lag} ms`);
      assert.equal(
        sampleValue(text, 'podpath_check_failing', { check: 'bridge-nf-call-iptables-disabled' }),
        1,
      );
      assert.equal(await runs(), 2, 'the change started one full run');
      assert.match(log, /changed: 1 -> 0/);
    } finally {
      fetcher.close();
      await stop(agent);
    }
  });
});
