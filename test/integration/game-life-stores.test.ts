/**
 * A game's whole life through the real stores (docs/CONTRACT.md "A game's whole life"): statuses driven straight
 * into the price pipeline (the lifecycle channel that produces them is tested on its own), the pipeline's queues
 * drained by the real publish loop and Postgres writer into a real Redis and Postgres.
 *
 * The publish window is a minute: anything seen on the channel before it ends left at once.
 */
import { diffMarketMaps } from '../../src/mapping/market-map';
import { PricePipeline } from '../../src/pipeline/price-pipeline';
import { PublishLoop } from '../../src/pipeline/publish-loop';
import type { MappedMarket } from '../../src/prices/game-book';
import type { MarketQuote } from '../../src/prices/types';
import { PostgresWriter } from '../../src/sinks/postgres-writer';
import { fromPriceHash, type PriceMessage } from '../../src/sinks/price-message';
import { RedisPublisher } from '../../src/sinks/redis-publisher';
import { createTestDatabase, uniqueId, type TestDatabase } from '../helpers/db';
import { collectMessages, createTestRedis, type MessageCollector, type TestRedis } from '../helpers/redis';

const WINDOW_MS = 60_000;

let db: TestDatabase;
let env: TestRedis;
let messages: MessageCollector;
let pipeline: PricePipeline;
let loop: PublishLoop;
let running: AbortController;
let writer: PostgresWriter;

beforeAll(async () => {
  db = await createTestDatabase();
  writer = new PostgresWriter(db.sql);
});
afterAll(async () => {
  await db.drop();
});
beforeEach(async () => {
  env = createTestRedis();
  messages = await collectMessages(env.keys.channel);
  pipeline = new PricePipeline({ complaints: { report: () => undefined } });
  const publisher = new RedisPublisher(env.redis, env.keys, { hashTtlMs: 60_000 });
  loop = new PublishLoop({
    queue: pipeline.publishQueue,
    intervalMs: WINDOW_MS,
    channel: {
      publish: async (batch) => {
        await publisher.publish(batch);
      },
    },
    failures: {
      failed: (error) => {
        throw error;
      },
    },
  });
  running = new AbortController();
  void loop.run(running.signal);
});
afterEach(async () => {
  running.abort();
  await messages.close();
  await env.close();
});

async function game(sides: ('home' | 'away' | 'draw')[]) {
  const gameId = uniqueId('g');
  const slug = `epl-${gameId}`;
  await db.sql`INSERT INTO frontend_games (live_game_id, slug, frontend_data) VALUES (${gameId}, ${slug}, '{"homeTeam":{"name":"ARS"}}')`;
  const markets = sides.map((side): MappedMarket => ({ ticker: `${gameId}-${side}`.toUpperCase(), gameId, slug, side }));
  pipeline.applyMapping(diffMarketMaps(new Map(), new Map(markets.map((m) => [m.ticker, m]))));
  const ticker = (side: string) => `${gameId}-${side}`.toUpperCase();
  const tick = (side: string, yesBid: number | null, yesAsk: number | null, at: number) => {
    const quote: MarketQuote = { ticker: ticker(side), yesBid, yesAsk, exchangeTimeMs: at, source: 'socket' };
    pipeline.applyQuote(quote, at);
  };
  const status = (side: string, s: 'open' | 'paused' | 'closed' | 'determined', result: 'yes' | 'no' | null = null) =>
    pipeline.applyStatus({ ticker: ticker(side), status: s, result, source: 'lifecycle' }, Date.now());
  const published = () => messages.messages.map((m) => JSON.parse(m) as PriceMessage).filter((m) => m.gameId === gameId);
  const nextMessage = async (count: number) => {
    await messages.waitFor(() => published().length >= count);
    return published()[count - 1];
  };
  const flush = () => writer.write(pipeline.flushQueue.drain(), 0);
  const row = async () => {
    const [r] = await db.sql`SELECT frontend_data FROM frontend_games WHERE live_game_id = ${gameId}`;
    return r.frontend_data as Record<string, unknown>;
  };
  const hash = () => env.redis.hgetall(env.keys.prices(gameId));
  return { gameId, slug, ticker, tick, status, published, nextMessage, flush, row, hash };
}

