import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { incidentFiles, incidentReport, incidentReportHtml } from './incident-report.js';
import { incidentPcapBytes, incidentPcapReport } from './testing/incident-pcap.js';
import { HOSTILE, writeHostileIncident } from './testing/hostile.js';
import { STYLE, styleHash } from './page.js';
import { repoRoot } from '../pcap/testing/fixtures.js';

const CLI = join(repoRoot(import.meta.url), 'dist', 'cli', 'main.js');

test('incident report model: the matrix says mixed 1/2 for the client, one failing flow drawn', async () => {
  const r = await incidentReport();
  assert.deepEqual(
    r.matrix.sources.map((s) => s.name),
    ['spring-prod/client', 'spring-prod/frontend-a', 'spring-prod/frontend-b'],
  );
  assert.deepEqual(
    r.matrix.services.map((s) => `${s.name} ${s.ip}:${s.port}/${s.proto}`),
    ['spring-prod/panorama-v2-frontend-service:http 10.233.53.172:8080/tcp'],
  );
  const cell = r.matrix.cells.get('10.224.1.34>10.233.53.172:8080/tcp')!;
  assert.deepEqual([cell.outcome, cell.ok, cell.total], ['mixed', 1, 2]);
  assert.equal(r.flows.length, 1);
  const bad = r.flows[0]!.paths.find((p) => p.path.outcome !== 'connected')!;
  assert.ok(bad.svg);
  assert.deepEqual(bad.findings.map((f) => f.id).sort(), [
    'bridge-nf-call-iptables-disabled',
    'conntrack-unreplied-same-bridge',
  ]);
});

test('incident report HTML: self-contained, no script, the stylesheet matches the CSP hash, breaking hop named', async () => {
  const html = await incidentReportHtml({ pcap: incidentPcapReport() });
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /\sstyle="/);
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//);
  assert.ok(html.includes(`<style>${STYLE}</style>`));
  assert.ok(html.includes(`style-src ${styleHash()}`.replace(/'/g, '&#39;')));
  assert.match(html, /<svg [^>]*class="path-diagram"/);
  assert.match(
    html,
    /<tr class="hop-broken">[^\n]*br_handle_frame[^\n]*net\.bridge\.bridge-nf-call-iptables = 0/,
  );
  assert.match(html, /<a href="#flow-[a-z0-9-]+"><span class="o o-mixed">mixed 1\/2<\/span><\/a>/);
  // the capture timeline: one row for nat-reply-bypass with its packets
  assert.match(html, /<svg [^>]*class="timeline"/);
  assert.match(html, /nat-reply-bypass ×4/);
  assert.ok((html.match(/class="tl-dot critical"/g) ?? []).length >= 4);
});

test('hostile names from the snapshot come out escaped, clipped in the diagram, with bidi controls visible', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'podpath-hostile-'));
  try {
    const files = writeHostileIncident(dir);
    const out = join(dir, 'r.html');
    const r = spawnSync(
      process.execPath,
      [CLI, 'report', ...files.flatMap((f) => ['--snapshot', f]), '-o', out],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(r.status, 1, r.stderr);
    const html = readFileSync(out, 'utf8');
    for (const raw of [
      HOSTILE.script,
      HOSTILE.img,
      HOSTILE.svc,
      HOSTILE.netns,
      '\u202E',
      '\u200F',
      'onerror="',
    ])
      assert.ok(!html.includes(raw), `raw ${JSON.stringify(raw.slice(0, 30))} in the page`);
    assert.ok(html.includes('&lt;script&gt;window.__pwned=1&lt;/script&gt;'));
    assert.ok(html.includes('client&lt;U+202E&gt;gnp.exe&lt;U+200F&gt;'));
    assert.ok(html.includes('&lt;svg/onload=window.__pwned=3&gt;&#39;&amp;amp;'));
    // the 5,000-character name is whole in the text, cut in the SVG boxes
    assert.ok(html.includes(HOSTILE.long));
    const svg = html.slice(html.indexOf('<svg'), html.indexOf('</svg>'));
    for (const m of svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g))
      assert.ok(m[1]!.length < 400, m[1]!.slice(0, 80));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('podpath report CLI: --from/--to draws every path, --pcap adds the timeline, bad input exits 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'podpath-report-'));
  try {
    const snaps = incidentFiles().flatMap((f) => ['--snapshot', f]);
    const pcap = join(dir, 'c.pcap');
    writeFileSync(pcap, incidentPcapBytes());
    const out = join(dir, 'flow.html');
    const r = spawnSync(
      process.execPath,
      [
        CLI,
        'report',
        ...snaps,
        '--from',
        '10.224.1.34',
        '--to',
        '10.233.53.172:8080',
        '--pcap',
        pcap,
        '-o',
        out,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 1, r.stderr);
    assert.match(
      r.stderr,
      /wrote .*flow\.html .*1 flow\(s\) with 1 failing path\(s\), 1 capture finding\(s\)/,
    );
    const html = readFileSync(out, 'utf8');
    assert.equal((html.match(/class="path-diagram"/g) ?? []).length, 2, 'both paths drawn');
    assert.match(html, /class="timeline"/);
    // --cluster: names from the API reach the capture findings, escaped like every other name
    const inventory = join(dir, 'cluster.json');
    writeFileSync(
      inventory,
      JSON.stringify({
        kind: 'List',
        items: [
          {
            kind: 'Service',
            metadata: { namespace: 'spring-prod', name: '<b>api"svc</b>' },
            spec: { clusterIP: '10.233.53.172' },
          },
        ],
      }),
    );
    const named = spawnSync(
      process.execPath,
      [CLI, 'report', ...snaps, '--cluster', inventory, '--pcap', pcap, '-o', out],
      { encoding: 'utf8' },
    );
    assert.equal(named.status, 1, named.stderr);
    const withNames = readFileSync(out, 'utf8');
    assert.ok(withNames.includes('svc spring-prod/&lt;b&gt;api&quot;svc&lt;/b&gt;'));
    assert.ok(!withNames.includes('<b>api'));
    const bad = spawnSync(
      process.execPath,
      [CLI, 'report', ...snaps, '--pcap', join(dir, 'none.pcap'), '-o', out],
      { encoding: 'utf8' },
    );
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /none\.pcap: cannot read/);
    const usage = spawnSync(process.execPath, [CLI, 'report', ...snaps], { encoding: 'utf8' });
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /needs -o FILE/);
    const half = spawnSync(process.execPath, [CLI, 'report', ...snaps, '--from', '10.224.1.34', '-o', out], {
      encoding: 'utf8',
    });
    assert.equal(half.status, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('report CLI: --from/--to by name with --cluster draws that flow; an unknown name is exit 2', () => {
  const root = repoRoot(import.meta.url);
  const ex = (n: number) => join(root, 'examples', 'incident', `node${n}.json`);
  const inv = join(root, 'examples', 'cluster', 'incident.json');
  const snaps = ['--snapshot', ex(1), '--snapshot', ex(2), '--cluster', inv];
  const flow = ['--from', 'spring-prod/client', '--to', 'svc:spring-prod/panorama-v2-frontend-service:8080'];
  const r = spawnSync(process.execPath, [CLI, 'report', ...snaps, ...flow, '-o', '-'], { encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /10\.224\.1\.34/);
  assert.match(r.stdout, /bridge-nf-call-iptables/);
  const bad = spawnSync(
    process.execPath,
    [CLI, 'report', ...snaps, '--from', 'spring-prod/nobody', '--to', '10.233.53.172:8080', '-o', '-'],
    { encoding: 'utf8' },
  );
  assert.equal(bad.status, 2);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /nobody/);
});
