import path from 'node:path';
import postgres from 'postgres';
import { ENV_DEFAULTS } from '../config';
import { redactUrl } from '../observability/redact';
import { hostOptions } from './connect-options';
import { migrate } from './migrate';

/** Network-level failures: Postgres is not there (or not reachable), as opposed to a bad migration. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
]);

function errorCode(error: unknown): string | undefined {
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const code = errorCode(inner);
      if (code) return code;
    }
  }
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

async function main(): Promise<number> {
  const given = process.env.DATABASE_URL;
  const url = given === undefined || given.trim() === '' ? (ENV_DEFAULTS.DATABASE_URL as string) : given.trim();
  const dir = path.resolve(__dirname, '../../sql'); // same from dist/db and src/db
  // A multi-host URL migrates the server that accepts writes (hostOptions).
  const sql = postgres(url, { max: 1, connect_timeout: 10, onnotice: () => undefined, ...hostOptions(url) });
  try {
    const applied = await migrate(sql, dir, (message) => console.log(message));
    console.log(applied.length === 0 ? 'up to date' : `applied ${applied.length} migration(s)`);
    return 0;
  } catch (error) {
    const code = errorCode(error);
    if (code !== undefined && UNREACHABLE_CODES.has(code)) {
      console.error(`cannot reach Postgres at ${redactUrl(url)}: ${code}; is it running?`);
    } else {
      const message = error instanceof Error ? error.message : String(error);
      console.error(`migration failed on ${redactUrl(url)}: ${redactUrl(message)}${code ? ` (${code})` : ''}`);
    }
    return 1;
  } finally {
    await sql.end({ timeout: 5 }).catch(() => undefined);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`migration failed: ${redactUrl(error instanceof Error ? error.message : String(error))}`);
    process.exit(1);
  },
);
