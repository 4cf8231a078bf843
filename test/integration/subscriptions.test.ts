import { uniqueId } from '../helpers/db';
import { startHarness, type Harness } from '../helpers/harness';
import { waitFor } from '../helpers/wait';
import type { UnlistedMode } from '@kalshi-ingestor/kalshi-sim';

interface LoggedCommand {
  cmd?: string;
  params?: { market_tickers?: string[]; action?: string; send_initial_snapshot?: boolean };
}

const commands = (h: Harness) => h.sim.commandLog().map((e) => ({ ...e, cmd: e.cmd as LoggedCommand }));
const mentioning = (h: Harness, ticker: string) => commands(h).filter((e) => e.cmd.params?.market_tickers?.includes(ticker) === true);

/** Maps `count` one-market games in one insert (so their markets reach the feed together). `unlisted` are not in the simulator. */
async function addGames(h: Harness, count: number, label: string, unlisted: string[] = []): Promise<{ tickers: string[]; gameOf: Map<string, string> }> {
  const tickers: string[] = [];
  const gameOf = new Map<string, string>();
  const games: { live_game_id: string; slug: string }[] = [];
  const markets: { ticker: string; live_game_id: string; side: string }[] = [];
  for (let i = 0; i < count + unlisted.length; i += 1) {
    const gameId = uniqueId(`${label}${i}`);
    const ticker = i < count ? `${gameId}-H`.toUpperCase() : (unlisted[i - count]);
    if (i < count) tickers.push(ticker);
    gameOf.set(ticker, gameId);
    games.push({ live_game_id: gameId, slug: `slug-${gameId}` });
    markets.push({ ticker, live_game_id: gameId, side: 'home' });
  }
  h.sim.addMarkets(tickers.map((ticker) => ({ ticker, yesBid: 0.4, yesAsk: 0.42 })));
  await h.db.sql`insert into frontend_games ${h.db.sql(games)}`;
  await h.db.sql`insert into kalshi_markets ${h.db.sql(markets)}`;
  return { tickers, gameOf };
}

interface Status {
  subscribedMarkets: number;
  connections: { desired: number; subscribed: number; refused: number }[];
}
const status = async (h: Harness) => (await (await fetch(`${h.app.address}/status`)).json()) as Status;
const ready = async (h: Harness) => (await (await fetch(`${h.app.address}/readyz`)).json()) as { status: string; checks: Record<string, { detail?: string }> };

/** A few simulator heartbeats: time for a command loop, if there were one, to show. A condition, not a sleep. */
async function heartbeats(h: Harness, count: number): Promise<void> {
  let seen = 0;
  const count1 = () => void (seen += 1);
  h.sim.on('heartbeat', count1);
  try {
    await waitFor(() => seen >= count, { timeoutMs: 10_000, message: `${count} heartbeats` });
  } finally {
    h.sim.off('heartbeat', count1);
  }
}

describe('subscriptions at scale', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  it('spreads 1,001 markets over sockets of at most 500, 50 tickers a command, 100 ms apart', async () => {
    const { tickers } = await addGames(h, 1001, 'SCALE');
    await waitFor(() => tickers.every((t) => h.sim.subscribedTickers().has(t)), { timeoutMs: 15_000, message: 'every market subscribed' });
    const sockets = h.sim.connections();
    expect(sockets).toHaveLength(3);
    for (const socket of sockets) {
      expect(socket.subscriptions).toHaveLength(1);
      expect(socket.subscriptions[0]?.tickers.length).toBeLessThanOrEqual(500);
    }
    const log = commands(h);
    for (const entry of log) expect(entry.cmd.params?.market_tickers?.length ?? 0).toBeLessThanOrEqual(50);
    for (const socket of sockets) {
      const times = log.filter((e) => e.connectionId === socket.id).map((e) => e.at);
      for (let i = 1; i < times.length; i += 1) expect((times[i]) - (times[i - 1])).toBeGreaterThanOrEqual(95);
    }
    expect((await status(h)).subscribedMarkets).toBe(1001);
  });
});

