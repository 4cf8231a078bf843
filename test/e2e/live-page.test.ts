import type { Page } from 'playwright-core';
import { startActivityWatcher, type ActivityWatcher } from '@kalshi-ingestor/activity-watcher';
import { RedisPublisher } from '../../src/sinks/redis-publisher';
import { gameState } from '../client/helpers';
import { uniqueId } from '../helpers/db';
import { startHarness, type Harness } from '../helpers/harness';
import { TEST_REDIS_URL } from '../helpers/redis';
import { waitFor } from '../helpers/wait';
import { launchBrowser, PAGE_TESTS_SKIPPED, type TestBrowser } from './browser';

const SCREENSHOT = '/tmp/kalshi-ingestor-live-page.png';
const LIFE_SCREENSHOT = '/tmp/kalshi-ingestor-live-page-life.png';

let h: Harness | undefined;
let watcher: ActivityWatcher | undefined;
let browser: TestBrowser | undefined;
let page: Page;

// Without Chromium on a developer's machine: one line saying how to get it, and the two tests skipped (never in CI).
if (PAGE_TESTS_SKIPPED !== undefined) process.stderr.write(`${PAGE_TESTS_SKIPPED}\n`);
const describePage = PAGE_TESTS_SKIPPED === undefined ? describe : describe.skip;

beforeAll(async () => {
  if (PAGE_TESTS_SKIPPED !== undefined) return;
  browser = await launchBrowser(); // first: without Chromium the suite fails at once, with the reason
  h = await startHarness();
  watcher = await startActivityWatcher({ redisUrl: TEST_REDIS_URL, keyPrefix: h.redis.prefix, onError: () => undefined });
  page = await browser.context.newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await watcher?.close();
  await h?.close();
});

const ticker = (label: string) => uniqueId(`KX-${label}`).toUpperCase();
const card = (gameId: string) => page.locator(`[data-game-id="${gameId}"]`);
const text = async (gameId: string, selector: string) => (await card(gameId).locator(selector).textContent({ timeout: 1000 }))?.trim();

