import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { migrate } from '../../src/db/migrate';
import { createEmptyDatabase, SQL_DIR, type TestDatabase } from '../helpers/db';

const opened: TestDatabase[] = [];
async function emptyDatabase(): Promise<TestDatabase> {
  const db = await createEmptyDatabase();
  opened.push(db);
  return db;
}
afterAll(async () => {
  await Promise.all(opened.map((db) => db.drop()));
});

async function recorded(sql: postgres.Sql): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`SELECT name FROM schema_migrations ORDER BY name`;
  return rows.map((row) => row.name);
}

describe('migrate (real sql/)', () => {
  it('applies every file once, in name order, records them, and a second run applies nothing', async () => {
    const { sql } = await emptyDatabase();
    const files = (await readdir(SQL_DIR)).filter((f) => f.endsWith('.sql')).sort();
    expect(files.length).toBeGreaterThanOrEqual(3);
    const logged: string[] = [];

    expect(await migrate(sql, SQL_DIR, (m) => logged.push(m))).toEqual(files);
    expect(logged).toEqual(files.map((f) => `applied ${f}`));
    expect(await recorded(sql)).toEqual(files);

    const tables = await sql<{ name: string }[]>`
      SELECT table_name AS name FROM information_schema.tables
       WHERE table_schema = 'public' AND table_name IN ('frontend_games', 'kalshi_markets') ORDER BY 1`;
    expect(tables.map((t) => t.name)).toEqual(['frontend_games', 'kalshi_markets']);

    expect(await migrate(sql, SQL_DIR)).toEqual([]);
    expect(await recorded(sql)).toEqual(files);
  });

  it('creates the contract columns and the side check', async () => {
    const { sql } = await emptyDatabase();
    await migrate(sql, SQL_DIR);
    await sql`INSERT INTO frontend_games (live_game_id, slug) VALUES ('g1', 's1')`;
    const [game] = await sql`SELECT frontend_data, updated_at FROM frontend_games WHERE live_game_id = 'g1'`;
    expect(game.frontend_data).toEqual({});
    expect(game.updated_at).toBeInstanceOf(Date);

    await sql`INSERT INTO kalshi_markets (ticker, live_game_id, side) VALUES ('T1', 'g1', 'home')`;
    const [market] = await sql`SELECT status FROM kalshi_markets WHERE ticker = 'T1'`;
    expect(market.status).toBe('active');
    await expect(
      sql`INSERT INTO kalshi_markets (ticker, live_game_id, side) VALUES ('T2', 'g1', 'middle')`,
    ).rejects.toMatchObject({ code: '23514' });
  });

  it('leaves an existing frontend_games (the API owns it) and its rows untouched', async () => {
    const { sql } = await emptyDatabase();
    await sql`CREATE TABLE frontend_games (live_game_id text PRIMARY KEY, slug text NOT NULL,
              frontend_data jsonb NOT NULL DEFAULT '{}', updated_at timestamptz NOT NULL DEFAULT now(), extra int)`;
    await sql`INSERT INTO frontend_games (live_game_id, slug, frontend_data, extra) VALUES ('g', 's', '{"a":1}', 7)`;
    await migrate(sql, SQL_DIR);
    const rows = await sql`SELECT live_game_id, frontend_data, extra FROM frontend_games`;
    expect(rows.map((r) => ({ ...r }))).toEqual([{ live_game_id: 'g', frontend_data: { a: 1 }, extra: 7 }]);
  });

  it('concurrent runners on separate connections do not fail and apply each file exactly once', async () => {
    const db = await emptyDatabase();
    const runners = Array.from({ length: 4 }, () => postgres(db.url, { max: 1, onnotice: () => undefined }));
    try {
      const results = await Promise.all(runners.map((sql) => migrate(sql, SQL_DIR)));
      const files = (await readdir(SQL_DIR)).filter((f) => f.endsWith('.sql')).sort();
      expect(results.flat().sort()).toEqual(files);
      expect(await recorded(db.sql)).toEqual(files);
    } finally {
      await Promise.all(runners.map((sql) => sql.end({ timeout: 5 })));
    }
  });
});

describe('migrate (scratch folders)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ki-migrate-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('orders by name, ignores non-.sql files, and runs multi-statement files', async () => {
    const { sql } = await emptyDatabase();
    await writeFile(path.join(dir, '010_second.sql'), 'INSERT INTO t VALUES (2); INSERT INTO t VALUES (3);');
    await writeFile(path.join(dir, '002_first.sql'), 'CREATE TABLE t (v int); INSERT INTO t VALUES (1);');
    await writeFile(path.join(dir, 'README.md'), 'not sql');
    expect(await migrate(sql, dir)).toEqual(['002_first.sql', '010_second.sql']);
    const rows = await sql<{ v: number }[]>`SELECT v FROM t ORDER BY v`;
    expect(rows.map((r) => r.v)).toEqual([1, 2, 3]);
  });

  it('rolls back a failing file without recording it, keeps the earlier ones, and applies it once fixed', async () => {
    const { sql } = await emptyDatabase();
    await writeFile(path.join(dir, '001_ok.sql'), 'CREATE TABLE a (v int);');
    await writeFile(path.join(dir, '002_bad.sql'), 'CREATE TABLE b (v int); SELECT 1/0;');
    await expect(migrate(sql, dir)).rejects.toThrow(/002_bad\.sql.*division by zero/);
    expect(await recorded(sql)).toEqual(['001_ok.sql']);
    const [{ b }] = await sql`SELECT to_regclass('b') IS NOT NULL AS b`;
    expect(b).toBe(false);

    await writeFile(path.join(dir, '002_bad.sql'), 'CREATE TABLE b (v int);');
    expect(await migrate(sql, dir)).toEqual(['002_bad.sql']);
    expect(await recorded(sql)).toEqual(['001_ok.sql', '002_bad.sql']);
  });
});
