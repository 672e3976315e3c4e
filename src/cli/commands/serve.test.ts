import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { once } from 'node:events';
import { parseListen } from './serve.js';
import { incidentFiles } from '../../report/incident-report.js';
import { repoRoot } from '../../pcap/testing/fixtures.js';
import { UsageError } from '../args.js';

const CLI = join(repoRoot(import.meta.url), 'dist', 'cli', 'main.js');

test('parseListen: HOST:PORT and [v6]:PORT; anything else is a usage error', () => {
  assert.deepEqual(parseListen('0.0.0.0:7780'), { host: '0.0.0.0', port: 7780 });
  assert.deepEqual(parseListen('[::1]:80'), { host: '::1', port: 80 });
  for (const bad of ['7780', '1.2.3.4', 'h:99999', ':80'])
    assert.throws(() => parseListen(bad), UsageError, bad);
});

test('podpath serve binds 127.0.0.1 by default, answers, and stops on SIGTERM with exit 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'podpath-serve-cli-'));
  for (const f of incidentFiles()) copyFileSync(f, join(dir, basename(f)));
  const child = spawn(process.execPath, [CLI, 'serve', dir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let out = '';
    child.stdout.setEncoding('utf8');
    while (!/http:\/\/\S+\//.test(out)) {
      const [chunk] = (await once(child.stdout, 'data')) as [string];
      out += chunk;
    }
    const url = out.match(/http:\/\/(\S+)\//)![1]!;
    assert.match(url, /^127\.0\.0\.1:\d+$/);
    const r = await fetch(`http://${url}/`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-security-policy') ?? '', /^default-src 'none'/);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
  const notDir = spawnSync(process.execPath, [CLI, 'serve', join(dir, 'gone')], { encoding: 'utf8' });
  assert.equal(notDir.status, 2);
  assert.match(notDir.stderr, /not a directory/);
});
