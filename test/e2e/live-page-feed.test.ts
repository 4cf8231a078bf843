import type { Page } from 'playwright-core';
import { startActivityWatcher, type ActivityWatcher } from '@kalshi-ingestor/activity-watcher';
import { uniqueId } from '../helpers/db';
import { startHarness, type Harness } from '../helpers/harness';
import { TEST_REDIS_URL } from '../helpers/redis';
import { waitFor } from '../helpers/wait';
import { launchBrowser, PAGE_TESTS_SKIPPED, type TestBrowser } from './browser';

/** The page during a fallback, for a person to look at. */
const SCREENSHOT = '/tmp/kalshi-ingestor-live-page-fallback.png';

let h: Harness | undefined;
let watcher: ActivityWatcher | undefined;
let browser: TestBrowser | undefined;
let page: Page;

if (PAGE_TESTS_SKIPPED !== undefined) process.stderr.write(`${PAGE_TESTS_SKIPPED}\n`);
const describePage = PAGE_TESTS_SKIPPED === undefined ? describe : describe.skip;

beforeAll(async () => {
  if (PAGE_TESTS_SKIPPED !== undefined) return;
  browser = await launchBrowser();
  h = await startHarness({ env: { FALLBACK_AFTER_MS: '1000', FALLBACK_POLL_INTERVAL_MS: '1000', EXCHANGE_STATUS_INTERVAL_MS: '500' } });
  watcher = await startActivityWatcher({ redisUrl: TEST_REDIS_URL, keyPrefix: h.redis.prefix, onError: () => undefined, feedRefreshMs: 1000 });
  page = await browser.context.newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await watcher?.close();
  await h?.close();
});

const badge = async () => ({
  state: await page.locator('#feed').getAttribute('data-state'),
  text: (await page.locator('#feed').textContent())?.trim(),
  reason: (await page.locator('#feed-reason').textContent())?.trim(),
});

describePage('the live page shows the feed state, not its own connection', () => {
  it('live, then REST fallback while the socket is cut (screenshot), trading paused, live again', async () => {
    const harness = h as Harness;
    const base = uniqueId('KX-FEED').toUpperCase();
    const { gameId } = await harness.addGame([
      { ticker: `${base}-BOS`, side: 'home', yesBid: 0.61, yesAsk: 0.63 },
      { ticker: `${base}-LAL`, side: 'away', yesBid: 0.37, yesAsk: 0.39 },
    ]);
    await harness.waitForMessage(gameId, () => true, 10_000);
    await page.goto((watcher as ActivityWatcher).url);
    await waitFor(async () => (await badge()).state === 'live', { timeoutMs: 10_000, message: 'live on the page' });
    expect(await badge()).toMatchObject({ text: 'Kalshi feed: live' });
    expect(await page.locator('#connection').textContent()).toBe('watcher: connected');

    harness.sim.setRejectHandshake(403);
    harness.sim.dropConnections();
    await waitFor(async () => (await badge()).state === 'rest', { timeoutMs: 10_000, message: 'rest on the page' });
    const during = await badge();
    expect(during.text).toBe('Kalshi feed: REST fallback (delayed)');
    expect(during.reason).toMatch(/^socket down \d+ s, REST serving · since /);
    // The page's own link to the watcher is fine all along: a separate, smaller fact.
    expect(await page.locator('#connection').textContent()).toBe('watcher: connected');
    await waitFor(async () => (await page.locator(`[data-game-id="${gameId}"] .team.home .price`).textContent()) === 'Kalshi: 63¢ / 61¢', {
      message: 'the card priced',
    });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    harness.sim.setExchangeStatus({ tradingActive: false, resumeTime: '2026-12-10T10:00:00Z' });
    await waitFor(async () => (await badge()).state === 'exchange_paused', { timeoutMs: 10_000, message: 'paused on the page' });
    expect((await badge()).reason).toMatch(/^maintenance, resumes 2026-12-10T10:00:00Z · since /);

    harness.sim.setExchangeStatus({ tradingActive: true });
    harness.sim.setRejectHandshake(null);
    await waitFor(async () => (await badge()).state === 'live', { timeoutMs: 10_000, message: 'live again on the page' });
  });
});
