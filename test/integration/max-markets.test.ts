import pino from 'pino';
import { TickerMapper } from '../../src/mapping/ticker-mapper';
import { createTestDatabase, uniqueId, type TestDatabase } from '../helpers/db';
import { createTestRedis, type TestRedis } from '../helpers/redis';
import { waitFor } from '../helpers/wait';

// Beyond MAX_MARKETS the choice of the markets kept is stable: touching a tracked row's updated_at (the API does
// on every edit) or adding a row that sorts first never evicts a market the service tracks.
let db: TestDatabase;
let redis: TestRedis;
beforeAll(async () => {
  db = await createTestDatabase();
  redis = createTestRedis();
});
afterAll(async () => {
  await redis?.close();
  await db?.drop();
});

it('a tracked market stays tracked when its row is touched or a new row sorts before it', async () => {
  const prefix = uniqueId('MM').toUpperCase();
  const [a, b, early] = [`${prefix}-B1`, `${prefix}-B2`, `${prefix}-A0`];
  for (const game of ['g1', 'g2', 'g3']) {
    await db.sql`INSERT INTO frontend_games (live_game_id, slug) VALUES (${prefix + game}, ${game})`;
  }
  await db.sql`INSERT INTO kalshi_markets (ticker, live_game_id, side, updated_at) VALUES
    (${a}, ${prefix + 'g1'}, 'home', now() - interval '2 hours'), (${b}, ${prefix + 'g2'}, 'home', now() - interval '1 hour')`;
  const controller = new AbortController();
  const refused: string[] = [];
  const mapper = new TickerMapper({
    sql: db.sql,
    redis: redis.redis,
    tickerMapKey: redis.keys.tickerMap,
    refreshMs: 60_000,
    maxMarkets: 2,
    log: pino({ level: 'silent' }),
    signal: controller.signal,
    onProblem: (reason, detail) => {
      if (reason === 'max_markets_exceeded') refused.push(String(detail?.ticker));
    },
    onChange: () => undefined,
  });
  const run = mapper.run();
  try {
    await waitFor(() => mapper.size === 2, { message: 'the first load' });
    const loads = () => mapper.loads;
    // A new market whose ticker sorts first, then the API touching a tracked row (NOTIFY reloads each time).
    let before = loads();
    await db.sql`INSERT INTO kalshi_markets (ticker, live_game_id, side) VALUES (${early}, ${prefix + 'g3'}, 'home')`;
    await waitFor(() => loads() > before, { message: 'a reload after the insert' });
    before = loads();
    await db.sql`UPDATE kalshi_markets SET updated_at = now() WHERE ticker = ${a}`;
    await waitFor(() => loads() > before, { message: 'a reload after the touch' });
    expect([...mapper.current.keys()].sort()).toEqual([a, b]);
    expect(refused.at(-1)).toBe(early);
  } finally {
    controller.abort();
    await run;
  }
});
