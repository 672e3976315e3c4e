import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { request } from 'node:http';
import { loadFolder } from './load-folder.js';
import { makeServer, parseFlowQuery, serveState } from './server.js';
import { incidentFiles } from '../report/incident-report.js';
import { incidentPcapBytes } from '../report/testing/incident-pcap.js';
import { SKIP_NO_CHROMIUM, withBrowser } from '../report/testing/browser-session.js';

function incidentFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'podpath-serve-'));
  for (const f of incidentFiles()) copyFileSync(f, join(dir, basename(f)));
  writeFileSync(join(dir, 'client-veth.pcap'), incidentPcapBytes());
  writeFileSync(join(dir, 'run-me.sh'), '#!/bin/sh\ntouch /tmp/podpath-serve-pwned\n');
  mkdirSync(join(dir, 'not-a-snapshot'));
  return dir;
}

async function withServer<T>(fn: (base: string) => Promise<T>): Promise<T> {
  const dir = incidentFolder();
  const folder = await loadFolder(dir);
  const server = makeServer(await serveState(folder, new Set(['127.0.0.1', 'localhost'])));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    return await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
}

function get(
  url: string,
  opts: { method?: string; host?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: `${u.pathname}${u.search}`,
        method: opts.method ?? 'GET',
        headers: opts.host ? { host: opts.host } : {},
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const FLOW = '/flow?proto=tcp&src=10.224.1.34&dst=10.233.53.172&dport=8080';

test('loadFolder: snapshots and captures load, a script and an empty directory are listed as not loaded', async () => {
  const dir = incidentFolder();
  try {
    const f = await loadFolder(dir);
    assert.deepEqual(
      f.cluster.nodes.map((n) => n.name),
      ['node1', 'node2'],
    );
    assert.equal(f.captures.length, 1);
    assert.equal(f.captures[0]!.findings[0]!.id, 'nat-reply-bypass');
    assert.deepEqual(f.skipped.map((s) => s.file).sort(), ['not-a-snapshot', 'run-me.sh']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('serve: every page carries the strict CSP; index, node and flow pages; errors are pages too', async () => {
  await withServer(async (base) => {
    for (const path of ['/', '/node/node1', '/node/node2', FLOW, '/nope', '/node/ghost', '/flow?src=x']) {
      const r = await get(base + path);
      const csp = String(r.headers['content-security-policy']);
      assert.match(
        csp,
        /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'$/,
        path,
      );
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
      assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
      assert.doesNotMatch(r.body, /<script/i);
      const want = path === '/nope' || path === '/node/ghost' ? 404 : path === '/flow?src=x' ? 400 : 200;
      assert.equal(r.status, want, path);
    }
    const index = await get(`${base}/`);
    assert.match(
      index.body,
      /href="\/flow\?proto=tcp&amp;src=10\.224\.1\.34&amp;dst=10\.233\.53\.172&amp;dport=8080"><span class="o o-mixed">mixed 1\/2/,
    );
    assert.match(index.body, /href="\/node\/node1"/);
    assert.match(index.body, /nat-reply-bypass/);
    assert.match(index.body, /run-me\.sh/);
    const flow = await get(base + FLOW);
    assert.equal((flow.body.match(/class="path-diagram"/g) ?? []).length, 2);
    assert.match(flow.body, /class="box k-bridge broken"/);
    const node = await get(`${base}/node/node1`);
    assert.match(node.body, /net\.bridge\.bridge-nf-call-iptables<\/td><td class="mono">0/);
    assert.equal((await get(base + '/', { method: 'POST' })).status, 405);
    assert.equal((await get(base + '/', { host: 'attacker.example:80' })).status, 421, 'DNS rebinding guard');
    const headOnly = await get(base + '/', { method: 'HEAD' });
    assert.equal(headOnly.status, 200);
    assert.equal(headOnly.body, '');
  });
});

test('parseFlowQuery: only IPv4 addresses, tcp/udp and a port get through', () => {
  assert.deepEqual(parseFlowQuery(new URLSearchParams('src=10.0.0.1&dst=10.0.0.2&dport=80')), {
    proto: 'tcp',
    src: '10.0.0.1',
    dst: '10.0.0.2',
    dport: 80,
  });
  assert.equal(
    parseFlowQuery(new URLSearchParams('proto=sctp&src=10.0.0.1&dst=10.0.0.2&dport=80')),
    'proto: expected tcp or udp',
  );
  assert.equal(
    parseFlowQuery(new URLSearchParams('src=<x>&dst=10.0.0.2&dport=80')),
    'src: expected an IPv4 address',
  );
  assert.equal(
    parseFlowQuery(new URLSearchParams('src=10.0.0.1&dst=10.0.0.2&dport=70000')),
    'dport: expected a port 1-65535',
  );
});

test(
  'Chromium: the served pages load under their CSP without console errors; the flow page highlights the bridge',
  { skip: SKIP_NO_CHROMIUM },
  async () => {
    await withServer(async (base) => {
      await withBrowser(async (open) => {
        for (const path of ['/', '/node/node1', FLOW]) {
          const { page, problems } = await open(base + path);
          assert.ok(((await page.locator('h1').textContent()) ?? '').length > 0, path);
          if (path === FLOW) {
            assert.equal(await page.locator('svg.path-diagram').count(), 2);
            assert.match(
              (await page.locator('svg.path-diagram g.box.broken').textContent()) ?? '',
              /bridge cni0/,
            );
            assert.match(
              (await page.locator('tr.hop-broken').textContent()) ?? '',
              /bridge-nf-call-iptables/,
            );
          }
          if (path === '/') {
            await page.locator('table.matrix a').first().click();
            await page.waitForURL(/\/flow\?/);
            assert.equal(await page.locator('svg.path-diagram').count(), 2);
          }
          assert.deepEqual(problems, [], path);
          await page.close();
        }
      });
    });
  },
);
