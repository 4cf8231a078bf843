import { uniqueId } from '../helpers/db';
import { startHarness, type Harness } from '../helpers/harness';
import { RestGate } from '../helpers/rest-gate';
import { waitFor } from '../helpers/wait';

/**
 * Fallback is per market (docs/ARCHITECTURE.md, "Fallback and repair"): one connection's fault costs that
 * connection's markets, never the book. Kalshi's REST is the simulator's behind a gate that logs every request's
 * tickers, so "not polled" is counted where Kalshi would see it.
 */

const FALLBACK_AFTER_MS = 1000;

async function harness(label: string, marketsPerConnection?: number): Promise<{ h: Harness; gate: RestGate }> {
  let upstream = '';
  const gate = new RestGate({ upstream: () => upstream });
  await gate.start();
  const h = await startHarness({
    start: false,
    marketsPerConnection,
    env: { FALLBACK_AFTER_MS: String(FALLBACK_AFTER_MS), FALLBACK_POLL_INTERVAL_MS: '300', WORKER_ID: uniqueId(label) },
    envFrom: (base) => {
      upstream = base.KALSHI_REST_URL;
      return { KALSHI_REST_URL: gate.url };
    },
  });
  return { h, gate };
}

async function fallbackStatus(h: Harness): Promise<Record<string, unknown>> {
  const body = (await (await fetch(`${h.app.address}/status`)).json()) as Record<string, unknown>;
  return body.fallback as Record<string, unknown>;
}

async function fallbackGauge(h: Harness): Promise<number> {
  const text = await (await fetch(`${h.app.address}/metrics`)).text();
  return Number(/^kalshi_fallback_active (\S+)$/m.exec(text)?.[1] ?? 'NaN');
}

const polledSince = (gate: RestGate, from: number): Set<string> => new Set(gate.requests.slice(from).flatMap((r) => r.tickers));

