import postgres from 'postgres';
import { ReplaceableSql } from '../../src/db/replaceable-sql';
import { PostgresWriter, reconnectBackoffSeconds, WRITER_CONNECTION } from '../../src/sinks/postgres-writer';
import type { GamePrices, TeamPrices } from '../../src/prices/types';
import { createTestDatabase, uniqueId, type TestDatabase } from '../helpers/db';
import { TcpProxy } from '../helpers/tcp-proxy';
import { waitFor } from '../helpers/wait';

// Its own database: these tests move the fence (kalshi_fence has one row per database).
let db: TestDatabase;
/** The writer's own connection, as the service opens it (openPostgresWriter): one connection, server-side timeouts. */
let writerSql: postgres.Sql;
let writer: PostgresWriter;
const APP = uniqueId('writer');

beforeAll(async () => {
  db = await createTestDatabase();
  writerSql = postgres(db.url, { max: 1, onnotice: () => undefined, connection: { application_name: APP, ...WRITER_CONNECTION } });
  writer = new PostgresWriter(writerSql);
});
afterAll(async () => {
  await writerSql?.end({ timeout: 5 });
  await db?.drop();
});

const T0 = Date.now() - 60_000;
const p = (buy: number, sell: number): TeamPrices => ({ kalshiBuyPrice: buy, kalshiSellPrice: sell });
function state(gameId: string, cents: number, updatedAtMs = T0): GamePrices {
  return { gameId, slug: `slug-${gameId}`, awayTeam: p(cents, cents - 1), homeTeam: p(101 - cents, 100 - cents), ticker: 'T', tickTimeMs: updatedAtMs, updatedAtMs, status: 'open', result: null };
}
async function insertGame(): Promise<string> {
  const id = uniqueId('g');
  await db.sql`INSERT INTO frontend_games (live_game_id, slug) VALUES (${id}, ${`slug-${id}`})`;
  return id;
}
async function awayBuy(id: string): Promise<unknown> {
  const [row] = await db.sql<{ v: unknown }[]>`SELECT frontend_data -> 'awayTeam' -> 'kalshiBuyPrice' AS v FROM frontend_games WHERE live_game_id = ${id}`;
  return row?.v;
}
async function fenceTerm(): Promise<number> {
  const [row] = await db.sql<{ term: string }[]>`SELECT term FROM kalshi_fence`;
  return Number(row?.term);
}
/** A transaction on another connection holding the rows locked (the API in the middle of its own update). */
async function holdLocked(ids: string[], lock: 'FOR UPDATE' | 'TABLE'): Promise<{ release(): Promise<void> }> {
  const other = postgres(db.url, { max: 1, onnotice: () => undefined });
  const reserved = await other.reserve();
  await reserved`BEGIN`;
  if (lock === 'TABLE') await reserved`LOCK TABLE frontend_games IN ACCESS EXCLUSIVE MODE`;
  else await reserved`SELECT 1 FROM frontend_games WHERE live_game_id IN ${reserved(ids)} FOR UPDATE`;
  return {
    async release() {
      await reserved`ROLLBACK`;
      reserved.release();
      await other.end({ timeout: 5 });
    },
  };
}

describe('fencing (kalshi_fence)', () => {
  it('the migration creates the fence with one row at term 0, and a second row is refused', async () => {
    const fresh = await createTestDatabase();
    try {
      expect(await fresh.sql`SELECT term::int AS term FROM kalshi_fence`).toEqual([{ term: 0 }]);
      await expect(fresh.sql`INSERT INTO kalshi_fence (term) VALUES (1)`).rejects.toThrow(/duplicate key/);
    } finally {
      await fresh.drop();
    }
  });

  it('a write of term 5 after one of term 6 writes nothing and says it was fenced', async () => {
    const id = await insertGame();
    expect(await writer.write([state(id, 40)], 6)).toEqual({ rowsWritten: 1, skipped: [], fenced: false, notObject: [] });
    expect(await fenceTerm()).toBe(6);

    expect(await writer.write([state(id, 30, T0 + 1000)], 5)).toEqual({ rowsWritten: 0, skipped: [], fenced: true, notObject: [] });
    expect(await awayBuy(id)).toBe(40);
    expect(await fenceTerm()).toBe(6);

    // The same term and a newer one write; the newer raises the fence.
    expect(await writer.write([state(id, 41, T0 + 2000)], 6)).toMatchObject({ rowsWritten: 1, fenced: false });
    expect(await writer.write([state(id, 42, T0 + 3000)], 7)).toMatchObject({ rowsWritten: 1, fenced: false });
    expect(await fenceTerm()).toBe(7);
  });

  it('a term-5 flush that waited behind a term-6 flush on the fence row writes nothing once that commits', async () => {
    const id = await insertGame();
    const term = await fenceTerm();
    // Another leader's flush, in the middle of its transaction: it has raised the fence and not committed yet.
    const other = postgres(db.url, { max: 1, onnotice: () => undefined });
    const reserved = await other.reserve();
    try {
      await reserved`BEGIN`;
      await reserved`UPDATE kalshi_fence SET term = ${term + 2}`;
      const late = writer.write([state(id, 33, T0 + 10_000)], term + 1);
      await waitFor(async () => (await db.sql`SELECT 1 FROM pg_stat_activity WHERE application_name = ${APP} AND wait_event_type = 'Lock'`).length === 1, {
        message: 'the late flush waiting on the fence row',
      });
      await reserved`COMMIT`;
      expect(await late).toEqual({ rowsWritten: 0, skipped: [], fenced: true, notObject: [] });
      expect(await awayBuy(id)).toBeNull();
    } finally {
      reserved.release();
      await other.end({ timeout: 5 });
    }
  });
});