describe('a per-subscription limit of 400, REST not answering', () => {
  let h: Harness;
  beforeAll(async () => {
    // Port 9 (discard) on loopback refuses: every price must come from the socket's snapshots.
    h = await startHarness({ sim: { maxMarketsPerSubscription: 400 }, env: { KALSHI_REST_URL: 'http://127.0.0.1:9/trade-api/v2' } });
  });
  afterAll(async () => h?.close());

  it('ends 1,200 markets on three connections, every one subscribed and priced by its snapshot, in ~24 commands and no loop', async () => {
    const { tickers, gameOf } = await addGames(h, 1200, 'L400');
    await waitFor(() => tickers.every((t) => h.sim.subscribedTickers().has(t)), { timeoutMs: 30_000, message: 'every market subscribed' });
    const sockets = h.sim.connections();
    expect(sockets).toHaveLength(3);
    for (const socket of sockets) {
      expect(socket.subscriptions).toHaveLength(1);
      expect(socket.subscriptions[0]?.tickers).toHaveLength(400);
    }
    // Every game priced: each market's snapshot reached Redis, with REST refusing every connection.
    const games = new Set([...gameOf.values()]);
    await waitFor(() => new Set(h.messages.messages.map((m) => (JSON.parse(m) as { gameId: string }).gameId)).size >= games.size, {
      timeoutMs: 15_000,
      message: 'a price for every game',
    });
    const priced = new Set(h.messages.messages.map((m) => (JSON.parse(m) as { gameId: string }).gameId));
    for (const game of games) expect(priced.has(game)).toBe(true);

    const sent = commands(h).length;
    // 24 commands of 50 carry 1,200 markets; two 26s (one per full connection) and rounding cost a few more.
    expect(sent).toBeGreaterThanOrEqual(24);
    expect(sent).toBeLessThanOrEqual(30);
    for (const entry of commands(h)) {
      if (entry.cmd.params?.action === 'add_markets') expect(entry.cmd.params.send_initial_snapshot).toBe(true);
      expect(entry.cmd.cmd).not.toBe('unsubscribe');
    }
    await heartbeats(h, 10);
    expect(commands(h).length).toBe(sent);
    const s = await status(h);
    expect(s.subscribedMarkets).toBe(1200);
    expect((await ready(h)).status).toBe('ready');
  });
});

describe.each<UnlistedMode>(['accept', 'error11', 'error14'])('an unlisted ticker answered %s', (mode) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ sim: { unlistedTickers: mode } });
  });
  afterAll(async () => h?.close());

  it('leaves the other 49 of its command subscribed; the refused one is reported, not counted, and retried within 5 s', async () => {
    const ghost = uniqueId(`KX-GHOST-${mode}`).toUpperCase();
    const { tickers, gameOf } = await addGames(h, 49, `U${mode}`, [ghost]);
    await waitFor(() => tickers.every((t) => h.sim.subscribedTickers().has(t)), { timeoutMs: 10_000, message: 'the 49 subscribed' });
    await waitFor(
      async () => {
        const s = await status(h);
        return s.subscribedMarkets === 49 && s.connections[0]?.refused === 1;
      },
      { timeoutMs: 10_000, message: 'the ghost reported refused, the 49 subscribed' },
    );
    // All 50 went out together first.
    expect(commands(h).find((e) => e.cmd.params?.market_tickers?.length === 50)?.cmd.params?.market_tickers).toContain(ghost);
    const s = await status(h);
    expect(s.subscribedMarkets).toBe(49);
    expect(s.connections[0]).toMatchObject({ desired: 50, subscribed: 49, refused: 1 });
    expect(h.sim.subscribedTickers().has(ghost)).toBe(false);
    expect((await ready(h)).status).toBe('ready');
    expect(await h.redis.redis.get(h.redis.keys.tickerMap)).toContain(ghost);

    // Kalshi lists it: the next retry (first within 5 s) subscribes it, and its snapshot prices the game.
    const refusedAt = Date.now();
    h.sim.addMarkets([{ ticker: ghost, yesBid: 0.31, yesAsk: 0.33 }]);
    await waitFor(() => h.sim.subscribedTickers().has(ghost), { timeoutMs: 5_500, message: 'the ghost retried within 5 s' });
    expect(Date.now() - refusedAt).toBeLessThan(5_500);
    await h.waitForMessage(gameOf.get(ghost) as string, (m) => m.homeTeam.kalshiBuyPrice === 33);
    await waitFor(async () => (await status(h)).subscribedMarkets === 50);
    expect((await status(h)).connections[0]?.refused).toBe(0);
  });
});

