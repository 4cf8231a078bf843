import { uniqueId } from '../helpers/db';
import { startHarness, type Harness } from '../helpers/harness';
import { RestGate } from '../helpers/rest-gate';
import { waitFor } from '../helpers/wait';

/**
 * REST fallback through the whole service (real Postgres and Redis), Kalshi's REST being the simulator's
 * behind a gate that enforces Kalshi's read limit (≈ 20 requests/s, 429 beyond) and logs every request.
 */

interface Seeded {
  gameIds: string[];
  tickers: string[];
}

/** `games` games of two markets each, in the simulator and in Postgres, inserted in bulk before the service starts. */
async function seedGames(h: Harness, games: number, label: string): Promise<Seeded> {
  const gameIds: string[] = [];
  const tickers: string[] = [];
  const marketGames: string[] = [];
  const sides: string[] = [];
  const run = uniqueId(label).toUpperCase();
  for (let i = 0; i < games; i++) {
    const gameId = `${run}-G${i}`;
    gameIds.push(gameId);
    for (const side of ['home', 'away'] as const) {
      tickers.push(`${run}-${i}-${side.toUpperCase()}`);
      marketGames.push(gameId);
      sides.push(side);
    }
  }
  h.sim.addMarkets(tickers.map((ticker, i) => ({ ticker, yesBid: 0.3 + (i % 40) / 100, yesAsk: 0.33 + (i % 40) / 100 })));
  const { sql } = h.db;
  await sql`insert into frontend_games (live_game_id, slug) select g, 'nba-' || g from unnest(${sql.array(gameIds)}::text[]) as g`;
  await sql`
    insert into kalshi_markets (ticker, live_game_id, side)
    select * from unnest(${sql.array(tickers)}::text[], ${sql.array(marketGames)}::text[], ${sql.array(sides)}::text[])`;
  return { gameIds, tickers };
}

async function pricedGames(h: Harness, gameIds: readonly string[]): Promise<number> {
  const [row] = await h.db.sql<{ n: number }[]>`
    select count(*)::int as n from frontend_games
    where live_game_id = any(${h.db.sql.array([...gameIds])}::text[])
      and (frontend_data->'homeTeam'->>'kalshiBuyPrice') is not null
      and (frontend_data->'awayTeam'->>'kalshiBuyPrice') is not null`;
  return row?.n ?? 0;
}