describe("another writer's row lock", () => {
  it('skips the locked row at once, writes the others, and reports the skipped game for requeue', async () => {
    const [locked, free] = [await insertGame(), await insertGame()];
    const term = await fenceTerm();
    const holder = await holdLocked([locked], 'FOR UPDATE');
    try {
      const started = Date.now();
      const lockedState = state(locked, 44);
      const result = await writer.write([lockedState, state(free, 45), state(uniqueId('unknown'), 46)], term);
      expect(Date.now() - started).toBeLessThan(WRITER_CONNECTION.lock_timeout); // never waited on the lock
      expect(result).toEqual({ rowsWritten: 1, skipped: [lockedState], fenced: false, notObject: [] });
      expect(await awayBuy(free)).toBe(45);
    } finally {
      await holder.release();
    }
    expect(await awayBuy(locked)).toBeNull();
    expect(await writer.write([state(locked, 44)], term)).toEqual({ rowsWritten: 1, skipped: [], fenced: false, notObject: [] });
    expect(await awayBuy(locked)).toBe(44);
  });

  it('a lock SKIP LOCKED cannot avoid (the whole table) ends the statement on the server at lock_timeout: a typed error, nothing left running', async () => {
    const id = await insertGame();
    const holder = await holdLocked([], 'TABLE');
    try {
      const started = Date.now();
      await expect(writer.write([state(id, 47)], await fenceTerm())).rejects.toMatchObject({ name: 'PostgresWriteError', code: 'timeout' });
      expect(Date.now() - started).toBeLessThan(WRITER_CONNECTION.statement_timeout);
      // The server ended it: the writer's connection is idle again, not still waiting behind the lock.
      const active = await db.sql`SELECT state, wait_event_type FROM pg_stat_activity WHERE application_name = ${APP} AND state <> 'idle'`;
      expect(active).toEqual([]);
    } finally {
      await holder.release();
    }
    // The connection is reusable at once.
    expect(await writer.write([state(id, 47)], await fenceTerm())).toMatchObject({ rowsWritten: 1 });
  });
});

describe('Postgres unreachable (the last flush retries to its deadline: each try must end fast and typed)', () => {
  let proxy: TcpProxy;
  let through: ReplaceableSql;
  let cutWriter: PostgresWriter;
  const TIMEOUT_MS = 400;
  const PROXIED_APP = uniqueId('proxied');
  beforeAll(async () => {
    proxy = new TcpProxy('127.0.0.1', Number(new URL(db.url).port || 5432));
    await proxy.start();
    through = new ReplaceableSql(() =>
      postgres(proxy.url(db.url), { max: 1, connect_timeout: 5, backoff: reconnectBackoffSeconds, onnotice: () => undefined, connection: { application_name: PROXIED_APP, ...WRITER_CONNECTION } }),
    );
    cutWriter = new PostgresWriter(through, { timeoutMs: TIMEOUT_MS });
  });
  afterAll(async () => {
    await through?.end({ timeout: 1 });
    await proxy?.close();
  });

  it('connections dropped and refused: every write fails within its timeout, typed, and the first after the restore succeeds', async () => {
    const id = await insertGame();
    expect(await cutWriter.write([state(id, 50)], await fenceTerm())).toMatchObject({ rowsWritten: 1 });
    proxy.cut();
    try {
      for (let i = 0; i < 3; i += 1) {
        const started = Date.now();
        await expect(cutWriter.write([state(id, 51 + i, T0 + i + 1)], await fenceTerm())).rejects.toMatchObject({ name: 'PostgresWriteError' });
        expect(Date.now() - started).toBeLessThanOrEqual(TIMEOUT_MS + 100);
      }
    } finally {
      proxy.restore();
    }
    await waitFor(async () => (await cutWriter.write([state(id, 60, T0 + 10)], await fenceTerm()).catch(() => undefined))?.rowsWritten === 1, {
      timeoutMs: 3000,
      message: 'a write after the restore',
    });
  });

  it('a server that stops answering mid-statement: the write times out, the silent connection is dropped, the next write gets a new one', async () => {
    const id = await insertGame();
    expect(await cutWriter.write([state(id, 70)], await fenceTerm())).toMatchObject({ rowsWritten: 1 });
    const first = through.sql;
    proxy.blackhole();
    const started = Date.now();
    await expect(cutWriter.write([state(id, 71, T0 + 1)], await fenceTerm())).rejects.toMatchObject({ code: 'timeout' });
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 200);
    expect(through.sql).not.toBe(first);
    // A try given a deadline (the last flush at shutdown) ends by it, however long the writer's own timeout.
    const deadline = Date.now() + 150;
    await expect(new PostgresWriter(through, { timeoutMs: 10_000 }).write([state(id, 71, T0 + 1)], await fenceTerm(), deadline)).rejects.toMatchObject({ code: 'timeout' });
    expect(Date.now() - deadline).toBeLessThan(100);
    proxy.restore();
    // Without the replacement, every later write would queue behind the statement nobody will ever answer.
    await waitFor(async () => (await cutWriter.write([state(id, 72, T0 + 2)], await fenceTerm()).catch(() => undefined))?.rowsWritten === 1, {
      timeoutMs: 3000,
      message: 'a write on a new connection',
    });
    expect(await awayBuy(id)).toBe(72);
    // Nothing of the writer's is left running on the server.
    await waitFor(async () => (await db.sql`SELECT 1 FROM pg_stat_activity WHERE application_name = ${PROXIED_APP} AND state = 'active'`).length === 0, {
      message: 'no statement of the writer still running',
    });
  });
});