describe('a subscription error without id', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ sim: { unlistedTickers: 'error11', subscriptionErrorsWithoutId: true } });
  });
  afterAll(async () => h?.close());

  it('settles the command it answers at once (matched by sid): no command timeout, no new socket', async () => {
    const first = await addGames(h, 3, 'IDLESS-A');
    await waitFor(() => first.tickers.every((t) => h.sim.subscribedTickers().has(t)), { timeoutMs: 5_000 });
    const ghost = uniqueId('KX-IDLESS').toUpperCase();
    const second = await addGames(h, 49, 'IDLESS-B', [ghost]);
    // The add_markets of 50 is refused by a frame without id: every narrowing step too.
    await waitFor(() => second.tickers.every((t) => h.sim.subscribedTickers().has(t)), { timeoutMs: 8_000, message: 'the 49 subscribed' });
    await waitFor(async () => (await status(h)).connections[0]?.refused === 1, { timeoutMs: 5_000 });
    expect(h.sim.stats.authenticatedTotal).toBe(1);
    expect(h.logs.some((l) => typeof l.err === 'string' && l.err.includes('got no reply'))).toBe(false);
    expect(h.logs.some((l) => l.msg === 'recycling Kalshi connection')).toBe(false);
  });
});

describe('a refused delete_markets', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  it('is sent at most twice, then the market is forgotten locally; readiness never reads more subscribed than mapped', async () => {
    const { tickers } = await addGames(h, 2, 'DEL');
    const [keep, gone] = tickers as [string, string];
    await waitFor(async () => (await status(h)).subscribedMarkets === 2, { timeoutMs: 5_000 });
    h.sim.setDeleteRefusal(13);
    await h.db.sql`delete from kalshi_markets where ticker = ${gone}`;
    const deletes = () => mentioning(h, gone).filter((e) => e.cmd.params?.action === 'delete_markets').length;
    await waitFor(() => deletes() >= 2, { timeoutMs: 5_000, message: 'the delete sent and repeated once' });
    await heartbeats(h, 10);
    expect(deletes()).toBe(2);
    const s = await status(h);
    expect(s.subscribedMarkets).toBe(1);
    expect(s.connections[0]).toMatchObject({ desired: 1, subscribed: 1 });
    const r = await ready(h);
    expect(r.status).toBe('ready');
    expect(JSON.stringify(r)).not.toMatch(/2 of 1/);
    // The socket keeps serving the market that stays.
    h.sim.setDeleteRefusal(null);
    expect(h.sim.subscribedTickers().has(keep)).toBe(true);
  });
});

describe('a small per-subscription limit', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ sim: { maxMarketsPerSubscription: 3 } });
  });
  afterAll(async () => h?.close());

  it('answers error 26 with more connections, never a second subscription on a full one', async () => {
    const { tickers } = await addGames(h, 8, 'LIMIT');
    await waitFor(() => tickers.every((t) => h.sim.subscribedTickers().has(t)), { timeoutMs: 10_000, message: 'all subscribed despite the limit' });
    await waitFor(async () => (await status(h)).subscribedMarkets === 8, { timeoutMs: 5_000, message: 'the service agrees' });
    const sockets = h.sim.connections();
    expect(sockets.length).toBeGreaterThanOrEqual(3);
    for (const socket of sockets) {
      expect(socket.subscriptions.length).toBeLessThanOrEqual(1);
      for (const s of socket.subscriptions) expect(s.tickers.length).toBeLessThanOrEqual(3);
    }
    const sent = commands(h).length;
    await heartbeats(h, 10);
    expect(commands(h).length).toBe(sent);
    expect(sent).toBeLessThan(20);
  });
});
