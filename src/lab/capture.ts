/**
 * @module lab/capture
 * tcpdump inside a lab namespace, for captures taken while probe traffic runs:
 * `startCapture` resolves once tcpdump says "listening on" (so no packet sent afterwards
 * is missed), `stop()` sends SIGINT so the file is complete, and `withCapture` stops it
 * in `finally`, also when the traffic step throws. A capture still running when the
 * process exits is killed, never left behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface CaptureOptions {
  /** namespace to capture in (a pod's or a node's) */
  netns: string;
  /** written as pcap (tcpdump -w) */
  file: string;
  /** default `any` (Linux cooked SLL2) */
  iface?: string;
  /** a pcap filter expression, as words (`['tcp', 'or', 'udp']`) */
  filter?: string[];
  /**
   * bytes kept of each packet (default 1024: every header podpath reads, DNS questions,
   * VXLAN inner headers; lengths come from the IP header, so nothing is lost by cutting)
   */
  snaplen?: number;
  /** how long tcpdump may take to start listening (default 8 s) */
  startTimeoutMs?: number;
}

export interface CaptureStats {
  file: string;
  /** "N packets captured" from tcpdump's exit summary (undefined if it printed none) */
  captured?: number;
  /** "N packets dropped by kernel" */
  droppedByKernel?: number;
  stderr: string;
}

export interface Capture {
  readonly file: string;
  /** tcpdump's process id */
  readonly pid: number;
  /** stops tcpdump (SIGINT, SIGKILL after 5 s) and waits for it; safe to call twice */
  stop(): Promise<CaptureStats>;
}

const running = new Set<ChildProcess>();
let exitHook = false;

function killOnExit(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const c of running) c.kill('SIGKILL');
  });
}

function count(stderr: string, what: RegExp): number | undefined {
  const m = what.exec(stderr);
  return m ? Number(m[1]) : undefined;
}

/** The tcpdump command line for a capture (without `ip netns exec`). */
export function tcpdumpArgs(o: CaptureOptions): string[] {
  // --immediate-mode: libpcap hands over each packet at once; without it packets wait in a
  // TPACKET_V3 block until the block times out, and the block in progress at SIGINT is lost.
  // -s: in immediate mode every ring slot is snaplen bytes, so the default 262144 leaves few;
  // -B: immediate mode's ring is small, a burst of probe attempts overflows the default (KiB);
  // -U: each packet is written when it arrives; -Z root: keep the right to write `file`
  return [
    'tcpdump',
    '-i',
    o.iface ?? 'any',
    '-nn',
    '--immediate-mode',
    '-s',
    String(o.snaplen ?? 1024),
    '-B',
    '32768',
    '-U',
    '-Z',
    'root',
    '-w',
    o.file,
    ...(o.filter ?? []),
  ];
}

/** Starts tcpdump in `o.netns`; rejects when it exits or does not listen in time. */
export function startCapture(o: CaptureOptions): Promise<Capture> {
  const timeoutMs = o.startTimeoutMs ?? 8000;
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', o.netns, ...tcpdumpArgs(o)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    killOnExit(child);
    let stderr = '';
    let started = false;
    const exited = new Promise<void>((res) => child.once('close', () => res()));
    const stats = (): CaptureStats => {
      const s: CaptureStats = { file: o.file, stderr };
      const captured = count(stderr, /^(\d+) packets? captured/m);
      const dropped = count(stderr, /^(\d+) packets? dropped by kernel/m);
      if (captured !== undefined) s.captured = captured;
      if (dropped !== undefined) s.droppedByKernel = dropped;
      return s;
    };
    const capture: Capture = {
      file: o.file,
      pid: child.pid ?? -1,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          const hard = setTimeout(() => child.kill('SIGKILL'), 5000);
          child.kill('SIGINT');
          await exited;
          clearTimeout(hard);
        } else await exited;
        return stats();
      },
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`tcpdump in ${o.netns} did not start listening within ${timeoutMs} ms: ${stderr.trim()}`),
      );
    }, timeoutMs);
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!started && /listening on /.test(stderr)) {
        started = true;
        clearTimeout(timer);
        resolve(capture);
      }
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`tcpdump in ${o.netns}: ${e.message}`));
    });
    child.once('exit', (code, signal) => {
      if (started) return;
      clearTimeout(timer);
      reject(
        new Error(`tcpdump in ${o.netns} exited (${signal ?? code}) before listening: ${stderr.trim()}`),
      );
    });
  });
}

/**
 * Captures while `fn` runs and stops the capture afterwards, whatever `fn` does. `settleMs`
 * (default 200) lets the last packets of `fn`'s traffic reach the capture before it stops.
 */
export async function withCapture<T>(
  o: CaptureOptions,
  fn: (capture: Capture) => Promise<T>,
  settleMs = 200,
): Promise<{ result: T; stats: CaptureStats }> {
  const capture = await startCapture(o);
  let stats: CaptureStats | undefined;
  try {
    const result = await fn(capture);
    await new Promise((r) => setTimeout(r, settleMs));
    stats = await capture.stop();
    return { result, stats };
  } finally {
    if (!stats) await capture.stop();
  }
}
