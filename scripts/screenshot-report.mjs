#!/usr/bin/env node
// Makes the README screenshots of the incident's report (docs/img/*.png) in headless Chromium.
// usage: npx tsc -p . && node scripts/screenshot-report.mjs [OUT_DIR]
import { mkdtempSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { launchOptions } from '../dist/report/browser.js';
import { incidentReportHtml } from '../dist/report/incident-report.js';
import { incidentPcapReport } from '../dist/report/testing/incident-pcap.js';

const out = process.argv[2] ?? 'docs/img';
if (!existsSync('/usr/bin/chromium')) {
  console.error('screenshot-report: /usr/bin/chromium is missing (apt-get install chromium)');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const dir = mkdtempSync(join(tmpdir(), 'podpath-shot-'));
const file = join(dir, 'report.html');
writeFileSync(file, await incidentReportHtml({ pcap: incidentPcapReport() }));
const browser = await chromium.launchPersistentContext(join(dir, 'profile'), launchOptions());
try {
  for (const scheme of ['light', 'dark']) {
    const page = await browser.newPage();
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize({ width: 1320, height: 900 });
    await page.goto(pathToFileURL(file).href);
    if (scheme === 'light') {
      await page.screenshot({ path: join(out, 'report-top.png') });
      await page
        .locator('.diagram')
        .first()
        .screenshot({ path: join(out, 'report-diagram.png') });
      await page.locator('table.matrix').screenshot({ path: join(out, 'report-matrix.png') });
      await page.locator('svg.timeline').screenshot({ path: join(out, 'report-timeline.png') });
    }
    await page
      .locator('.flow')
      .first()
      .screenshot({ path: join(out, `report-flow-${scheme}.png`) });
    await page.close();
  }
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log(
  `screenshot-report: wrote report-{top,diagram,matrix,timeline,flow-light,flow-dark}.png to ${out}`,
);
