import nock from 'nock';
import { uniqueId } from '../helpers/db';
import { startHarness, type Harness } from '../helpers/harness';
import { TcpProxy } from '../helpers/tcp-proxy';
import { waitFor } from '../helpers/wait';

/** Postgres and Redis outages cost latency, never a price; REST-only mode and 429s. */

async function metricValue(h: Harness, name: string): Promise<number> {
  const text = await (await fetch(`${h.app.address}/metrics`)).text();
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return match === null ? 0 : Number(match[1]);
}

async function readyz(h: Harness): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${h.app.address}/readyz`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const homeBuy = (data: Record<string, unknown> | undefined) => (data?.homeTeam as { kalshiBuyPrice?: number } | undefined)?.kalshiBuyPrice;

describe('a Postgres outage of several flush periods', () => {
  const FLUSH_INTERVAL_MS = 1000;
  const proxy = new TcpProxy('127.0.0.1', 5432);
  let h: Harness;
  beforeAll(async () => {
    await proxy.start();
    h = await startHarness({
      env: { FLUSH_INTERVAL_MS: String(FLUSH_INTERVAL_MS) },
      envFrom: (base) => ({ DATABASE_URL: proxy.url(base.DATABASE_URL) }),
    });
  });
  afterAll(async () => {
    await h?.close();
    await proxy.close();
  });

  it('keeps the batch queued, says so on /readyz, and writes the last price within a period plus 1 s of Postgres answering', async () => {
    const ticker = uniqueId('KX-PGCUT').toUpperCase();
    const { gameId } = await h.addGame([{ ticker, side: 'home', yesBid: 0.4, yesAsk: 0.42 }]);
    await waitFor(() => h.sim.subscribedTickers().has(ticker), { timeoutMs: 5000 });
    await waitFor(async () => homeBuy(await h.frontendData(gameId)) === 42, { message: 'the first price in Postgres' });
    const failures = await metricValue(h, 'kalshi_flush_failures_total');

    proxy.cut();
    for (const ask of [0.5, 0.55, 0.6]) h.sim.setQuote(ticker, { yesBid: ask - 0.02, yesAsk: ask });
    await h.waitForMessage(gameId, (m) => m.homeTeam.kalshiBuyPrice === 60); // Redis is unaffected
    await waitFor(async () => (await metricValue(h, 'kalshi_flush_failures_total')) >= failures + 2, { timeoutMs: 10_000, message: 'flushes failing' });
    // Readiness is probed in the background about once a second.
    const down = await waitFor(async () => {
      const answer = await readyz(h);
      return answer.status === 503 && answer;
    }, { message: '/readyz saying Postgres is down' });
    expect(down.body).toMatchObject({ role: 'leader', checks: { postgres: { ok: false } } });
    expect(await (await fetch(`${h.app.address}/healthz`)).json()).toEqual({ status: "ok" });
    h.sim.setQuote(ticker, { yesBid: 0.63, yesAsk: 0.65 });
    await h.waitForMessage(gameId, (m) => m.homeTeam.kalshiBuyPrice === 65);
    // The outage outlasts several attempts made after the last price was queued.
    const afterLast = await metricValue(h, 'kalshi_flush_failures_total');
    await waitFor(async () => (await metricValue(h, 'kalshi_flush_failures_total')) >= afterLast + 2, { timeoutMs: 15_000, message: 'two more failed flushes' });
    expect(homeBuy(await h.frontendData(gameId))).not.toBe(65);

    proxy.restore();
    const restoredAt = Date.now();
    await waitFor(async () => homeBuy(await h.frontendData(gameId)) === 65, {
      timeoutMs: FLUSH_INTERVAL_MS + 1000,
      intervalMs: 10,
      message: 'the last price in Postgres within one flush period plus 1 s',
    });
    if (process.env.SHOW_RECOVERY) console.log('recovery ms', Date.now() - restoredAt);
    await waitFor(async () => (await readyz(h)).status === 200, { timeoutMs: 5000 });
  });
});

describe('a Redis outage shorter than the step-down time', () => {
  const proxy = new TcpProxy('127.0.0.1', 6379);
  let h: Harness;
  beforeAll(async () => {
    await proxy.start();
    // Step-down after 2/3 of 9 s = 6 s; the outage lasts about 2 s.
    h = await startHarness({ env: { LEADER_LOCK_TTL_MS: '9000' }, envFrom: (base) => ({ REDIS_URL: proxy.url(base.REDIS_URL) }) });
  });
  afterAll(async () => {
    await h?.close();
    await proxy.close();
  });

  it('keeps leading, retries the publish, and delivers the last price on Redis when it is back', async () => {
    const ticker = uniqueId('KX-RDCUT').toUpperCase();
    const { gameId } = await h.addGame([{ ticker, side: 'home', yesBid: 0.4, yesAsk: 0.42 }]);
    await waitFor(() => h.sim.subscribedTickers().has(ticker), { timeoutMs: 5000 });
    await h.waitForMessage(gameId, () => true);
    const failures = await metricValue(h, 'kalshi_publish_failures_total');

    proxy.cut();
    h.sim.setQuote(ticker, { yesBid: 0.5, yesAsk: 0.52 });
    await waitFor(async () => (await metricValue(h, 'kalshi_publish_failures_total')) > failures, { timeoutMs: 5000 });
    const down = await waitFor(async () => {
      const answer = await readyz(h);
      return answer.status === 503 && answer;
    }, { message: '/readyz saying Redis is down' });
    expect(down.body).toMatchObject({ checks: { redis: { ok: false } } });
    h.sim.setQuote(ticker, { yesBid: 0.7, yesAsk: 0.74 });
    // The outage outlasts several publish retries made after the last price was queued.
    const afterLast = await metricValue(h, 'kalshi_publish_failures_total');
    await waitFor(async () => (await metricValue(h, 'kalshi_publish_failures_total')) >= afterLast + 2, { timeoutMs: 5000, message: 'two more failed publishes' });
    expect(await h.redis.redis.hget(h.redis.keys.prices(gameId), 'homeBuyPrice')).not.toBe('74');

    proxy.restore();
    await h.waitForMessage(gameId, (m) => m.homeTeam.kalshiBuyPrice === 74, 10_000);
    expect(await h.redis.redis.hget(h.redis.keys.prices(gameId), 'homeBuyPrice')).toBe('74');
    await waitFor(async () => homeBuy(await h.frontendData(gameId)) === 74, { timeoutMs: 5000 });
    expect(h.app.role).toBe('leader');
    expect(h.logs.some((l) => l.msg === 'stepping down to standby')).toBe(false);
  });
});

describe('REST-only mode (KALSHI_WS_ENABLED=false)', () => {
  const REST = 'http://kalshi-rest.test';
  let h: Harness;
  let ticker: string;
  let ask = '0.4200';
  let rateLimited = 0;

  beforeAll(async () => {
    ticker = uniqueId('KX-REST').toUpperCase();
    nock.disableNetConnect();
    nock.enableNetConnect(/127\.0\.0\.1|localhost/);
    nock(REST)
      .persist()
      .get('/trade-api/v2/markets')
      .query(true)
      .reply(() => {
        if (rateLimited > 0) {
          rateLimited -= 1;
          return [429, { error: 'too many requests' }];
        }
        return [200, { markets: [{ ticker, status: 'active', yes_bid_dollars: '0.4000', yes_ask_dollars: ask }], cursor: '' }];
      });
    h = await startHarness({
      start: false,
      env: { KALSHI_WS_ENABLED: 'false', KALSHI_API_KEY_ID: '', KALSHI_PRIVATE_KEY: '', KALSHI_REST_URL: `${REST}/trade-api/v2`, FALLBACK_POLL_INTERVAL_MS: '100' },
    });
  });
  afterAll(async () => {
    await h?.close();
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('opens no socket, needs no key, polls REST into the same pipeline and backs off on 429', async () => {
    const { gameId } = await h.addGame([{ ticker, side: 'home', yesBid: 0.4, yesAsk: 0.42 }]);
    await h.app.start();
    await waitFor(() => h.app.role === 'leader');
    await h.waitForMessage(gameId, (m) => m.homeTeam.kalshiBuyPrice === 42);
    expect(await metricValue(h, 'kalshi_fallback_active')).toBe(1);

    rateLimited = 2;
    ask = '0.4700';
    await h.waitForMessage(gameId, (m) => m.homeTeam.kalshiBuyPrice === 47, 10_000);
    expect(rateLimited).toBe(0);
    await waitFor(async () => homeBuy(await h.frontendData(gameId)) === 47);
    expect(h.sim.stats.authenticatedTotal).toBe(0);
    // Each 429 retried its own page after a backoff (no page lost), and the poll says how many it met.
    expect(h.logs.reduce((sum, l) => sum + (typeof l.rateLimited === 'number' ? l.rateLimited : 0), 0)).toBe(2);
  });
});
