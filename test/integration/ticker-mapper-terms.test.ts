import pino from 'pino';
import postgres from 'postgres';
import { TickerMapper } from '../../src/mapping/ticker-mapper';
import { createTestDatabase, uniqueId, type TestDatabase } from '../helpers/db';
import { createTestRedis, type TestRedis } from '../helpers/redis';
import { TcpProxy } from '../helpers/tcp-proxy';
import { waitFor } from '../helpers/wait';

/** One mapper per leader term, over a slow Postgres while leadership flaps. */

let db: TestDatabase;
let redis: TestRedis;
const proxy = new TcpProxy('127.0.0.1', 5432);
let sql: postgres.Sql;

beforeAll(async () => {
  db = await createTestDatabase();
  redis = createTestRedis();
  await proxy.start();
  sql = postgres(proxy.url(db.url), { max: 4, onnotice: () => undefined });
});

afterAll(async () => {
  await sql?.end({ timeout: 1 });
  await proxy.close();
  await redis?.close();
  await db?.drop();
});

interface Term {
  controller: AbortController;
  mapper: TickerMapper;
  changes: number;
  run: Promise<void>;
}

function term(): Term {
  const controller = new AbortController();
  const t = { controller, changes: 0 } as Term;
  t.mapper = new TickerMapper({
    sql,
    redis: redis.redis,
    tickerMapKey: redis.keys.tickerMap,
    refreshMs: 100,
    maxMarkets: 100,
    log: pino({ level: 'silent' }),
    signal: controller.signal,
    onProblem: () => undefined,
    onChange: () => {
      t.changes += 1;
    },
  });
  t.run = t.mapper.run();
  return t;
}

/** Sessions of this database whose last command was a LISTEN: a LISTEN nobody released. */
async function listening(): Promise<number> {
  const rows = await db.sql<{ n: number }[]>`
    select count(*)::int as n from pg_stat_activity where datname = ${db.name} and query ilike 'listen %'`;
  return rows[0]?.n ?? 0;
}

it('a term that ends while Postgres is slow releases its LISTEN once it answers, and never loads or reports again', async () => {
  await addMarket();
  proxy.delayMs = 400; // every answer from Postgres takes 400 ms
  const dead: Term[] = [];
  for (let i = 0; i < 3; i += 1) {
    const flapped = term();
    // Elected, then deposed before Postgres answered its LISTEN.
    await waitFor(() => proxy.delayMs > 0 && flapped.mapper.loads === 0);
    flapped.controller.abort();
    dead.push(flapped);
  }
  const live = term();
  expect(live.mapper.run()).toBe(live.run); // one refresh chain, however often run() is called

  await Promise.all(dead.map((t) => t.run)); // each resolves once its LISTEN answered and was released
  await waitFor(() => live.mapper.lastLoadAtMs > 0, { timeoutMs: 10_000, message: 'the live term loaded' });
  proxy.delayMs = 0;
  const deadLoads = dead.map((t) => t.mapper.loads);
  const loads = live.mapper.loads;
  await waitFor(() => live.mapper.loads >= loads + 3, { message: 'the live term refreshing' });

  await addMarket(); // a NOTIFY: only the live term hears it
  await waitFor(() => live.changes >= 2, { message: 'the live term applied the change' });
  expect(dead.map((t) => t.mapper.loads)).toEqual(deadLoads);
  expect(dead.map((t) => t.changes)).toEqual([0, 0, 0]);
  expect(dead.map((t) => t.mapper.size)).toEqual([0, 0, 0]);

  live.controller.abort();
  await live.run;
  await waitFor(async () => (await listening()) === 0, { message: 'no LISTEN left behind' });
});

async function addMarket(): Promise<void> {
  const gameId = uniqueId('game');
  await db.sql`insert into frontend_games (live_game_id, slug) values (${gameId}, ${`nba-${gameId}`})`;
  await db.sql`insert into kalshi_markets (ticker, live_game_id, side) values (${uniqueId('KX-MAP').toUpperCase()}, ${gameId}, 'home')`;
}
