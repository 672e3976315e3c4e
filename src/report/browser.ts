/**
 * @module report/browser
 * How the report tests and the screenshot script start Debian's headless Chromium through
 * playwright-core: fixed flags, no network side traffic, a user-data dir the caller makes fresh.
 */
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

export function hasChromium(): boolean {
  return existsSync(CHROMIUM);
}

export function launchOptions(): { executablePath: string; headless: boolean; args: string[] } {
  return {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  };
}
