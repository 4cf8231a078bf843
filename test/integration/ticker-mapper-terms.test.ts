import pino from 'pino';
import postgres from 'postgres';
import { TickerMapper } from '../../src/mapping/ticker-mapper';
import { createTestDatabase, uniqueId, type TestDatabase } from '../helpers/db';
import { startHarness, type Harness } from '../helpers/harness';
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

describe('the service, while leadership flaps over a slow Postgres', () => {
  const slow = new TcpProxy('127.0.0.1', 5432);
  let h: Harness;
  beforeAll(async () => {
    await slow.start();
    h = await startHarness({
      env: { LEADER_LOCK_TTL_MS: '1500', LEADER_RETRY_MS: '50', MAPPER_REFRESH_MS: '200' },
      envFrom: (base) => ({ DATABASE_URL: slow.url(base.DATABASE_URL) }),
    });
  });
  afterAll(async () => {
    await h?.close();
    await slow.close();
  });

  async function listeningOn(name: string): Promise<number> {
    const rows = await h.db.sql<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity where datname = ${name} and query ilike 'listen %'`;
    return rows[0]?.n ?? 0;
  }

  it('leaves no LISTEN behind and leads on with one mapper when its terms end before Postgres answers', async () => {
    const ticker = uniqueId('KX-FLAP').toUpperCase();
    const { gameId } = await h.addGame([{ ticker, side: 'home', yesBid: 0.4, yesAsk: 0.42 }]);
    slow.delayMs = 300;
    const terms = () => h.logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('leader term ended')).length;
    for (let i = 0; i < 3; i += 1) {
      const ended = terms();
      await h.redis.redis.set(h.redis.keys.leader, `intruder:${i}`, 'PX', 60_000);
      await waitFor(() => terms() > ended, { message: 'the term ended' });
      await h.redis.redis.del(h.redis.keys.leader);
      await waitFor(() => h.app.role === 'leader', { message: 'leading again' });
    }
    slow.delayMs = 0;
    await waitFor(() => h.sim.subscribedTickers().has(ticker), { timeoutMs: 10_000, message: 'the last term subscribed' });
    h.sim.setQuote(ticker, { yesBid: 0.5, yesAsk: 0.53 });
    await h.waitForMessage(gameId, (m) => m.homeTeam.kalshiBuyPrice === 53);

    // Deposed for good: every term is over, so nobody may still be listening.
    const ended = terms();
    await h.redis.redis.set(h.redis.keys.leader, 'intruder:last', 'PX', 60_000);
    await waitFor(() => terms() > ended, { message: 'the last term ended' });
    await waitFor(async () => (await listeningOn(h.db.name)) === 0, { message: 'no LISTEN left behind' });
    await h.redis.redis.del(h.redis.keys.leader);
  });
});
