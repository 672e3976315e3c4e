/**
 * @module collect/run-command
 * Runs one program (no shell) with a timeout and an output cap, streaming its output.
 * Never throws: a missing program is exit code 127, a timeout 124 (as coreutils
 * `timeout` reports it), a signal 128+n.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { SourceOutput } from '../snapshot/types.js';

export interface RunOptions {
  timeoutMs?: number;
  /** bytes of stdout kept (default 256 MiB); the rest is dropped and noted in stderr */
  maxBytes?: number;
  /** written to the program's stdin */
  input?: string;
  env?: NodeJS.ProcessEnv;
}

export interface RunResult extends SourceOutput {
  stderr: string;
  durationMs: number;
  truncated: boolean;
}

export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

/** `ip -j link show` as it is recorded in a snapshot */
export function commandLine(file: string, args: readonly string[]): string {
  return [file, ...args]
    .map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}

export function runCommand(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const command = commandLine(file, args);
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let truncated = false;
    let timedOut = false;
    let settled = false;
    const child = spawn(file, args, {
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: opts.env ?? { ...process.env, LC_ALL: 'C' },
    });
    const finish = (exitCode: number, extraErr = ''): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      let stderr = Buffer.concat(err).toString('utf8') + extraErr;
      if (truncated) stderr += `\npodpath: stdout truncated at ${maxBytes} bytes`;
      if (timedOut) stderr += `\npodpath: killed after ${opts.timeoutMs ?? 30_000} ms`;
      resolve({
        command,
        exitCode,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr,
        durationMs: Date.now() - started,
        truncated,
      });
    };
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 30_000);
    child.stdout?.on('data', (b: Buffer) => {
      if (outBytes + b.length > maxBytes) {
        if (!truncated) out.push(b.subarray(0, maxBytes - outBytes));
        outBytes = maxBytes;
        truncated = true;
        child.kill('SIGKILL');
        return;
      }
      outBytes += b.length;
      out.push(b);
    });
    child.stderr?.on('data', (b: Buffer) => {
      if (errBytes < 1024 * 1024) err.push(b);
      errBytes += b.length;
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      finish(e.code === 'ENOENT' ? 127 : e.code === 'EACCES' ? 126 : 1, `${file}: ${e.message}`);
    });
    child.on('close', (code, signal) => {
      if (timedOut) return finish(124);
      if (signal) return finish(128 + (constants.signals[signal] ?? 0));
      finish(code ?? 0);
    });
    if (opts.input !== undefined && child.stdin) {
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.input);
    }
  });
}
