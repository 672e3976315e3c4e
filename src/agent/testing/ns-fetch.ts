/**
 * @module agent/testing/ns-fetch
 * HTTP GETs from inside a network namespace (its loopback is not the test's): one small
 * Node.js process started with `ip netns exec`, URLs on its stdin, one JSON answer per line.
 * `close()` ends it.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const SCRIPT = `
const rl = require('node:readline').createInterface({ input: process.stdin });
rl.on('line', async (url) => {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(3000) });
    process.stdout.write(JSON.stringify({ status: r.status, body: await r.text() }) + '\\n');
  } catch (e) {
    process.stdout.write(JSON.stringify({ status: 0, body: String(e && e.message || e) }) + '\\n');
  }
});
`;

export interface NsFetch {
  get(url: string): Promise<{ status: number; body: string }>;
  close(): void;
}

export function nsFetch(netns: string): NsFetch {
  const p = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', SCRIPT], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting: ((a: { status: number; body: string }) => void)[] = [];
  createInterface({ input: p.stdout }).on('line', (l) =>
    waiting.shift()?.(JSON.parse(l) as { status: number; body: string }),
  );
  let chain = Promise.resolve();
  return {
    get(url) {
      const answer = new Promise<{ status: number; body: string }>((resolve) => {
        chain = chain.then(
          () =>
            new Promise<void>((done) => {
              waiting.push((a) => {
                resolve(a);
                done();
              });
              p.stdin.write(url + '\n');
            }),
        );
      });
      return answer;
    },
    close() {
      p.stdin.end();
      p.kill('SIGTERM');
    },
  };
}

/** `name{a="b"} 1` lines of a Prometheus text exposition -> value of the first sample matching */
export function sampleValue(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? (\S+)/);
    if (!m || m[1] !== name) continue;
    const ls = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => ls[k] === v)) return Number(m[4]);
  }
  return undefined;
}
