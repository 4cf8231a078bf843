/**
 * sql/004_kalshi_markets_draw.sql on a database that already has rows (docs/CONTRACT.md "Postgres"): it only widens
 * kalshi_markets.side's check to home/away/draw; every row and column stays as it was.
 */
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrate } from '../../src/db/migrate';
import { createEmptyDatabase, SQL_DIR, type TestDatabase } from '../helpers/db';

const DRAW_MIGRATION = '004_kalshi_markets_draw.sql';
const opened: TestDatabase[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(opened.map((db) => db.drop()));
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A folder with the migrations that came before the draw's. */
async function migrationsBeforeDraw(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sql-before-draw-'));
  dirs.push(dir);
  for (const name of (await readdir(SQL_DIR)).filter((f) => f.endsWith('.sql') && f < DRAW_MIGRATION)) {
    await cp(path.join(SQL_DIR, name), path.join(dir, name));
  }
  return dir;
}

async function database(): Promise<TestDatabase> {
  const db = await createEmptyDatabase();
  opened.push(db);
  return db;
}

describe(DRAW_MIGRATION, () => {
  it('runs on a database with rows, keeps them, and lets a draw market in (nothing else)', async () => {
    const { sql } = await database();
    await migrate(sql, await migrationsBeforeDraw());
    await sql`INSERT INTO frontend_games (live_game_id, slug, frontend_data) VALUES ('g1', 'epl-ars-che', '{"homeTeam":{"name":"ARS"}}')`;
    await sql`INSERT INTO kalshi_markets (ticker, live_game_id, side, status) VALUES
                ('KX-ARS', 'g1', 'home', 'active'), ('KX-CHE', 'g1', 'away', 'inactive')`;
    await expect(sql`INSERT INTO kalshi_markets (ticker, live_game_id, side) VALUES ('KX-TIE', 'g1', 'draw')`).rejects.toMatchObject({ code: '23514' });
    const before = await sql`SELECT ticker, live_game_id, side, status, updated_at FROM kalshi_markets ORDER BY ticker`;

    expect(await migrate(sql, SQL_DIR)).toContain(DRAW_MIGRATION);

    expect(await sql`SELECT ticker, live_game_id, side, status, updated_at FROM kalshi_markets ORDER BY ticker`).toEqual(before);
    await sql`INSERT INTO kalshi_markets (ticker, live_game_id, side) VALUES ('KX-TIE', 'g1', 'draw')`;
    await expect(sql`INSERT INTO kalshi_markets (ticker, live_game_id, side) VALUES ('KX-X', 'g1', 'tie')`).rejects.toMatchObject({ code: '23514' });
    const [frontend] = await sql`SELECT frontend_data FROM frontend_games WHERE live_game_id = 'g1'`;
    expect(frontend.frontend_data).toEqual({ homeTeam: { name: 'ARS' } });
  });

  it('leaves kalshi_markets exactly as the contract lists it, with one check on side', async () => {
    const { sql } = await database();
    await migrate(sql, SQL_DIR);
    const columns = await sql<{ name: string; type: string; nullable: string; def: string | null }[]>`
      SELECT column_name AS name, data_type AS type, is_nullable AS nullable, column_default AS def
        FROM information_schema.columns WHERE table_name = 'kalshi_markets' ORDER BY ordinal_position`;
    expect(columns.map((c) => ({ ...c }))).toEqual([
      { name: 'ticker', type: 'text', nullable: 'NO', def: null },
      { name: 'live_game_id', type: 'text', nullable: 'NO', def: null },
      { name: 'side', type: 'text', nullable: 'NO', def: null },
      { name: 'status', type: 'text', nullable: 'NO', def: "'active'::text" },
      { name: 'updated_at', type: 'timestamp with time zone', nullable: 'NO', def: 'now()' },
    ]);
    const checks = await sql<{ def: string }[]>`
      SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'kalshi_markets'::regclass AND contype = 'c'`;
    expect(checks.map((c) => c.def)).toEqual([`CHECK ((side = ANY (ARRAY['home'::text, 'away'::text, 'draw'::text])))`]);
  });

  it('widens a check the API created under a name of its own, with its rows', async () => {
    const { sql } = await database();
    await sql`CREATE TABLE kalshi_markets (ticker text PRIMARY KEY, live_game_id text NOT NULL,
              side text NOT NULL CONSTRAINT side_is_a_team CHECK (side IN ('home', 'away')),
              status text NOT NULL DEFAULT 'active', updated_at timestamptz NOT NULL DEFAULT now())`;
    await sql`INSERT INTO kalshi_markets (ticker, live_game_id, side) VALUES ('A', 'g', 'home')`;
    await migrate(sql, SQL_DIR);
    await sql`INSERT INTO kalshi_markets (ticker, live_game_id, side) VALUES ('B', 'g', 'draw')`;
    expect((await sql<{ ticker: string }[]>`SELECT ticker FROM kalshi_markets ORDER BY ticker`).map((r) => r.ticker)).toEqual(['A', 'B']);
  });
});
