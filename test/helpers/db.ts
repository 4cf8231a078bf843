import path from 'node:path';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { migrate } from '../../src/db/migrate';

/** The server the tests run against (DATABASE_URL, default as in the contract). */
export const ADMIN_DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
/** The real migrations folder. */
export const SQL_DIR = path.resolve(__dirname, '../../sql');

export interface TestDatabase {
  /** Connection URL of the new database. */
  url: string;
  /** Name of the new database. */
  name: string;
  /** A connection pool to it (max 4, notices silenced). */
  sql: postgres.Sql;
  /** Closes `sql` and drops the database (WITH (FORCE): other sessions on it are terminated). */
  drop(): Promise<void>;
}

/** A unique id for games, tickers, keys: `<prefix>_<pid>_<time>_<random>`. */
export function uniqueId(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

function urlFor(database: string): string {
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(run: (admin: postgres.Sql) => Promise<T>): Promise<T> {
  const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => undefined });
  try {
    return await run(admin);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

/** A new, empty, uniquely named database (no migrations applied). */
export async function createEmptyDatabase(): Promise<TestDatabase> {
  const name = `ki_test_${process.pid}_${randomBytes(6).toString('hex')}`;
  await withAdmin((admin) => admin.unsafe(`CREATE DATABASE "${name}"`));
  const url = urlFor(name);
  const sql = postgres(url, { onnotice: () => undefined, max: 4 });
  let dropped = false;
  return {
    url,
    name,
    sql,
    async drop() {
      if (dropped) return;
      dropped = true;
      await sql.end({ timeout: 5 });
      await withAdmin((admin) => admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

/** A new, uniquely named database with the real migrations applied. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const db = await createEmptyDatabase();
  try {
    await migrate(db.sql, SQL_DIR);
  } catch (error) {
    await db.drop().catch(() => undefined);
    throw error;
  }
  return db;
}
