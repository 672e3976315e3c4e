/**
 * @module report/testing/browser-session
 * Runs a function with Debian's headless Chromium (playwright-core) in a fresh user-data
 * dir, always closed and removed afterwards; pages opened by `open` record every console
 * error, page error and dialog so that tests can assert there were none.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { hasChromium, launchOptions, CHROMIUM } from '../browser.js';

export interface WatchedPage {
  page: Page;
  /** console errors, uncaught exceptions and dialogs seen so far */
  problems: string[];
}

export const SKIP_NO_CHROMIUM = hasChromium()
  ? false
  : `SKIPPED: ${CHROMIUM} is missing (apt-get install chromium)`;

export async function withBrowser<T>(
  fn: (open: (url: string) => Promise<WatchedPage>, ctx: BrowserContext) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'podpath-chromium-'));
  let ctx: BrowserContext | undefined;
  try {
    ctx = await chromium.launchPersistentContext(dir, launchOptions());
    const c = ctx;
    const open = async (url: string): Promise<WatchedPage> => {
      const page = await c.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('dialog', (d) => {
        problems.push(`dialog: ${d.message()}`);
        void d.dismiss();
      });
      await page.goto(url, { waitUntil: 'load' });
      return { page, problems };
    };
    return await fn(open, c);
  } finally {
    await ctx?.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
