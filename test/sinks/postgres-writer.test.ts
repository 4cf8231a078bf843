import postgres from 'postgres';
import { PostgresWriter } from '../../src/sinks/postgres-writer';
import type { GamePrices, TeamPrices } from '../../src/prices/types';
import { createTestDatabase, uniqueId, type TestDatabase } from '../helpers/db';

let db: TestDatabase;
let writer: PostgresWriter;

beforeAll(async () => {
  db = await createTestDatabase();
  writer = new PostgresWriter(db.sql);
});
afterAll(async () => {
  await db?.drop();
});

const T0 = 1_738_772_400_000;
/** This database's fence is never raised above it (the fencing tests have their own database). */
const TERM = 1;
const written = (rowsWritten: number, notObject: string[] = []) => ({ rowsWritten, skipped: [], fenced: false, notObject });

function state(gameId: string, away: TeamPrices, home: TeamPrices, updatedAtMs = T0): GamePrices {
  return { gameId, slug: `slug-${gameId}`, awayTeam: away, homeTeam: home, status: 'open', result: null, ticker: 'T', tickTimeMs: updatedAtMs, updatedAtMs };
}
const p = (buy: number | null, sell: number | null): TeamPrices => ({ kalshiBuyPrice: buy, kalshiSellPrice: sell });

/** Inserts a game whose frontend_data is the given JSON text (verbatim, so 45.50 or odd shapes stay as written). */
async function insertGame(dataJson = '{}'): Promise<string> {
  const id = uniqueId('g');
  await db.sql`INSERT INTO frontend_games (live_game_id, slug, frontend_data, updated_at)
               VALUES (${id}, ${`slug-${id}`}, ${dataJson}::text::jsonb, now() - interval '1 hour')`;
  return id;
}

interface TeamData {
  kalshiBuyPrice?: number | null;
  kalshiSellPrice?: number | null;
  [key: string]: unknown;
}
interface FrontendData {
  awayTeam?: TeamData;
  homeTeam?: TeamData;
  kalshiUpdatedAt?: number;
  [key: string]: unknown;
}

async function read(id: string): Promise<{ data: FrontendData; text: string; updatedAt: Date }> {
  const [row] = await db.sql`SELECT frontend_data, frontend_data::text AS text, updated_at FROM frontend_games WHERE live_game_id = ${id}`;
  return { data: row.frontend_data, text: row.text, updatedAt: row.updated_at };
}

