/**
 * @module lab/build/run-step
 * Executes one plan step. Every command acts inside a lab namespace (`ip -n`,
 * `bridge -n`, `ip netns exec`), except `ip netns add` of a `<prefix>-*` namespace.
 */
import { closeSync, openSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { runCommand, type RunResult } from '../../collect/run-command.js';
import { agentPath } from './agents.js';
import type { Step } from './plan.js';

export class LabBuildError extends Error {
  override name = 'LabBuildError';
}

export interface StepContext {
  prefix: string;
  stateDir: string;
  /** set when SIGINT/SIGTERM arrived: long waits give up */
  aborted: () => boolean;
}

export interface StepOutcome {
  /** responder pid */
  pid?: number;
  /** optional step that the kernel refused */
  note?: string;
}

function fail(step: Step, r: RunResult, input?: string): never {
  let where = '';
  const m = /Command failed -:(\d+)/.exec(r.stderr);
  if (m && input) where = `\n  at batch line ${m[1]}: ${input.split('\n')[Number(m[1]) - 1] ?? ''}`;
  throw new LabBuildError(`${step.what}: ${r.command} exited ${r.exitCode}: ${r.stderr.trim()}${where}`);
}

async function startResponder(step: Extract<Step, { kind: 'responder' }>, ctx: StepContext): Promise<number> {
  const log = join(ctx.stateDir, `responder-${step.ns}.log`);
  const fd = openSync(log, 'w');
  const listen = step.pod.listeners.map((l) => `${l.proto}:${l.port}`).join(',');
  const args = [
    'netns',
    'exec',
    step.ns,
    process.execPath,
    agentPath('responder'),
    '--name',
    `${step.pod.namespace}/${step.pod.name}`,
    '--ip',
    step.pod.ip,
    '--listen',
    listen,
    '--prefix',
    ctx.prefix,
  ];
  const child = spawn('ip', args, { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const pid = child.pid;
  child.unref();
  if (pid === undefined) throw new LabBuildError(`${step.what}: could not start ip netns exec`);
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? -1));
  const until = Date.now() + 10_000;
  while (Date.now() < until && !ctx.aborted()) {
    const text = readFileSync(log, 'utf8');
    if (text.includes('READY')) return pid;
    if (text.includes('FAILED') || exited !== null)
      throw new LabBuildError(`${step.what}: ${text.trim() || `exited ${exited}`}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new LabBuildError(`${step.what}: not ready after 10 s (${log})`);
}

export async function runStep(step: Step, ctx: StepContext): Promise<StepOutcome> {
  if (ctx.aborted()) throw new LabBuildError('interrupted');
  switch (step.kind) {
    case 'netns-add': {
      const r = await runCommand('ip', ['netns', 'add', step.ns], { timeoutMs: 10_000 });
      if (r.exitCode !== 0) fail(step, r);
      return {};
    }
    case 'ip':
    case 'bridge': {
      const input = step.lines.join('\n') + '\n';
      const r = await runCommand(step.kind, ['-n', step.ns, '-batch', '-'], { input, timeoutMs: 30_000 });
      if (r.exitCode !== 0) fail(step, r, input);
      return {};
    }
    case 'sysctl': {
      // procps sysctl exits 0 even when the kernel refuses a write: read every key back
      const w = await runCommand(
        'ip',
        ['netns', 'exec', step.ns, 'sysctl', '-w', ...step.values.map(([k, v]) => `${k}=${v}`)],
        {
          timeoutMs: 10_000,
        },
      );
      const r = await runCommand(
        'ip',
        ['netns', 'exec', step.ns, 'sysctl', '-n', ...step.values.map(([k]) => k)],
        { timeoutMs: 10_000 },
      );
      const got = r.stdout.split('\n');
      const wrong = step.values
        .map(([k, v], i) => ({ k, v, now: got[i]?.trim() }))
        .filter((x) => x.now !== x.v)
        .map((x) => `${x.k}=${x.now ?? '?'} (wanted ${x.v})`);
      if (wrong.length === 0 && w.exitCode === 0) return {};
      const why = `${wrong.join(', ')}${w.stderr.trim() ? `: ${w.stderr.trim().split('\n')[0]}` : ''}`;
      if (step.optional) return { note: `${step.what}: not applied, ${why}` };
      throw new LabBuildError(`${step.what}: ${w.command}: ${why || `exit ${w.exitCode}`}`);
    }
    case 'iptables-restore': {
      const tool = step.backend === 'nft' ? 'iptables-nft-restore' : 'iptables-legacy-restore';
      const r = await runCommand('ip', ['netns', 'exec', step.ns, tool], {
        input: step.text,
        timeoutMs: 30_000,
      });
      if (r.exitCode !== 0) fail(step, r, step.text);
      return {};
    }
    case 'nft': {
      const r = await runCommand('ip', ['netns', 'exec', step.ns, 'nft', '-f', '-'], {
        input: step.text,
        timeoutMs: 30_000,
      });
      if (r.exitCode !== 0) fail(step, r, step.text);
      return {};
    }
    case 'responder':
      return { pid: await startResponder(step, ctx) };
  }
}
