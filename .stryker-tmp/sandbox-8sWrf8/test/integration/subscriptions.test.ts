// @ts-nocheck
import { uniqueId } from '../helpers/db';
import { startHarness, type Harness } from '../helpers/harness';
import { waitFor } from '../helpers/wait';

interface LoggedCommand {
  cmd?: string;
  params?: { market_tickers?: string[]; action?: string };
}

const commands = (h: Harness) => h.sim.commandLog().map((e) => ({ ...e, cmd: e.cmd as LoggedCommand }));

async function addGames(h: Harness, count: number, label: string): Promise<string[]> {
  const tickers: string[] = [];
  const games: Array<{ live_game_id: string; slug: string }> = [];
  const markets: Array<{ ticker: string; live_game_id: string; side: string }> = [];
  for (let i = 0; i < count; i += 1) {
    const gameId = uniqueId(`${label}${i}`);
    const ticker = `${gameId}-H`.toUpperCase();
    tickers.push(ticker);
    games.push({ live_game_id: gameId, slug: `slug-${gameId}` });
    markets.push({ ticker, live_game_id: gameId, side: 'home' });
  }
  h.sim.addMarkets(tickers.map((ticker) => ({ ticker, yesBid: 0.4, yesAsk: 0.42 })));
  await h.db.sql`insert into frontend_games ${h.db.sql(games)}`;
  await h.db.sql`insert into kalshi_markets ${h.db.sql(markets)}`;
  return tickers;
}

describe('subscriptions at scale', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.close());

  it('spreads 1,001 markets over sockets of at most 500, 50 tickers a command, 100 ms apart', async () => {
    const tickers = await addGames(h, 1001, 'SCALE');
    await waitFor(() => tickers.every((t) => h.sim.subscribedTickers().has(t)), { timeoutMs: 15_000, message: 'every market subscribed' });
    const sockets = h.sim.connections();
    expect(sockets).toHaveLength(3);
    for (const socket of sockets) {
      const held = socket.subscriptions.reduce((n, s) => n + s.tickers.length, 0);
      expect(held).toBeLessThanOrEqual(500);
    }
    const log = commands(h);
    for (const entry of log) expect(entry.cmd.params?.market_tickers?.length ?? 0).toBeLessThanOrEqual(50);
    for (const socket of sockets) {
      const times = log.filter((e) => e.connectionId === socket.id).map((e) => e.at);
      for (let i = 1; i < times.length; i += 1) expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(95);
    }
    const status = (await (await fetch(`${h.app.address}/status`)).json()) as { subscribedMarkets: number; connections: unknown[] };
    expect(status.subscribedMarkets).toBe(1001);
    expect(status.connections).toHaveLength(3);
  });
});

describe('subscription errors', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ sim: { maxMarketsPerSubscription: 3 } });
  });
  afterAll(async () => h?.close());

  it('answers error 26 with smaller subscriptions', async () => {
    const tickers = await addGames(h, 8, 'LIMIT');
    await waitFor(() => tickers.every((t) => h.sim.subscribedTickers().has(t)), { timeoutMs: 10_000, message: 'all subscribed despite the limit' });
    const subscriptions = h.sim.connections().flatMap((c) => c.subscriptions);
    expect(subscriptions.length).toBeGreaterThanOrEqual(3);
    for (const s of subscriptions) expect(s.tickers.length).toBeLessThanOrEqual(3);
  });

  it('leaves a market Kalshi does not know (error 16) and subscribes the rest, without a loop', async () => {
    const known = await addGames(h, 2, 'KNOWN');
    const unknown = uniqueId('KX-UNKNOWN').toUpperCase();
    const gameId = uniqueId('ghost');
    await h.db.sql`insert into frontend_games (live_game_id, slug) values (${gameId}, 'ghost')`;
    await h.db.sql`insert into kalshi_markets (ticker, live_game_id, side) values (${unknown}, ${gameId}, 'home')`;
    await waitFor(() => h.logs.some((l) => l.ticker === unknown && typeof l.msg === 'string' && l.msg.includes('error 16')), { message: 'the unknown market logged' });
    await waitFor(() => known.every((t) => h.sim.subscribedTickers().has(t)), { timeoutMs: 10_000 });
    const triesBefore = commands(h).filter((e) => JSON.stringify(e.cmd).includes(unknown)).length;
    // Another change to kalshi_markets reloads the map: the unknown market must not be tried again.
    const more = await addGames(h, 2, 'AFTER');
    await waitFor(() => more.every((t) => h.sim.subscribedTickers().has(t)), { timeoutMs: 10_000 });
    expect(commands(h).filter((e) => JSON.stringify(e.cmd).includes(unknown)).length).toBe(triesBefore);
    expect(triesBefore).toBeLessThanOrEqual(8);
    const ready = (await (await fetch(`${h.app.address}/readyz`)).json()) as { status: string };
    expect(ready.status).toBe('ready');
  });
});
