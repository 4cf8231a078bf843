// @ts-nocheck
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type postgres from 'postgres';

/**
 * Key of the transaction-level advisory lock every migration step takes, so that two replicas or jobs
 * migrating the same database at once serialize instead of racing (advisory locks are per database).
 */
export const MIGRATION_LOCK_KEY = 7_310_512_016n;

export type MigrationLog = (message: string) => void;

/**
 * Applies every `*.sql` file of `dir` not yet recorded in `schema_migrations`, in name order, each in its own
 * transaction together with its record, and returns the names it applied (empty when up to date).
 *
 * Every transaction first takes `pg_advisory_xact_lock(MIGRATION_LOCK_KEY)` and re-checks the record, so
 * concurrent runs never apply a file twice nor fail on each other. A failing file rolls back (no record) and
 * rejects; the files before it stay applied.
 */
export async function migrate(sql: postgres.Sql, dir: string, log?: MigrationLog): Promise<string[]> {
  const files = (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort();

  const recorded = await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY.toString()}::bigint)`;
    // Checked under the lock, not CREATE TABLE IF NOT EXISTS: no race on the catalog, and no NOTICE when present.
    const [{ missing }] = await tx<{ missing: boolean }[]>`SELECT to_regclass('schema_migrations') IS NULL AS missing`;
    if (missing) {
      await tx`CREATE TABLE schema_migrations (name text PRIMARY KEY, applied_at timestamptz DEFAULT now())`;
    }
    const rows = await tx<{ name: string }[]>`SELECT name FROM schema_migrations`;
    return new Set(rows.map((row) => row.name));
  });

  const applied: string[] = [];
  for (const name of files) {
    if (recorded.has(name)) continue;
    const text = await readFile(path.join(dir, name), 'utf8');
    const done = await sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY.toString()}::bigint)`;
      const already = await tx`SELECT 1 FROM schema_migrations WHERE name = ${name}`;
      if (already.length > 0) return false; // another runner applied it while we waited for the lock
      try {
        await tx.unsafe(text).simple(); // simple protocol: a file may hold many statements
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw Object.assign(new Error(`migration ${name} failed: ${reason}`), { cause: error });
      }
      await tx`INSERT INTO schema_migrations (name) VALUES (${name})`;
      return true;
    });
    if (done) {
      applied.push(name);
      log?.(`applied ${name}`);
    }
  }
  return applied;
}
