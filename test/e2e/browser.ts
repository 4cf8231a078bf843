import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/**
 * Debian's chromium package (scripts/setup-browser.sh installs it); playwright-core drives it, nothing is downloaded.
 * CHROMIUM_PATH points elsewhere where a machine has it in another place.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Why the page tests cannot run here, or undefined when they can: Chromium is missing on a developer's machine.
 * Under CI (CI=true, set by GitHub Actions; .ci/run installs Chromium first) they always run, and fail without it.
 */
export const PAGE_TESTS_SKIPPED: string | undefined =
  existsSync(CHROMIUM) || process.env.CI === 'true'
    ? undefined
    : `page tests skipped: no Chromium at ${CHROMIUM}; \`npm run setup:browser\` installs it (or set CHROMIUM_PATH)`;

/** Headless Chromium with a fresh profile; fails (never skips) when Chromium is not installed. */
export async function launchBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}, and the page tests need it: run scripts/setup-browser.sh ` +
        '(apt-get install -y chromium), as .ci/run does',
    );
  }
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'ki-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1100, height: 720 },
      timeout: 20_000,
    });
    return {
      context,
      async close() {
        await context.close();
        rmSync(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw new Error(`could not start ${CHROMIUM}: ${(error as Error).message}`, { cause: error });
  }
}
