import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Where page screenshots go for a reviewer to look at (git-ignored). */
const ARTIFACTS = join(__dirname, '..', '..', '..', 'test-artifacts');

/** The system Chromium, headless, on a fresh profile that is deleted afterwards. */
export async function openBrowser(): Promise<{ page: Page; screenshot: (name: string) => Promise<void>; close: () => Promise<void>; problems: () => string[] }> {
  const profile = mkdtempSync(join(tmpdir(), 'linquid-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    viewport: { width: 1280, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    page,
    screenshot: async (name) => {
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
    },
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
    // Script errors or CSP violations on any page the tests opened (4xx answers are the tests' own).
    problems: () => problems.filter((problem) => !/the server responded with a status of 4\d\d/.test(problem)),
  };
}