describe('per-market REST fallback', () => {
  const open: { h: Harness; gate: RestGate }[] = [];
  afterEach(async () => {
    for (const { h, gate } of open.splice(0)) {
      await h.close();
      await gate.close();
    }
  });

  it('one of two connections cut: only its markets are polled, the healthy connection\'s are neither polled nor regressed', async () => {
    const rig = await harness('two-conns', 2);
    open.push(rig);
    const { h, gate } = rig;
    const run = uniqueId('PMF').toUpperCase();
    const a = await h.addGame([
      { ticker: `${run}-A-HOME`, side: 'home', yesBid: 0.3, yesAsk: 0.32 },
      { ticker: `${run}-A-AWAY`, side: 'away', yesBid: 0.66, yesAsk: 0.68 },
    ]);
    const b = await h.addGame([
      { ticker: `${run}-B-HOME`, side: 'home', yesBid: 0.5, yesAsk: 0.52 },
      { ticker: `${run}-B-AWAY`, side: 'away', yesBid: 0.46, yesAsk: 0.48 },
    ]);
    await h.app.start();
    await waitFor(() => h.app.role === 'leader');
    await waitFor(() => h.sim.subscribedTickers().size === 4 && h.sim.connections().length === 2, { timeoutMs: 10_000, message: 'four markets on two connections' });
    const connectionOf = (ticker: string) => h.sim.connections().find((c) => c.subscriptions.some((s) => s.tickers.includes(ticker)))?.id;
    const cut = connectionOf(`${run}-B-HOME`);
    expect(cut).toBeDefined();
    expect(connectionOf(`${run}-B-AWAY`)).toBe(cut);
    expect(connectionOf(`${run}-A-HOME`)).not.toBe(cut);

    // Connection B goes down and stays down (its handshakes are refused); A keeps ticking.
    h.sim.setRejectHandshake(401);
    const requestsAtCut = gate.requests.length;
    h.sim.dropConnection(cut ?? -1);
    const cutAt = Date.now();
    // While B is down the exchange moves B: only REST can tell.
    h.sim.setQuote(`${run}-B-HOME`, { yesBid: 0.55, yesAsk: 0.57 });
    let cents = 33;
    const ticking = setInterval(() => {
      cents = Math.min(cents + 1, 60);
      h.sim.setQuote(`${run}-A-HOME`, { yesBid: (cents - 2) / 100, yesAsk: cents / 100, tsMs: Date.now() });
    }, 100);
    try {
      const polled = await h.waitForMessage(b.gameId, (m) => m.homeTeam.kalshiBuyPrice === 57, 10_000);
      expect(polled.timestamp).toBeGreaterThan(0);
      expect(Date.now() - cutAt).toBeGreaterThanOrEqual(FALLBACK_AFTER_MS);
      expect(await fallbackStatus(h)).toMatchObject({ active: true, markets: 2 });
      expect(await fallbackGauge(h)).toBe(1);
      // A few more poll periods with A ticking.
      const passes = Number((await fallbackStatus(h)).passes);
      await waitFor(async () => Number((await fallbackStatus(h)).passes) >= passes + 3, { timeoutMs: 10_000, message: 'three more passes' });
    } finally {
      clearInterval(ticking);
    }
    const last = cents;
    expect(polledSince(gate, requestsAtCut)).toEqual(new Set([`${run}-B-HOME`, `${run}-B-AWAY`]));
    expect(gate.requests.slice(requestsAtCut).every((r) => r.tickers.length <= 100)).toBe(true);
    // A's prices only ever went up (no REST answer overwrote a tick), and the stores end at the last tick.
    await h.waitForMessage(a.gameId, (m) => m.homeTeam.kalshiBuyPrice === last);
    const aBuys = h.messagesOf(a.gameId).map((m) => m.homeTeam.kalshiBuyPrice ?? 0);
    expect(aBuys).toEqual([...aBuys].sort((x, y) => x - y));
    await waitFor(async () => ((await h.frontendData(a.gameId))?.homeTeam as { kalshiBuyPrice?: number } | undefined)?.kalshiBuyPrice === last, {
      message: 'Postgres at the last tick',
    });
    expect(await h.redis.redis.hget(h.redis.keys.prices(a.gameId), 'homeBuyPrice')).toBe(String(last));

    // B's connection comes back: polling stops.
    h.sim.setRejectHandshake(null);
    await waitFor(async () => (await fallbackStatus(h)).markets === 0, { timeoutMs: 10_000, message: 'fallback off again' });
    expect(await fallbackGauge(h)).toBe(0);
    const afterBack = gate.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(gate.requests.length).toBe(afterBack);
  }, 60_000);

  it('one connection, one market kept unconverged by error 27: only that market is polled', async () => {
    const rig = await harness('one-conn');
    open.push(rig);
    const { h, gate } = rig;
    const run = uniqueId('PMF27').toUpperCase();
    const live = await h.addGame([{ ticker: `${run}-LIVE`, side: 'home', yesBid: 0.4, yesAsk: 0.42 }]);
    await h.app.start();
    await waitFor(() => h.app.role === 'leader');
    await waitFor(() => h.sim.subscribedTickers().has(`${run}-LIVE`), { timeoutMs: 10_000 });
    await waitFor(async () => (await fetch(`${h.app.address}/readyz`)).status === 200, { message: 'subscribed and confirmed' });
    const requestsBefore = gate.requests.length;
    // The next two commands (the new market's add_markets and its first retry) meet Kalshi's rate limit.
    h.sim.failNextCommand(27);
    h.sim.failNextCommand(27);
    const late = await h.addGame([{ ticker: `${run}-LATE`, side: 'home', yesBid: 0.2, yesAsk: 0.23 }]);
    h.sim.setQuote(`${run}-LIVE`, { yesBid: 0.41, yesAsk: 0.43, tsMs: Date.now() });
    await h.waitForMessage(late.gameId, (m) => m.homeTeam.kalshiBuyPrice === 23, 10_000);
    expect(await fallbackStatus(h)).toMatchObject({ active: true, markets: 1 });
    await h.waitForMessage(live.gameId, (m) => m.homeTeam.kalshiBuyPrice === 43);
    // Converged at last: out of fallback.
    await waitFor(() => h.sim.subscribedTickers().has(`${run}-LATE`), { timeoutMs: 15_000, message: 'the late market subscribed' });
    await waitFor(async () => (await fallbackStatus(h)).markets === 0, { timeoutMs: 5000, message: 'fallback off' });
    expect(polledSince(gate, requestsBefore)).toEqual(new Set([`${run}-LATE`]));
  }, 60_000);
});
