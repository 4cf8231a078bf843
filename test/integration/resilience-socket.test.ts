import { uniqueId } from '../helpers/db';
import { startHarness, type Harness } from '../helpers/harness';
import { waitFor } from '../helpers/wait';

/** Faults on the Kalshi side: each case ends with the game's last price in Redis and Postgres, and a metric moved. */

async function metrics(h: Harness): Promise<string> {
  return (await fetch(`${h.app.address}/metrics`)).text();
}

async function metricValue(h: Harness, name: string): Promise<number> {
  const match = new RegExp(`^${name.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(await metrics(h));
  return match === null ? 0 : Number(match[1]);
}

async function gameWithMarket(h: Harness, label: string): Promise<{ gameId: string; ticker: string }> {
  const ticker = uniqueId(`KX-${label}`).toUpperCase();
  const { gameId } = await h.addGame([{ ticker, side: 'home', yesBid: 0.4, yesAsk: 0.42 }]);
  await waitFor(() => h.sim.subscribedTickers().has(ticker), { timeoutMs: 5000, message: `${ticker} subscribed` });
  return { gameId, ticker };
}

/** The game's last price is on Redis (message and hash) and in Postgres. */
async function expectDelivered(h: Harness, gameId: string, tsMs: number, buy: number, timeoutMs = 10_000): Promise<void> {
  await h.waitForMessage(gameId, (m) => m.homeTeam.kalshiBuyPrice === buy, timeoutMs);
  await waitFor(async () => (await h.redis.redis.hget(h.redis.keys.prices(gameId), 'homeBuyPrice')) === String(buy), { timeoutMs });
  await waitFor(
    async () => {
      const data = await h.frontendData(gameId);
      return (data?.homeTeam as { kalshiBuyPrice?: number } | undefined)?.kalshiBuyPrice === buy;
    },
    { timeoutMs, message: 'the last price in Postgres' },
  );
  expect(tsMs).toBeGreaterThan(0);
}

describe('socket faults', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { STALL_TIMEOUT_MS: '800', RECONCILE_INTERVAL_MS: '600000' } });
  });
  afterAll(async () => h?.close());

  it('keeps a quiet market subscribed while pings arrive (silence is not staleness)', async () => {
    await gameWithMarket(h, 'QUIET');
    const reconnects = await metricValue(h, 'kalshi_ws_reconnects_total');
    let heartbeats = 0;
    const count = () => void (heartbeats += 1);
    h.sim.on('heartbeat', count);
    await waitFor(() => heartbeats >= 12, { timeoutMs: 5000, message: 'pings over 3× the stall timeout' });
    h.sim.off('heartbeat', count);
    expect(await metricValue(h, 'kalshi_ws_reconnects_total')).toBe(reconnects);
  });

  it('replaces a stalled socket (no data, no pings) and delivers the price after it', async () => {
    const { gameId, ticker } = await gameWithMarket(h, 'STALL');
    const reconnects = await metricValue(h, 'kalshi_ws_reconnects_total');
    const opened = h.sim.stats.authenticatedTotal;
    h.sim.setStalled(true);
    const tsMs = Date.now();
    h.sim.setQuote(ticker, { yesBid: 0.51, yesAsk: 0.53, tsMs }); // lost in the stall
    await waitFor(() => h.sim.stats.authenticatedTotal > opened, { timeoutMs: 5000, message: 'a new socket after the stall' });
    h.sim.setStalled(false);
    await waitFor(() => h.sim.subscribedTickers().has(ticker) && h.sim.stats.connectionsOpen === 1, { timeoutMs: 5000 });
    // The snapshot of the new subscription carries the price sent during the stall.
    await expectDelivered(h, gameId, tsMs, 53);
    expect(await metricValue(h, 'kalshi_ws_reconnects_total')).toBeGreaterThan(reconnects);
  });

  it('reconnects after a dropped connection (1006) and subscribes every market again', async () => {
    const a = await gameWithMarket(h, 'DROPA');
    const b = await gameWithMarket(h, 'DROPB');
    const reconnects = await metricValue(h, 'kalshi_ws_reconnects_total');
    h.sim.dropConnections();
    const tsMs = Date.now();
    h.sim.setQuote(a.ticker, { yesBid: 0.61, yesAsk: 0.64, tsMs });
    await waitFor(() => h.sim.subscribedTickers().has(a.ticker) && h.sim.subscribedTickers().has(b.ticker), { timeoutMs: 5000 });
    await expectDelivered(h, a.gameId, tsMs, 64);
    h.sim.setQuote(b.ticker, { yesBid: 0.2, yesAsk: 0.22 });
    await expectDelivered(h, b.gameId, Date.now(), 22);
    expect(await metricValue(h, 'kalshi_ws_reconnects_total')).toBe(reconnects + 1);
  });

  it('subscribes again after a subscription-ending error (10)', async () => {
    const { gameId, ticker } = await gameWithMarket(h, 'TERM');
    const subscribesBefore = h.sim.commandLog().filter((e) => (e.cmd as { cmd?: string }).cmd === 'subscribe').length;
    h.sim.endSubscription(ticker, 10);
    await waitFor(() => h.sim.commandLog().filter((e) => (e.cmd as { cmd?: string }).cmd === 'subscribe').length > subscribesBefore, { timeoutMs: 5000 });
    await waitFor(() => h.sim.subscribedTickers().has(ticker), { timeoutMs: 5000 });
    const tsMs = Date.now();
    h.sim.setQuote(ticker, { yesBid: 0.71, yesAsk: 0.73, tsMs });
    await expectDelivered(h, gameId, tsMs, 73);
  });
});

describe('a flood of bad input', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  it('survives 20,000 bad frames and an oversized one with a small log, counting each', async () => {
    const { gameId, ticker } = await gameWithMarket(h, 'FLOOD');
    const before = await metricValue(h, 'kalshi_invalid_messages_total{reason="invalid_json"}');
    const logLinesBefore = h.logs.length;
    for (let i = 0; i < 20_000; i += 1) h.sim.sendRaw(`{garbage ${i}`);
    await waitFor(async () => (await metricValue(h, 'kalshi_invalid_messages_total{reason="invalid_json"}')) >= before + 20_000, {
      timeoutMs: 15_000,
      message: 'every bad frame counted',
    });
    const opened = h.sim.stats.authenticatedTotal;
    h.sim.sendRaw(JSON.stringify({ type: 'ticker', sid: 1, msg: { market_ticker: 'X', pad: 'x'.repeat(1.5 * 1024 * 1024) } }));
    await waitFor(() => h.sim.stats.authenticatedTotal > opened, { timeoutMs: 5000, message: 'the connection was replaced' });
    await waitFor(async () => (await metricValue(h, 'kalshi_invalid_messages_total{reason="oversized_frame"}')) >= 1);
    await waitFor(() => h.sim.subscribedTickers().has(ticker), { timeoutMs: 5000 });
    const tsMs = Date.now();
    h.sim.setQuote(ticker, { yesBid: 0.33, yesAsk: 0.35, tsMs });
    await expectDelivered(h, gameId, tsMs, 35);
    const floodLines = h.logs.slice(logLinesBefore).filter((l) => l.reason === 'invalid_json');
    expect(floodLines.length).toBeLessThanOrEqual(3);
    expect(h.logs.length - logLinesBefore).toBeLessThan(50);
  });
});

describe('a flapping link', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ reconnect: { delaysMs: [100, 300, 900], healthyAfterMs: 30_000 } });
  });
  afterAll(async () => h?.close());

  it('backs off: each reconnect waits longer than the last, never back to the first delay', async () => {
    await gameWithMarket(h, 'FLAP');
    const reconnects = await metricValue(h, 'kalshi_ws_reconnects_total');
    const connectedAt: number[] = [];
    const onConnection = () => {
      connectedAt.push(Date.now());
      if (connectedAt.length < 3) setImmediate(() => h.sim.dropConnections());
    };
    h.sim.on('connection', onConnection);
    h.sim.dropConnections();
    await waitFor(() => connectedAt.length >= 3, { timeoutMs: 8000, message: 'three reconnects' });
    h.sim.off('connection', onConnection);
    const gaps = connectedAt.slice(1).map((t, i) => t - (connectedAt[i]));
    // Delays 100, 300, 900 ms (±20 %): the gaps after the first reconnect are ≥ 300 and ≥ 900 less jitter.
    expect(gaps[0]).toBeGreaterThanOrEqual(240);
    expect(gaps[1]).toBeGreaterThanOrEqual(720);
    expect(await metricValue(h, 'kalshi_ws_reconnects_total')).toBe(reconnects + 3);
    await waitFor(() => h.sim.stats.connectionsOpen === 1, { timeoutMs: 5000 });
  });
});

describe('a rejected handshake', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      start: false,
      env: { FALLBACK_AFTER_MS: '300', FALLBACK_POLL_INTERVAL_MS: '200', KALSHI_API_KEY_ID: 'key-id-that-kalshi-rejects' },
    });
    h.sim.setRejectHandshake(401);
  });
  afterAll(async () => h?.close());

  it('is logged once as an authentication error naming the key id, and the REST fallback feeds prices', async () => {
    const ticker = uniqueId('KX-REJ').toUpperCase();
    const { gameId } = await h.addGame([{ ticker, side: 'home', yesBid: 0.4, yesAsk: 0.42 }]);
    await h.app.start();
    await waitFor(() => h.app.role === 'leader');
    await waitFor(async () => (await metricValue(h, 'kalshi_fallback_active')) === 1, { timeoutMs: 5000, message: 'fallback active' });
    const tsMs = Date.now();
    h.sim.setQuote(ticker, { yesBid: 0.45, yesAsk: 0.47, tsMs });
    await expectDelivered(h, gameId, tsMs, 47);
    const authErrors = h.logs.filter((l) => typeof l.msg === 'string' && l.msg.includes('authentication error'));
    expect(authErrors).toHaveLength(1);
    expect(authErrors[0]).toMatchObject({ keyId: 'key-id-that-kalshi-rejects', status: 401 });
    expect(JSON.stringify(h.logs)).not.toContain('PRIVATE KEY');
    const ready = await (await fetch(`${h.app.address}/readyz`)).json();
    expect(ready).toMatchObject({ status: 'ready', checks: { prices: { ok: true, detail: 'REST fallback active' } } });
  });
});

describe('a silently dead subscription', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { RECONCILE_INTERVAL_MS: '300' } });
  });
  afterAll(async () => h?.close());

  it('is repaired by reconciliation: the price corrected from REST, the market subscribed again', async () => {
    const { gameId, ticker } = await gameWithMarket(h, 'SILENT');
    await h.waitForMessage(gameId, () => true);
    h.sim.silenceMarket(ticker, true);
    const subscribesBefore = h.sim.commandLog().filter((e) => JSON.stringify(e.cmd).includes(ticker)).length;
    const tsMs = Date.now();
    h.sim.setQuote(ticker, { yesBid: 0.55, yesAsk: 0.58, tsMs });
    await expectDelivered(h, gameId, tsMs, 58, 5000);
    expect(await metricValue(h, 'kalshi_reconcile_corrections_total')).toBeGreaterThanOrEqual(1);
    h.sim.setQuote(ticker, { yesBid: 0.56, yesAsk: 0.59 });
    await waitFor(() => h.sim.commandLog().filter((e) => JSON.stringify(e.cmd).includes(ticker)).length > subscribesBefore, {
      timeoutMs: 5000,
      message: 'the market corrected twice in a row subscribed again',
    });
  });
});