describePage('the live page (headless Chromium)', () => {
  it("shows each team's Kalshi buy / sell price and updates the card as the exchange ticks", async () => {
    const harness = h as Harness;
    const home = ticker('HOU');
    const away = ticker('CHA');
    const { gameId } = await harness.addGame([
      { ticker: home, side: 'home', yesBid: 0.57, yesAsk: 0.58 },
      { ticker: away, side: 'away', yesBid: 0.42, yesAsk: 0.43 },
    ]);
    await harness.waitForMessage(gameId, (m) => m.homeTeam.kalshiBuyPrice === 58 && m.awayTeam.kalshiBuyPrice === 43);

    await page.goto((watcher as ActivityWatcher).url);
    await waitFor(async () => (await text(gameId, '.team.home .price')) === 'Kalshi: 58¢ / 57¢', { timeoutMs: 10_000, message: 'the home price on the card' });
    expect(await text(gameId, '.team.away .price')).toBe('Kalshi: 43¢ / 42¢');
    expect(await text(gameId, '.ticker')).toMatch(/^KX-(HOU|CHA)/);
    expect(await card(gameId).getAttribute('class')).not.toContain('stale');

    harness.sim.setQuote(home, { yesBid: 0.6, yesAsk: 0.615 });
    await waitFor(async () => (await text(gameId, '.team.home .price')) === 'Kalshi: 61.5¢ / 60¢', { timeoutMs: 10_000, message: 'the card updated' });
    expect(await text(gameId, '.team.away .price')).toBe('Kalshi: 43¢ / 42¢'); // the away market did not move
    expect(await text(gameId, '.team.home .price')).toBe('Kalshi: 61.5¢ / 60¢');
    expect(await page.locator('#connection').textContent()).toBe('watcher: connected');
    expect(await page.locator('#feed').textContent()).toBe('Kalshi feed: live');
  });

  it('adds games that appear later and marks a game stale when its last update is older than a minute', async () => {
    const harness = h as Harness;
    const publisher = new RedisPublisher(harness.redis.redis, harness.redis.keys, { hashTtlMs: 60_000 });
    const fresh = uniqueId('game');
    const old = uniqueId('game');
    const now = Date.now();
    await publisher.publish([
      { ...gameState(fresh, [44, 43, 57.5, 56], now), slug: 'nba-bos-lal-2026-02-05' },
      { ...gameState(old, [null, 30, 71, null], now - 5 * 60_000), slug: 'nhl-nyr-tor-2026-02-05' },
    ]);

    // The page polls GET /games: both cards appear without a reload.
    await waitFor(async () => (await text(old, '.stale-label')) === 'stale' && (await card(old).getAttribute('class'))?.includes('stale'), {
      timeoutMs: 15_000,
      message: 'the old game marked stale',
    });
    expect(await page.locator(`[data-game-id="${old}"] .stale-label`).isVisible()).toBe(true);
    expect(await text(old, '.age')).toMatch(/^stale · last update 5 min ago$/);
    expect(await text(old, '.team.away .price')).toBe('Kalshi: — / 30¢');
    expect(await text(old, '.title')).toBe('NYR @ TOR');

    await waitFor(async () => (await text(fresh, '.team.home .price')) === 'Kalshi: 57.5¢ / 56¢', { timeoutMs: 15_000 });
    expect(await card(fresh).getAttribute('class')).not.toContain('stale');
    expect(await page.locator(`[data-game-id="${fresh}"] .stale-label`).isVisible()).toBe(false);
    expect(await text(fresh, '.title')).toBe('BOS @ LAL');

    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it("shows each game's status, the winner of a final game and a draw price where there is one", async () => {
    const harness = h as Harness;
    const publisher = new RedisPublisher(harness.redis.redis, harness.redis.keys, { hashTtlMs: 60_000 });
    const soccer = uniqueId('game');
    const settled = uniqueId('game');
    const paused = uniqueId('game');
    const closedLongAgo = uniqueId('game');
    const now = Date.now();
    await publisher.publish([
      { ...gameState(soccer, [30, 28, 47, 45], now), slug: 'epl-che-ars-2026-09-27', draw: { kalshiBuyPrice: 26, kalshiSellPrice: 24 } },
      {
        ...gameState(settled, [0, 0, 100, 100], now),
        slug: 'epl-liv-mci-2026-09-27',
        draw: { kalshiBuyPrice: 0, kalshiSellPrice: 0 },
        status: 'final',
        result: 'home',
      },
      { ...gameState(paused, [44, 43, 57, 56], now), slug: 'nba-bos-nyk-2026-02-05', status: 'paused' },
      { ...gameState(closedLongAgo, [39, 37, 63, 61], now - 5 * 60_000), slug: 'nhl-bos-mtl-2026-02-05', status: 'closed' },
    ]);
    await page.reload();

    await waitFor(async () => (await text(settled, '.status-label')) === 'final · MCI won', { timeoutMs: 15_000, message: 'the final game and its winner' });
    expect(await card(settled).locator('.team.home').getAttribute('class')).toContain('winner');
    expect(await card(settled).locator('.team.away').getAttribute('class')).not.toContain('winner');
    expect(await text(settled, '.team.draw .price')).toBe('Kalshi: 0¢ / 0¢');

    await waitFor(async () => (await text(soccer, '.team.draw .price')) === 'Kalshi: 26¢ / 24¢', { timeoutMs: 15_000, message: 'the draw price' });
    expect(await card(soccer).locator('.team.draw').isVisible()).toBe(true);
    expect(await text(soccer, '.team.draw .side')).toBe('Draw');
    expect(await text(soccer, '.status-label')).toBe('open');

    await waitFor(async () => (await text(paused, '.status-label')) === 'paused', { timeoutMs: 15_000 });
    expect(await card(paused).locator('.team.draw').isVisible()).toBe(false); // two-way: no draw row

    // Trading has ended: a closed game's quiet prices are not stale.
    await waitFor(async () => (await text(closedLongAgo, '.status-label')) === 'closed', { timeoutMs: 15_000 });
    expect(await card(closedLongAgo).getAttribute('class')).not.toContain('stale');

    await page.screenshot({ path: LIFE_SCREENSHOT, fullPage: true });
  });
});