async function getJson(h: Harness, route: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${h.app.address}${route}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function fallbackStatus(h: Harness): Promise<Record<string, unknown>> {
  return (await getJson(h, '/status')).body.fallback as Record<string, unknown>;
}

async function metricValue(h: Harness, name: string): Promise<number> {
  const text = await (await fetch(`${h.app.address}/metrics`)).text();
  const match = new RegExp(`^${name.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text);
  return match === null ? 0 : Number(match[1]);
}

describe('REST-only (KALSHI_WS_ENABLED=false), 5,000 markets, the exchange limiting to 20 requests/s', () => {
  let h: Harness;
  let gate: RestGate;
  let upstream = '';
  beforeAll(async () => {
    gate = new RestGate({ upstream: () => upstream, ratePerS: 20, burst: 20 });
    await gate.start();
    h = await startHarness({
      start: false,
      env: { KALSHI_WS_ENABLED: 'false', KALSHI_REST_RATE_PER_S: '10', FALLBACK_POLL_INTERVAL_MS: '1000', FLUSH_INTERVAL_MS: '500' },
      envFrom: (base) => {
        upstream = base.KALSHI_REST_URL;
        return { KALSHI_REST_URL: gate.url };
      },
    });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await gate?.close();
  });

  it('prices every game in Postgres within 30 s, never above the configured rate, without a 429; ready only once all are read', async () => {
    const { gameIds } = await seedGames(h, 2500, 'RONLY');
    const readiness: { status: number; detail: unknown }[] = [];
    await h.app.start();
    await waitFor(() => h.app.role === 'leader', { message: 'the service leads' });
    await waitFor(
      async () => {
        const ready = await getJson(h, '/readyz');
        readiness.push({ status: ready.status, detail: (ready.body.checks as { prices?: { detail?: unknown } }).prices?.detail });
        return (await pricedGames(h, gameIds)) === gameIds.length;
      },
      { timeoutMs: 30_000, intervalMs: 200, message: 'every game priced in Postgres' },
    );
    // Honest readiness: while markets were still unread, /readyz said which; then ready.
    expect(readiness.some((r) => r.status === 503 && String(r.detail).includes('of 5000 markets not read yet'))).toBe(true);
    await waitFor(async () => (await getJson(h, '/readyz')).status === 200, { message: 'ready once every market was read' });

    // Keep it polling for two more full passes (≥ 10 s of load), then look at what the exchange saw.
    await waitFor(async () => Number((await fallbackStatus(h)).passes) >= 2, { timeoutMs: 30_000, message: 'two full passes' });
    const status = await fallbackStatus(h);
    expect(status).toMatchObject({ active: true, missing: 0, readOnce: 5000 });
    expect(Number(status.lastPassMs)).toBeGreaterThan(0);
    expect(gate.rateLimited).toBe(0);
    expect(gate.requests.every((r) => r.tickers.length <= 100)).toBe(true);
    // At 10/s: over the whole run and over any 5 s, never more starts than the rate allows, give or take 3: one
    // for the fencepost (1/rate between starts) and two for arrival jitter (new connections first, and the gate
    // shares this test process's event loop with the service, so requests sent 100 ms apart may be accepted closer).
    expect(gate.requests.length).toBeGreaterThanOrEqual(100);
    const spanMs = (gate.requests.at(-1)?.atMs ?? 0) - (gate.requests[0]?.atMs ?? 0);
    expect(gate.requests.length).toBeLessThanOrEqual(Math.floor((spanMs * 10) / 1000) + 3);
    expect(gate.maxInWindow(5000)).toBeLessThanOrEqual(53);
  }, 90_000);
});

describe('three socket flaps in a row', () => {
  let h: Harness;
  let gate: RestGate;
  let upstream = '';
  beforeAll(async () => {
    // A slow exchange (1 s an answer): chains that overlapped would show as more requests in flight.
    gate = new RestGate({ upstream: () => upstream, delayMs: 1000 });
    await gate.start();
    h = await startHarness({
      start: false,
      env: { KALSHI_REST_RATE_PER_S: '10', FALLBACK_AFTER_MS: '300', FALLBACK_POLL_INTERVAL_MS: '200', RECONCILE_INTERVAL_MS: '600000' },
      envFrom: (base) => {
        upstream = base.KALSHI_REST_URL;
        return { KALSHI_REST_URL: gate.url };
      },
    });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await gate?.close();
  });

  it('keep one polling chain (never more requests in flight than one pass makes), and no REST poll once subscribed again', async () => {
    const { tickers } = await seedGames(h, 500, 'FLAP');
    await h.app.start();
    await waitFor(() => h.app.role === 'leader');
    await waitFor(() => tickers.every((t) => h.sim.subscribedTickers().has(t)), { timeoutMs: 15_000, message: 'all subscribed' });
    // Every market ticks once on the socket (home ones, then away ones: a game's two ticks must not coalesce),
    // so none is read again from REST as "new" when the socket adds it back after a reconnect.
    for (const side of ['HOME', 'AWAY']) {
      const mine = tickers.filter((t) => t.endsWith(`-${side}`));
      for (const ticker of mine) h.sim.setQuote(ticker, { yesBid: 0.5, yesAsk: 0.52 });
      await h.messages.waitFor((all) => {
        const seen = new Set(all.map((m) => (JSON.parse(m) as { ticker: string }).ticker));
        return mine.every((t) => seen.has(t));
      }, 15_000);
    }
    await waitFor(async () => (await fallbackStatus(h)).firstReads === 0 && gate.inFlight === 0, {
      timeoutMs: 15_000,
      message: 'first reads done',
    });
    gate.maxInFlight = 0;
    for (let flap = 1; flap <= 3; flap++) {
      h.sim.setRejectHandshake(401);
      h.sim.dropConnections();
      await waitFor(async () => (await metricValue(h, 'kalshi_fallback_active')) === 1, { timeoutMs: 10_000, message: `fallback on (${flap})` });
      await waitFor(() => gate.inFlight > 0, { timeoutMs: 5000, message: `polling (${flap})` });
      h.sim.setRejectHandshake(null);
      await waitFor(async () => (await metricValue(h, 'kalshi_fallback_active')) === 0, { timeoutMs: 15_000, message: `fallback off (${flap})` });
    }
    // One pass reads 10 groups with at most ceil(10/2) = 5 in flight, and the lifecycle re-read after each reconnect
    // one at a time; a second polling chain would add its own five.
    expect(gate.maxInFlight).toBeGreaterThan(0);
    expect(gate.maxInFlight).toBeLessThanOrEqual(6);
    // A lifecycle re-read of these 1,000 markets is 10 requests one at a time through a gate that answers in 1 s,
    // and a reconnect during one queues one more pass (src/kalshi/lifecycle-channel.ts): up to ~22 s after the
    // last flap, so the wait allows twice that.
    await waitFor(async () => {
      const lifecycle = (await getJson(h, '/status')).body.lifecycle as { subscribed: boolean; rereading: boolean } | null;
      return lifecycle?.subscribed === true && !lifecycle.rereading && gate.inFlight === 0;
    }, { timeoutMs: 45_000, message: 'the pass in flight cancelled, the lifecycle re-read done' });
    const requests = gate.requests.length;
    // Subscribed again: a dozen pings (2.4 s, a dozen poll intervals) later, still no REST request.
    let heartbeats = 0;
    const count = () => void (heartbeats += 1);
    h.sim.on('heartbeat', count);
    await waitFor(() => heartbeats >= 12, { timeoutMs: 10_000, message: 'pings while subscribed' });
    h.sim.off('heartbeat', count);
    expect(gate.requests.length).toBe(requests);
    expect((await fallbackStatus(h)).active).toBe(false);
  }, 120_000);
});

describe('markets in every REST status (REST only)', () => {
  let h: Harness;
  let gate: RestGate;
  let upstream = '';
  beforeAll(async () => {
    gate = new RestGate({ upstream: () => upstream });
    await gate.start();
    h = await startHarness({
      start: false,
      env: { KALSHI_WS_ENABLED: 'false', FALLBACK_POLL_INTERVAL_MS: '200' },
      envFrom: (base) => {
        upstream = base.KALSHI_REST_URL;
        return { KALSHI_REST_URL: gate.url };
      },
    });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await gate?.close();
  });

  it('only determined ones are polled no more (in /status), a determined one makes its game final, a re-mapped one is read again; closed ones are still polled', async () => {
    const id = uniqueId('STAT').toUpperCase();
    const live = `${id}-LIVE`;
    const settled = `${id}-SETTLED`;
    const closed = `${id}-CLOSED`;
    const a = await h.addGame([
      { ticker: live, side: 'home', yesBid: 0.4, yesAsk: 0.42 },
      { ticker: settled, side: 'away', yesBid: 0.97, yesAsk: 0.98 },
    ]);
    const b = await h.addGame([{ ticker: closed, side: 'home', yesBid: 0.3, yesAsk: 0.33 }]);
    h.sim.addMarkets([
      { ticker: settled, yesBid: 0.97, yesAsk: 0.98, status: 'finalized', result: 'yes' },
      { ticker: closed, yesBid: 0.3, yesAsk: 0.33, status: 'closed' },
    ]);
    await h.app.start();
    await waitFor(async () => Number((await fallbackStatus(h)).passes) >= 4, { timeoutMs: 10_000, message: 'four passes' });
    expect(gate.requestsFor(live).length).toBeGreaterThanOrEqual(4);
    expect(gate.requestsFor(settled)).toHaveLength(1);
    expect(gate.requestsFor(closed).length).toBeGreaterThanOrEqual(4);
    expect(await fallbackStatus(h)).toMatchObject({ determined: { finalized: 1 }, missing: 0 });
    // A market determined `yes` makes its game final, at the settlement prices (docs/CONTRACT.md, "A game's whole life").
    await h.waitForMessage(a.gameId, (m) => m.status === 'final' && m.result === 'away' && m.awayTeam.kalshiBuyPrice === 100 && m.homeTeam.kalshiBuyPrice === 0);

    await h.db.sql`update kalshi_markets set live_game_id = ${b.gameId} where ticker = ${settled}`;
    await waitFor(() => gate.requestsFor(settled).length === 2, { timeoutMs: 5000, message: 'the re-mapped market read again' });
  }, 60_000);

  it('a market REST calls initialized, and one it calls inactive, are priced within two poll periods of becoming active', async () => {
    const id = uniqueId('OPENS').toUpperCase();
    const later = `${id}-LATER`;
    const paused = `${id}-PAUSED`;
    const g = await h.addGame([
      { ticker: later, side: 'home', yesBid: null, yesAsk: null },
      { ticker: paused, side: 'away', yesBid: null, yesAsk: null },
    ]);
    h.sim.addMarkets([
      { ticker: later, yesBid: null, yesAsk: null, status: 'initialized' },
      { ticker: paused, yesBid: null, yesAsk: null, status: 'inactive' },
    ]);
    await waitFor(() => gate.requestsFor(later).length >= 3 && gate.requestsFor(paused).length >= 3, { timeoutMs: 10_000, message: 'three polls of each' });

    // Kalshi opens one and lifts the other's pause: no socket event (there is no socket), only REST says so.
    h.sim.addMarkets([
      { ticker: later, yesBid: 0.55, yesAsk: 0.57, status: 'active' },
      { ticker: paused, yesBid: 0.41, yesAsk: 0.43, status: 'active' },
    ]);
    const polls = { later: gate.requestsFor(later).length, paused: gate.requestsFor(paused).length };
    await h.waitForMessage(g.gameId, (m) => m.homeTeam.kalshiBuyPrice === 57 && m.awayTeam.kalshiBuyPrice === 43, 10_000);
    // At most two polls of each began after the change: priced within two poll periods.
    expect(gate.requestsFor(later).length - polls.later).toBeLessThanOrEqual(2);
    expect(gate.requestsFor(paused).length - polls.paused).toBeLessThanOrEqual(2);
  }, 60_000);
});
