import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { incidentReportHtml } from './incident-report.js';
import { incidentPcapReport } from './testing/incident-pcap.js';
import { HOSTILE, writeHostileIncident } from './testing/hostile.js';
import { SKIP_NO_CHROMIUM, withBrowser } from './testing/browser-session.js';
import { loadCluster } from '../cli/load-cluster.js';
import { buildReport } from './build-report.js';
import { renderReport } from './render-report.js';

/** the page's globals, typed here because the project compiles without the DOM library */
type Win = { getComputedStyle(e: unknown): { stroke: string }; __pwned?: number };

if (SKIP_NO_CHROMIUM) console.log(`report browser tests: ${SKIP_NO_CHROMIUM}`);

test(
  'Chromium: the incident report renders, the diagram is there, the breaking hop is highlighted and names bridge-nf-call-iptables',
  { skip: SKIP_NO_CHROMIUM },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'podpath-report-e2e-'));
    try {
      const file = join(dir, 'report.html');
      writeFileSync(file, await incidentReportHtml({ pcap: incidentPcapReport() }));
      await withBrowser(async (open) => {
        for (const scheme of ['light', 'dark'] as const) {
          const { page, problems } = await open('about:blank');
          await page.emulateMedia({ colorScheme: scheme });
          await page.goto(pathToFileURL(file).href);
          assert.equal(await page.title(), 'podpath report: node1, node2');
          const svg = page.locator('svg.path-diagram');
          assert.equal(await svg.count(), 1);
          const size = await svg.first().boundingBox();
          assert.ok(size && size.width > 400 && size.height > 150, `diagram size ${JSON.stringify(size)}`);
          // the highlighted box is the bridge of node1, drawn red (not the default stroke)
          const broken = page.locator('svg.path-diagram g.box.broken');
          assert.equal(await broken.count(), 1);
          assert.match((await broken.textContent()) ?? '', /bridge cni0/);
          const stroke = await broken
            .locator('rect')
            .evaluate((r) => (globalThis as unknown as Win).getComputedStyle(r).stroke);
          const normal = await page
            .locator('svg.path-diagram g.k-veth rect')
            .first()
            .evaluate((r) => (globalThis as unknown as Win).getComputedStyle(r).stroke);
          assert.notEqual(stroke, normal);
          assert.match(
            (await page.locator('svg.path-diagram g.k-callout').textContent()) ?? '',
            /bridge-nf-call-iptables-disabled.*net\.bridge\.bridge-nf-call-iptables = 0/s,
          );
          const row = page.locator('tr.hop-broken');
          assert.equal(await row.count(), 1);
          assert.ok(await row.isVisible(), 'the reply hop table is open at the breaking hop');
          assert.match((await row.textContent()) ?? '', /br_handle_frame.*bridge-nf-call-iptables = 0/s);
          assert.match(
            (await page.locator('.breaks').first().textContent()) ?? '',
            /sysctl -w net\.bridge\.bridge-nf-call-iptables=1/,
          );
          assert.equal(await page.locator('svg.timeline circle.tl-dot').count(), 12);
          assert.deepEqual(problems, [], 'no console errors (a CSP violation would be one)');
          await page.close();
        }
        // printable: no navigation, the diagram fits the paper width, and Chromium makes a PDF of it
        const { page, problems } = await open(pathToFileURL(file).href);
        await page.emulateMedia({ media: 'print' });
        assert.equal(await page.locator('nav.top').isVisible(), false);
        const main = await page.locator('main').boundingBox();
        const svg = await page.locator('svg.path-diagram').boundingBox();
        assert.ok(main && svg && svg.width <= main.width + 1, `diagram ${svg?.width}px in ${main?.width}px`);
        const pdf = await page.pdf({ format: 'A4' });
        assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
        assert.deepEqual(problems, []);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  'Chromium: hostile pod and Service names render as text, run nothing, and keep the page width',
  { skip: SKIP_NO_CHROMIUM },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'podpath-hostile-e2e-'));
    try {
      const files = writeHostileIncident(dir);
      const cluster = await loadCluster(files, { quiet: true });
      const file = join(dir, 'report.html');
      writeFileSync(file, renderReport(await buildReport(cluster, { files })));
      await withBrowser(async (open) => {
        const { page, problems } = await open(pathToFileURL(file).href);
        assert.equal(await page.evaluate(() => (globalThis as unknown as Win).__pwned), undefined);
        assert.equal(
          await page.locator('main script, main img, svg svg').count(),
          0,
          'no element made from a name',
        );
        const text = (await page.locator('main').textContent()) ?? '';
        assert.ok(text.includes(HOSTILE.script), 'the <script> name is shown as text');
        assert.ok(text.includes('"><img src=x onerror="window.__pwned=2">'));
        assert.ok(text.includes("<svg/onload=window.__pwned=3>'&amp;"));
        assert.ok(text.includes('client<U+202E>gnp.exe<U+200F>'), 'the RTL override is shown, not applied');
        assert.ok(!text.includes('\u202E'));
        const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
        assert.ok(width < 2600, `page width ${width}px with a 5,000-character name`);
        assert.equal(await page.locator('svg.path-diagram g.box.broken').count(), 1);
        assert.deepEqual(problems, []);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
