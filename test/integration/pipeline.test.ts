import { PriceMessageSchema } from '../../src/sinks/price-message';
import { Value } from '@sinclair/typebox/value';
import { uniqueId } from '../helpers/db';
import { startHarness, type Harness } from '../helpers/harness';
import { waitFor } from '../helpers/wait';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

const ticker = (label: string) => uniqueId(`KX-${label}`).toUpperCase();

describe('a tick from Kalshi', () => {
  it('reaches Redis (hash and message) and Postgres', async () => {
    const home = ticker('HOU');
    const away = ticker('CHA');
    const { gameId, slug } = await h.addGame([
      { ticker: home, side: 'home', yesBid: 0.57, yesAsk: 0.58 },
      { ticker: away, side: 'away', yesBid: 0.42, yesAsk: 0.43 },
    ]);
    await waitFor(() => h.sim.subscribedTickers().has(home) && h.sim.subscribedTickers().has(away), { message: 'both markets subscribed' });

    const tsMs = Date.now();
    h.sim.setQuote(away, { yesBid: 0.41, yesAsk: 0.44, tsMs });
    const message = await h.waitForMessage(gameId, (m) => m.timestamp === tsMs);
    expect(Value.Check(PriceMessageSchema, message)).toBe(true);
    expect(message).toEqual({
      type: 'kalshi_price_update',
      gameId,
      slug,
      awayTeam: { kalshiBuyPrice: 44, kalshiSellPrice: 41 },
      homeTeam: { kalshiBuyPrice: 58, kalshiSellPrice: 57 },
      status: 'open',
      ticker: away,
      timestamp: tsMs,
    });

    const hash = await h.redis.redis.hgetall(h.redis.keys.prices(gameId));
    expect(hash).toEqual({
      awayBuyPrice: '44',
      awaySellPrice: '41',
      homeBuyPrice: '58',
      homeSellPrice: '57',
      ticker: away,
      updatedAt: String(Math.floor(tsMs / 1000)),
      timestamp: String(tsMs),
      slug,
      status: 'open',
    });
    const ttl = await h.redis.redis.pttl(h.redis.keys.prices(gameId));
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);

    const data = await waitFor(async () => {
      const d = await h.frontendData(gameId);
      return d?.kalshiUpdatedAt === tsMs ? d : undefined;
    }, { message: 'the flush wrote the tick' });
    expect(data).toEqual({
      awayTeam: { kalshiBuyPrice: 44, kalshiSellPrice: 41 },
      homeTeam: { kalshiBuyPrice: 58, kalshiSellPrice: 57 },
      kalshiUpdatedAt: tsMs,
      kalshiStatus: 'open',
      kalshiResult: null,
    });

    const ticker_map = JSON.parse((await h.redis.redis.get(h.redis.keys.tickerMap)) ?? '{}') as Record<string, string>;
    expect(ticker_map[home]).toBe(gameId);
    expect(ticker_map[away]).toBe(gameId);
  });

  it('keeps sub-cent prices exact', async () => {
    const home = ticker('SUB');
    const { gameId } = await h.addGame([{ ticker: home, side: 'home', yesBid: 0.455, yesAsk: 0.4537 + 0.01 }]);
    await waitFor(() => h.sim.subscribedTickers().has(home));
    const tsMs = Date.now();
    h.sim.setQuote(home, { yesBid: 0.4537, yesAsk: 0.4655, tsMs });
    const message = await h.waitForMessage(gameId, (m) => m.timestamp === tsMs);
    expect(message.homeTeam).toEqual({ kalshiBuyPrice: 46.55, kalshiSellPrice: 45.37 });
    expect(message.awayTeam).toEqual({ kalshiBuyPrice: 54.63, kalshiSellPrice: 53.45 });
    const data = await waitFor(async () => {
      const d = await h.frontendData(gameId);
      return d?.kalshiUpdatedAt === tsMs ? d : undefined;
    });
    expect(data.homeTeam).toEqual({ kalshiBuyPrice: 46.55, kalshiSellPrice: 45.37 });
    expect(data.awayTeam).toEqual({ kalshiBuyPrice: 54.63, kalshiSellPrice: 53.45 });
  });

  it('makes a price with no bid null, and leaves its hash field out', async () => {
    const home = ticker('NOBID');
    const { gameId } = await h.addGame([{ ticker: home, side: 'home', yesBid: 0.3, yesAsk: 0.35 }]);
    await waitFor(() => h.sim.subscribedTickers().has(home));
    const tsMs = Date.now();
    h.sim.setQuote(home, { yesBid: null, yesAsk: 0.35, tsMs });
    const message = await h.waitForMessage(gameId, (m) => m.timestamp === tsMs);
    expect(message.homeTeam).toEqual({ kalshiBuyPrice: 35, kalshiSellPrice: null });
    expect(message.awayTeam).toEqual({ kalshiBuyPrice: null, kalshiSellPrice: 65 });
    const hash = await h.redis.redis.hgetall(h.redis.keys.prices(gameId));
    expect(hash).not.toHaveProperty('homeSellPrice');
    expect(hash).not.toHaveProperty('awayBuyPrice');
    expect(hash.homeBuyPrice).toBe('35');
    const data = await waitFor(async () => {
      const d = await h.frontendData(gameId);
      return d?.kalshiUpdatedAt === tsMs ? d : undefined;
    });
    expect(data.homeTeam).toEqual({ kalshiBuyPrice: 35, kalshiSellPrice: null });
  });

  it('prices a one-market game on both sides (the away side from the complement)', async () => {
    const away = ticker('ONE');
    const { gameId } = await h.addGame([{ ticker: away, side: 'away', yesBid: 0.6, yesAsk: 0.62 }]);
    // The initial snapshot alone must publish the game's current price.
    const message = await h.waitForMessage(gameId, (m) => m.ticker === away);
    expect(message.awayTeam).toEqual({ kalshiBuyPrice: 62, kalshiSellPrice: 60 });
    expect(message.homeTeam).toEqual({ kalshiBuyPrice: 40, kalshiSellPrice: 38 });
  });

  it('creates missing team objects and keeps every other key', async () => {
    const home = ticker('KEEP');
    const { gameId } = await h.addGame([{ ticker: home, side: 'home', yesBid: 0.5, yesAsk: 0.52 }], {
      homeTeam: { name: 'Houston', polymarketBuyPrice: 51 },
      status: 'live',
      score: { home: 88, away: 90 },
    });
    await waitFor(() => h.sim.subscribedTickers().has(home));
    const tsMs = Date.now();
    h.sim.setQuote(home, { yesBid: 0.51, yesAsk: 0.53, tsMs });
    const data = await waitFor(async () => {
      const d = await h.frontendData(gameId);
      return d?.kalshiUpdatedAt === tsMs ? d : undefined;
    });
    expect(data).toEqual({
      homeTeam: { name: 'Houston', polymarketBuyPrice: 51, kalshiBuyPrice: 53, kalshiSellPrice: 51 },
      awayTeam: { kalshiBuyPrice: 49, kalshiSellPrice: 47 },
      status: 'live',
      score: { home: 88, away: 90 },
      kalshiUpdatedAt: tsMs,
      kalshiStatus: 'open',
      kalshiResult: null,
    });
  });

  it('ignores a tick older than the last one applied for its market', async () => {
    const home = ticker('OLD');
    const probe = ticker('PROBE');
    const { gameId } = await h.addGame([{ ticker: home, side: 'home', yesBid: 0.5, yesAsk: 0.52 }]);
    const probeGame = await h.addGame([{ ticker: probe, side: 'home', yesBid: 0.3, yesAsk: 0.32 }]);
    await waitFor(() => h.sim.subscribedTickers().has(home) && h.sim.subscribedTickers().has(probe));
    const newer = Date.now() + 1000;
    h.sim.setQuote(home, { yesBid: 0.7, yesAsk: 0.72, tsMs: newer });
    await h.waitForMessage(gameId, (m) => m.timestamp === newer);
    h.sim.setQuote(home, { yesBid: 0.1, yesAsk: 0.12, tsMs: newer - 500 });
    // A tick of another game, after the stale one on the same socket: it is published in the same batch as the
    // stale tick's game or a later one, never coalesced with it, so once it is here a stale message would be too.
    const marker = Date.now();
    h.sim.setQuote(probe, { yesBid: 0.31, yesAsk: 0.33, tsMs: marker });
    await h.waitForMessage(probeGame.gameId, (m) => m.timestamp === marker);
    expect(h.messagesOf(gameId).map((m) => m.homeTeam.kalshiSellPrice)).not.toContain(10);
    expect(await h.redis.redis.hget(h.redis.keys.prices(gameId), 'homeSellPrice')).toBe('70');
    await waitFor(async () => (await h.frontendData(probeGame.gameId))?.kalshiUpdatedAt === marker);
    expect(((await h.frontendData(gameId))?.homeTeam as { kalshiSellPrice?: number }).kalshiSellPrice).toBe(70);
  });

  it('drops a tick whose ts_ms is in microseconds (bad_timestamp): it never becomes a high-water mark', async () => {
    const home = ticker('USEC');
    const { gameId } = await h.addGame([{ ticker: home, side: 'home', yesBid: 0.5, yesAsk: 0.52 }]);
    await waitFor(() => h.sim.subscribedTickers().has(home));
    await h.waitForMessage(gameId, () => true);
    const before = (await invalidCounts()).bad_timestamp ?? 0;
    h.sim.setQuote(home, { yesBid: 0.6, yesAsk: 0.62, tsMs: Date.now() * 1000 });
    await waitFor(async () => ((await invalidCounts()).bad_timestamp ?? 0) === before + 1, { message: 'bad_timestamp counted' });
    const tsMs = Date.now();
    h.sim.setQuote(home, { yesBid: 0.55, yesAsk: 0.57, tsMs });
    const message = await h.waitForMessage(gameId, (m) => m.timestamp === tsMs);
    expect(message.homeTeam).toEqual({ kalshiBuyPrice: 57, kalshiSellPrice: 55 });
    expect(h.messagesOf(gameId).some((m) => m.homeTeam.kalshiBuyPrice === 62)).toBe(false);
    expect(await h.redis.redis.hget(h.redis.keys.prices(gameId), 'timestamp')).toBe(String(tsMs));
    await waitFor(async () => (await h.frontendData(gameId))?.kalshiUpdatedAt === tsMs, { message: 'Postgres took the later tick' });
  });

  it('a size-only frame (same bid and ask) publishes nothing and flushes nothing', async () => {
    const home = ticker('SIZE');
    const probe = ticker('SIZEPROBE');
    const { gameId } = await h.addGame([{ ticker: home, side: 'home', yesBid: 0.5, yesAsk: 0.52 }]);
    const probeGame = await h.addGame([{ ticker: probe, side: 'home', yesBid: 0.3, yesAsk: 0.32 }]);
    await waitFor(() => h.sim.subscribedTickers().has(home) && h.sim.subscribedTickers().has(probe));
    const first = Date.now();
    h.sim.setQuote(home, { yesBid: 0.51, yesAsk: 0.53, tsMs: first });
    await h.waitForMessage(gameId, (m) => m.timestamp === first);
    await waitFor(async () => (await h.frontendData(gameId))?.kalshiUpdatedAt === first);
    await waitFor(async () => (await status()).queues.postgres === 0);
    const published = h.messagesOf(gameId).length;
    const flushes = await flushCount();

    h.sim.setQuote(home, { yesBid: 0.51, yesAsk: 0.53, tsMs: first + 1 });
    const marker = Date.now() + 2;
    h.sim.setQuote(probe, { yesBid: 0.31, yesAsk: 0.33, tsMs: marker });
    await h.waitForMessage(probeGame.gameId, (m) => m.timestamp === marker);
    await waitFor(async () => (await h.frontendData(probeGame.gameId))?.kalshiUpdatedAt === marker);
    expect(h.messagesOf(gameId)).toHaveLength(published);
    // Exactly one flush since, and it held only the probe's game.
    expect(await flushCount()).toBe(flushes + 1);
    expect((await status()).lastFlush?.games).toBe(1);
  });

  it('re-maps a market (side swap, then a new game) within a second, with each market\'s own quote', async () => {
    const a = ticker('SWAPA');
    const b = ticker('SWAPB');
    const { gameId } = await h.addGame([
      { ticker: a, side: 'home', yesBid: 0.6, yesAsk: 0.62 },
      { ticker: b, side: 'away', yesBid: 0.3, yesAsk: 0.31 },
    ]);
    await h.waitForMessage(gameId, (m) => m.homeTeam.kalshiBuyPrice === 62 && m.awayTeam.kalshiBuyPrice === 31);

    const swappedAt = Date.now();
    await h.db.sql`update kalshi_markets set side = case side when 'home' then 'away' else 'home' end where ticker in (${a}, ${b})`;
    const swapped = await h.waitForMessage(gameId, (m) => m.awayTeam.kalshiBuyPrice === 62, 1000);
    expect(Date.now() - swappedAt).toBeLessThan(1000);
    expect(swapped.awayTeam).toEqual({ kalshiBuyPrice: 62, kalshiSellPrice: 60 });
    expect(swapped.homeTeam).toEqual({ kalshiBuyPrice: 31, kalshiSellPrice: 30 });
    await waitFor(async () => ((await h.frontendData(gameId))?.awayTeam as { kalshiBuyPrice?: number }).kalshiBuyPrice === 62);

    // Move b to a new game (live_game_id), then rename that game (slug): b keeps its own quote throughout.
    const other = uniqueId('game');
    await h.db.sql`insert into frontend_games (live_game_id, slug) values (${other}, ${`nba-${other}`})`;
    await h.db.sql`update kalshi_markets set live_game_id = ${other} where ticker = ${b}`;
    const moved = await h.waitForMessage(other, (m) => m.ticker === b, 1000);
    expect(moved.homeTeam).toEqual({ kalshiBuyPrice: 31, kalshiSellPrice: 30 });
    expect(moved.awayTeam).toEqual({ kalshiBuyPrice: 70, kalshiSellPrice: 69 });
    const left = await h.waitForMessage(gameId, (m) => m.homeTeam.kalshiBuyPrice === 40, 1000);
    expect(left.awayTeam).toEqual({ kalshiBuyPrice: 62, kalshiSellPrice: 60 });

    await h.db.sql`update frontend_games set slug = 'renamed-slug' where live_game_id = ${other}`;
    const renamed = await h.waitForMessage(other, (m) => m.slug === 'renamed-slug', 1000);
    expect(renamed.homeTeam).toEqual({ kalshiBuyPrice: 31, kalshiSellPrice: 30 });
  });

  it('the keep-alive rewrites a lost price hash within one period (20 s), without publishing', async () => {
    const home = ticker('LOST');
    const probe = ticker('LOSTPROBE');
    const { gameId, slug } = await h.addGame([{ ticker: home, side: 'home', yesBid: 0.5, yesAsk: 0.52 }]);
    const probeGame = await h.addGame([{ ticker: probe, side: 'home', yesBid: 0.3, yesAsk: 0.32 }]);
    const tsMs = Date.now();
    await waitFor(() => h.sim.subscribedTickers().has(home) && h.sim.subscribedTickers().has(probe));
    h.sim.setQuote(home, { yesBid: 0.51, yesAsk: 0.53, tsMs });
    await h.waitForMessage(gameId, (m) => m.timestamp === tsMs);
    const key = h.redis.keys.prices(gameId);
    const written = await h.redis.redis.hgetall(key);
    expect(written).toMatchObject({ homeBuyPrice: '53', slug, timestamp: String(tsMs) });
    const published = h.messagesOf(gameId).length;

    await h.redis.redis.del(key);
    await waitFor(async () => (await h.redis.redis.exists(key)) === 1, { timeoutMs: 21_000, intervalMs: 100, message: 'the hash rewritten by the keep-alive' });
    expect(await h.redis.redis.hgetall(key)).toEqual(written);
    expect(await h.redis.redis.pttl(key)).toBeGreaterThan(50_000);
    // Messages on one channel arrive in order: once the probe's is here, a keep-alive message would be too.
    const marker = Date.now();
    h.sim.setQuote(probe, { yesBid: 0.31, yesAsk: 0.33, tsMs: marker });
    await h.waitForMessage(probeGame.gameId, (m) => m.timestamp === marker);
    expect(h.messagesOf(gameId)).toHaveLength(published);
  });

  it('subscribes a market added to kalshi_markets while running, and unsubscribes a closed one, within a second', async () => {
    const home = ticker('ADD');
    const { gameId } = await h.addGame([{ ticker: home, side: 'home', yesBid: 0.5, yesAsk: 0.52 }]);
    await waitFor(() => h.sim.subscribedTickers().has(home));

    const away = ticker('ADD2');
    h.sim.addMarkets([{ ticker: away, yesBid: 0.44, yesAsk: 0.46 }]);
    const addedAt = Date.now();
    await h.db.sql`insert into kalshi_markets (ticker, live_game_id, side) values (${away}, ${gameId}, 'away')`;
    await waitFor(() => h.sim.subscribedTickers().has(away), { timeoutMs: 1000, message: 'the added market subscribed within 1 s' });
    // Its current price arrives at once, not only at its next change.
    const first = await h.waitForMessage(gameId, (m) => m.awayTeam.kalshiBuyPrice === 46);
    expect(first.awayTeam).toEqual({ kalshiBuyPrice: 46, kalshiSellPrice: 44 });
    expect(Date.now() - addedAt).toBeLessThan(2000);
    const updates = h.sim.commandLog().filter((e) => (e.cmd as { cmd?: string }).cmd === 'update_subscription');
    expect(updates.some((e) => JSON.stringify(e.cmd).includes(away) && JSON.stringify(e.cmd).includes('add_markets'))).toBe(true);

    await h.db.sql`update kalshi_markets set status = 'closed' where ticker = ${away}`;
    await waitFor(() => !h.sim.subscribedTickers().has(away), { timeoutMs: 1000, message: 'the closed market unsubscribed within 1 s' });
    expect(h.sim.subscribedTickers().has(home)).toBe(true);
  });

  it('survives bad frames, counting each by reason', async () => {
    const home = ticker('BAD');
    const { gameId } = await h.addGame([{ ticker: home, side: 'home', yesBid: 0.5, yesAsk: 0.52 }]);
    await waitFor(() => h.sim.subscribedTickers().has(home));
    const before = await invalidCounts();
    h.sim.sendRaw('{not json');
    h.sim.sendRaw(JSON.stringify({ type: 'mystery', msg: {} }));
    h.sim.sendRaw(Buffer.from([1, 2, 3]), { binary: true });
    h.sim.sendRaw(JSON.stringify({ type: 'ticker', sid: 1, msg: { market_ticker: home, yes_bid_dollars: 'abc', yes_ask_dollars: '0.5' } }));
    h.sim.sendRaw(JSON.stringify({ type: 'ticker', sid: 1, msg: { market_ticker: home, yes_bid_dollars: '-0.5', yes_ask_dollars: '0.5' } }));
    h.sim.sendRaw(JSON.stringify({ type: 'ticker', sid: 1, msg: { market_ticker: home, yes_bid_dollars: '0.5', yes_ask_dollars: '1.50' } }));
    h.sim.sendRaw(JSON.stringify({ type: 'ticker', sid: 1, msg: { market_ticker: home } }));
    h.sim.sendRaw(JSON.stringify({ type: 'ticker', sid: 1, msg: { market_ticker: 'NOT-MAPPED-ANYWHERE', yes_bid_dollars: '0.5', yes_ask_dollars: '0.6' } }));
    const tsMs = Date.now();
    h.sim.setQuote(home, { yesBid: 0.55, yesAsk: 0.57, tsMs });
    await h.waitForMessage(gameId, (m) => m.timestamp === tsMs);
    const after = await invalidCounts();
    const delta = (reason: string) => (after[reason] ?? 0) - (before[reason] ?? 0);
    expect(delta('invalid_json')).toBeGreaterThanOrEqual(1);
    expect(delta('unknown_type')).toBeGreaterThanOrEqual(1);
    expect(delta('binary_frame')).toBeGreaterThanOrEqual(1);
    expect(delta('bad_price')).toBeGreaterThanOrEqual(1);
    expect(delta('price_out_of_range')).toBeGreaterThanOrEqual(2);
    expect(delta('missing_price')).toBeGreaterThanOrEqual(1);
    expect(delta('unknown_ticker')).toBeGreaterThanOrEqual(1);
    const status = (await (await fetch(`${h.app.address}/status`)).json()) as { role: string };
    expect(status.role).toBe('leader');
  });
});

async function status(): Promise<{ queues: { postgres: number; redis: number }; lastFlush: { games: number } | null }> {
  return (await (await fetch(`${h.app.address}/status`)).json()) as { queues: { postgres: number; redis: number }; lastFlush: { games: number } | null };
}

async function flushCount(): Promise<number> {
  const text = await (await fetch(`${h.app.address}/metrics`)).text();
  return Number(/^kalshi_flush_duration_seconds_count (\d+)/m.exec(text)?.[1] ?? 0);
}

async function invalidCounts(): Promise<Record<string, number>> {
  const text = await (await fetch(`${h.app.address}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/^kalshi_invalid_messages_total\{reason="([^"]+)"\} (\d+)/gm)) counts[match[1]] = Number(match[2]);
  return counts;
}