describe('a three-way game from open to final, through Redis and Postgres', () => {
  it('publishes each status change at once, keeps the closed market\'s quote, settles, and writes Postgres at the same version', async () => {
    const g = await game(['home', 'away', 'draw']);
    const t = Date.now();
    g.tick('home', 4500, 4700, t);
    g.tick('away', 2800, 3000, t + 1);
    g.tick('draw', 2400, 2600, t + 2);
    const first = await g.nextMessage(1);
    expect(first).toMatchObject({ status: 'open', draw: { kalshiBuyPrice: 26, kalshiSellPrice: 24 }, awayTeam: { kalshiBuyPrice: 30, kalshiSellPrice: 28 } });
    expect(first).not.toHaveProperty('result');
    expect(await g.flush()).toMatchObject({ rowsWritten: 1 });
    expect(await g.row()).toMatchObject({
      homeTeam: { name: 'ARS', kalshiBuyPrice: 47, kalshiSellPrice: 45 },
      draw: { kalshiBuyPrice: 26, kalshiSellPrice: 24 },
      kalshiStatus: 'open',
      kalshiResult: null,
      kalshiUpdatedAt: t + 2,
    });

    // Inside the game's window: a tick waits, a status change does not (and carries the tick with it).
    g.tick('home', 6100, 6300, t + 10);
    g.status('home', 'paused');
    const paused = await g.nextMessage(2);
    expect(paused).toMatchObject({ status: 'paused', homeTeam: { kalshiBuyPrice: 63, kalshiSellPrice: 61 }, ticker: g.ticker('home'), timestamp: t + 10 });

    g.status('home', 'closed');
    const closed = await g.nextMessage(3);
    expect(closed.status).toBe('closed');
    // The close empties the book: the last quote stands, nothing is queued.
    g.tick('home', null, null, t + 20);
    expect(pipeline.publishQueue.size).toBe(0);
    expect((await g.hash()).homeBuyPrice).toBe('63');

    g.status('draw', 'determined', 'yes');
    const final = await g.nextMessage(4);
    expect(final).toMatchObject({
      status: 'final',
      result: 'draw',
      homeTeam: { kalshiBuyPrice: 0, kalshiSellPrice: 0 },
      awayTeam: { kalshiBuyPrice: 0, kalshiSellPrice: 0 },
      draw: { kalshiBuyPrice: 100, kalshiSellPrice: 100 },
    });
    const hash = await g.hash();
    expect(hash).toMatchObject({ status: 'final', result: 'draw', drawBuyPrice: '100', drawSellPrice: '100', homeBuyPrice: '0', timestamp: String(t + 20) });
    expect(fromPriceHash(g.gameId, hash)).toMatchObject({ status: 'final', result: 'draw', draw: { kalshiBuyPrice: 100, kalshiSellPrice: 100 } });

    // Postgres already holds this version (the pause's tick raised it to t + 10, the emptied book's to t + 20):
    // the final state writes at that same version, and the guard lets it through.
    expect(await g.flush()).toMatchObject({ rowsWritten: 1 });
    expect(await g.row()).toMatchObject({
      homeTeam: { name: 'ARS', kalshiBuyPrice: 0, kalshiSellPrice: 0 },
      draw: { kalshiBuyPrice: 100, kalshiSellPrice: 100 },
      kalshiStatus: 'final',
      kalshiResult: 'draw',
      kalshiUpdatedAt: t + 20,
    });
  });

  it('a status change of a game already flushed at its version is written again (status alone is a change)', async () => {
    const g = await game(['home', 'away']);
    const t = Date.now();
    g.tick('home', 6100, 6300, t);
    await g.nextMessage(1);
    expect(await g.flush()).toMatchObject({ rowsWritten: 1 });
    g.status('away', 'paused');
    expect((await g.nextMessage(2)).status).toBe('paused');
    expect(await g.flush()).toMatchObject({ rowsWritten: 1 });
    expect(await g.row()).toMatchObject({ kalshiStatus: 'paused', kalshiUpdatedAt: t });
    expect((await g.hash()).status).toBe('paused');
  });

  it('a status of an unmapped market publishes and writes nothing', async () => {
    const g = await game(['home']);
    g.tick('home', 6100, 6300, Date.now());
    await g.nextMessage(1);
    pipeline.applyStatus({ ticker: 'NOT-MAPPED', status: 'determined', result: 'yes', source: 'lifecycle' }, Date.now());
    expect(pipeline.publishQueue.size).toBe(0);
    // A later change of the mapped game is the next thing on the channel.
    g.status('home', 'closed');
    await g.nextMessage(2);
    expect(g.published().map((m) => m.status)).toEqual(['open', 'closed']);
    expect(messages.messages.filter((m) => (JSON.parse(m) as PriceMessage).gameId !== g.gameId)).toEqual([]);
  });
});