describe('PostgresWriter', () => {
  it('writes the four prices and kalshiUpdatedAt, creating awayTeam/homeTeam, and sets updated_at', async () => {
    const id = await insertGame();
    const before = await read(id);
    expect(await writer.write([state(id, p(43, 42), p(58, 57))], TERM)).toEqual(written(1));
    const after = await read(id);
    expect(after.data).toEqual({
      awayTeam: { kalshiBuyPrice: 43, kalshiSellPrice: 42 },
      homeTeam: { kalshiBuyPrice: 58, kalshiSellPrice: 57 },
      kalshiUpdatedAt: T0,
      kalshiStatus: 'open',
      kalshiResult: null,
    });
    expect(after.updatedAt.getTime()).toBeGreaterThan(before.updatedAt.getTime());
  });

  it('keeps sub-cent prices exact and stores nulls as JSON null', async () => {
    const id = await insertGame();
    await writer.write([state(id, p(45.5, 45.37), p(null, 54.63))], TERM);
    const [row] = await db.sql`
      SELECT frontend_data -> 'awayTeam' ->> 'kalshiBuyPrice'  AS ab,
             frontend_data -> 'awayTeam' ->> 'kalshiSellPrice' AS az,
             jsonb_typeof(frontend_data -> 'homeTeam' -> 'kalshiBuyPrice') AS hb_type,
             (frontend_data -> 'homeTeam') ? 'kalshiBuyPrice' AS hb_present,
             frontend_data -> 'homeTeam' ->> 'kalshiSellPrice' AS hz,
             jsonb_typeof(frontend_data -> 'kalshiUpdatedAt') AS ts_type
        FROM frontend_games WHERE live_game_id = ${id}`;
    expect({ ...row }).toEqual({ ab: '45.5', az: '45.37', hb_type: 'null', hb_present: true, hz: '54.63', ts_type: 'number' });
  });

  it('keeps every other key, top-level and inside the team objects', async () => {
    const id = await insertGame(
      JSON.stringify({
        name: 'Hornets at Rockets',
        nested: { deep: [1, 2, { x: null }] },
        awayTeam: { name: 'Hornets', polymarketBuyPrice: 44, kalshiBuyPrice: 10 },
        homeTeam: { name: 'Rockets', logo: 'hou.png' },
      }),
    );
    await writer.write([state(id, p(43, 42), p(58, null))], TERM);
    expect((await read(id)).data).toEqual({
      name: 'Hornets at Rockets',
      nested: { deep: [1, 2, { x: null }] },
      awayTeam: { name: 'Hornets', polymarketBuyPrice: 44, kalshiBuyPrice: 43, kalshiSellPrice: 42 },
      homeTeam: { name: 'Rockets', logo: 'hou.png', kalshiBuyPrice: 58, kalshiSellPrice: null },
      kalshiUpdatedAt: T0,
      kalshiStatus: 'open',
      kalshiResult: null,
    });
  });

  it('replaces an awayTeam/homeTeam that is not a JSON object', async () => {
    const id = await insertGame('{"awayTeam": "Hornets", "homeTeam": null, "other": 1}');
    expect(await writer.write([state(id, p(43, 42), p(58, 57))], TERM)).toEqual(written(1));
    expect((await read(id)).data).toEqual({
      awayTeam: { kalshiBuyPrice: 43, kalshiSellPrice: 42 },
      homeTeam: { kalshiBuyPrice: 58, kalshiSellPrice: 57 },
      kalshiUpdatedAt: T0,
      kalshiStatus: 'open',
      kalshiResult: null,
      other: 1,
    });
  });

  it('skips a row whose four prices did not change (45.5 = 45.50, null = null): updated_at untouched', async () => {
    const id = await insertGame(
      '{"awayTeam":{"kalshiBuyPrice":45.50,"kalshiSellPrice":null},"homeTeam":{"kalshiBuyPrice":54.60,"kalshiSellPrice":54},"kalshiUpdatedAt":1,' +
        '"kalshiStatus":"open","kalshiResult":null}',
    );
    const before = await read(id);
    expect(await writer.write([state(id, p(45.5, null), p(54.6, 54), T0 + 5000)], TERM)).toEqual(written(0));
    const after = await read(id);
    expect(after.text).toBe(before.text);
    expect(after.updatedAt.getTime()).toBe(before.updatedAt.getTime());

    // ...but one changed price writes the row.
    expect(await writer.write([state(id, p(45.5, 45), p(54.6, 54), T0 + 5000)], TERM)).toEqual(written(1));
  });

  it('a status or result change alone writes the row, at the same version', async () => {
    const id = await insertGame();
    await writer.write([state(id, p(63, 61), p(39, 37))], TERM);
    expect(await writer.write([{ ...state(id, p(63, 61), p(39, 37)), status: 'closed' }], TERM)).toEqual(written(1));
    expect((await read(id)).data).toMatchObject({ kalshiStatus: 'closed', kalshiResult: null, kalshiUpdatedAt: T0 });
    expect(await writer.write([{ ...state(id, p(63, 61), p(39, 37)), status: 'final', result: null }], TERM)).toEqual(written(1));
    expect(await writer.write([{ ...state(id, p(63, 61), p(39, 37)), status: 'final', result: 'home' }], TERM)).toEqual(written(1));
    expect((await read(id)).data).toMatchObject({ kalshiStatus: 'final', kalshiResult: 'home' });
    expect(await writer.write([{ ...state(id, p(63, 61), p(39, 37)), status: 'final', result: 'home' }], TERM)).toEqual(written(0));
  });

  it('writes a three-way game\'s draw (creating it, keeping its other keys); leaves a two-way game\'s draw key alone', async () => {
    const id = await insertGame('{"draw":{"label":"Draw"}}');
    const threeWay = { ...state(id, p(30, 28), p(47, 45)), draw: p(26, null) };
    expect(await writer.write([threeWay], TERM)).toEqual(written(1));
    expect((await read(id)).data.draw).toEqual({ label: 'Draw', kalshiBuyPrice: 26, kalshiSellPrice: null });
    // A draw price change alone is a change.
    expect(await writer.write([{ ...threeWay, draw: p(26, 24) }], TERM)).toEqual(written(1));
    expect(await writer.write([{ ...threeWay, draw: p(26, 24) }], TERM)).toEqual(written(0));
    expect((await read(id)).data.draw).toEqual({ label: 'Draw', kalshiBuyPrice: 26, kalshiSellPrice: 24 });

    const twoWay = await insertGame('{"draw":"not ours"}');
    await writer.write([state(twoWay, p(30, 28), p(72, 70))], TERM);
    expect((await read(twoWay)).data.draw).toBe('not ours');
    const settled = await insertGame('{"draw":7}');
    await writer.write([{ ...state(settled, p(0, 0), p(0, 0)), draw: p(100, 100), status: 'final', result: 'draw' }], TERM);
    expect((await read(settled)).data).toMatchObject({ draw: { kalshiBuyPrice: 100, kalshiSellPrice: 100 }, kalshiStatus: 'final', kalshiResult: 'draw' });
  });

  it('never overwrites a newer kalshiUpdatedAt with an older one; an equal one may write', async () => {
    const id = await insertGame();
    await writer.write([state(id, p(50, 49), p(51, 50), T0 + 10_000)], TERM);
    const before = await read(id);
    expect(await writer.write([state(id, p(10, 9), p(91, 90), T0)], TERM)).toEqual(written(0));
    expect((await read(id)).text).toBe(before.text);

    expect(await writer.write([state(id, p(11, 10), p(90, 89), T0 + 10_000)], TERM)).toEqual(written(1));
    expect((await read(id)).data.awayTeam).toEqual({ kalshiBuyPrice: 11, kalshiSellPrice: 10 });
  });

  it('treats a stored kalshiUpdatedAt more than 5 minutes ahead of Postgres\'s clock as absent (a bad exchange time)', async () => {
    const now = Date.now();
    const poisoned = await insertGame(`{"kalshiUpdatedAt":${now * 1000}}`); // a ts_ms in microseconds
    expect(await writer.write([state(poisoned, p(43, 42), p(58, 57), now)], TERM)).toEqual(written(1));
    expect((await read(poisoned)).data.kalshiUpdatedAt).toBe(now);
    // Up to 5 minutes ahead is clock skew, still a version: an older write is refused.
    const ahead = await insertGame(`{"kalshiUpdatedAt":${now + 4 * 60_000}}`);
    expect(await writer.write([state(ahead, p(43, 42), p(58, 57), now)], TERM)).toEqual(written(0));
  });

  it('treats a non-numeric stored kalshiUpdatedAt as absent, without failing the batch', async () => {
    const asString = await insertGame('{"kalshiUpdatedAt":"yesterday"}');
    const asObject = await insertGame('{"kalshiUpdatedAt":{"ms":99999999999999}}');
    const asBool = await insertGame('{"kalshiUpdatedAt":true}');
    const normal = await insertGame();
    const batch = [asString, asObject, asBool, normal].map((id) => state(id, p(43, 42), p(58, 57)));
    expect(await writer.write(batch, TERM)).toEqual(written(4));
    for (const id of [asString, asObject, asBool]) expect((await read(id)).data.kalshiUpdatedAt).toBe(T0);
  });

  it('ignores games not in frontend_games (and never creates them)', async () => {
    const known = await insertGame();
    const unknown = uniqueId('missing');
    expect(await writer.write([state(unknown, p(1, 2), p(3, 4)), state(known, p(43, 42), p(58, 57))], TERM)).toEqual(written(1));
    const rows = await db.sql`SELECT 1 FROM frontend_games WHERE live_game_id = ${unknown}`;
    expect(rows).toHaveLength(0);
  });

  it('leaves a row whose frontend_data is not a JSON object alone, and names it so the caller counts it', async () => {
    const id = await insertGame('[1, 2]');
    const fine = await insertGame();
    expect(await writer.write([state(id, p(43, 42), p(58, 57)), state(fine, p(43, 42), p(58, 57))], TERM)).toEqual(written(1, [id]));
    expect((await read(id)).data).toEqual([1, 2]);
  });

  it('with the same game twice in a batch, the newest entry wins whatever the order', async () => {
    const id = await insertGame();
    const newer = state(id, p(60, 59), p(41, 40), T0 + 2);
    const older = state(id, p(30, 29), p(71, 70), T0 + 1);
    expect(await writer.write([newer, older], TERM)).toEqual(written(1));
    expect((await read(id)).data.awayTeam).toEqual({ kalshiBuyPrice: 60, kalshiSellPrice: 59 });
  });

  it('an empty batch writes nothing and sends nothing', async () => {
    expect(await writer.write([], TERM)).toEqual(written(0));
  });

  it('writes a batch of 5000 games in one statement', async () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `${uniqueId('bulk')}_${i}`);
    await db.sql`INSERT INTO frontend_games (live_game_id, slug) SELECT id, 's' FROM unnest(${ids}::text[]) AS id`;
    const statements: string[] = [];
    const counted = postgres(db.url, { max: 1, onnotice: () => undefined, debug: (_c, query) => statements.push(query) });
    try {
      await counted`SELECT 1`; // connection set-up and type fetching out of the way
      statements.length = 0;
      const batch = ids.map((id, i) => state(id, p(40 + (i % 50) / 100, 39), p(61, 60 - (i % 7) / 10)));

      expect(await new PostgresWriter(counted).write(batch, TERM)).toEqual(written(5000));
      expect(statements).toHaveLength(1);

      statements.length = 0;
      expect(await new PostgresWriter(counted).write(batch, TERM)).toEqual(written(0)); // unchanged now
      expect(statements).toHaveLength(1);
    } finally {
      await counted.end({ timeout: 5 });
    }
    const { data } = await read(ids[4999] ?? '');
    expect(data.awayTeam?.kalshiBuyPrice).toBe(40.49);
    expect(data.homeTeam?.kalshiSellPrice).toBe(59.9); // 4999 % 7 = 1
  });

  it('rejects when the database fails (the caller retries)', async () => {
    const broken = postgres(db.url, { max: 1, onnotice: () => undefined });
    await broken.end();
    await expect(new PostgresWriter(broken).write([state('x', p(1, 2), p(3, 4))], TERM)).rejects.toMatchObject({
      name: 'PostgresWriteError',
      code: 'unreachable',
    });
  });
});
