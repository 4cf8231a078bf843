import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { migrate } from '../src/db/migrate';
import type { BenchGame } from './common';

export const ADMIN_DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
// Run from its build, build/bench/: the repository is two levels up.
export const SQL_DIR = path.resolve(__dirname, '../../sql');
export const ROOT_DIR = path.resolve(__dirname, '../..');

export function uniqueTag(): string {
  return `${process.pid}_${randomBytes(4).toString('hex')}`;
}

export function rsaKeys(): { publicPem: string; privatePem: string } {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privatePem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

// ---- Postgres ----

export interface BenchDatabase {
  name: string;
  url: string;
  sql: postgres.Sql;
  drop(): Promise<void>;
}

async function withAdmin<T>(run: (admin: postgres.Sql) => Promise<T>): Promise<T> {
  const admin = postgres(ADMIN_DATABASE_URL, { max: 1, onnotice: () => undefined });
  try {
    return await run(admin);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

const openDatabases = new Set<BenchDatabase>();

/** A new database `ki_bench_*`, migrated with the real sql/ files. */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `ki_bench_${uniqueTag()}`;
  await withAdmin((admin) => admin.unsafe(`CREATE DATABASE "${name}"`));
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  const sql = postgres(url.toString(), { max: 4, onnotice: () => undefined });
  let dropped = false;
  const db: BenchDatabase = {
    name,
    url: url.toString(),
    sql,
    async drop() {
      if (dropped) return;
      dropped = true;
      openDatabases.delete(db);
      await sql.end({ timeout: 5 }).catch(() => undefined);
      await withAdmin((admin) => admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
  openDatabases.add(db);
  try {
    await migrate(sql, SQL_DIR);
  } catch (error) {
    await db.drop().catch(() => undefined);
    throw error;
  }
  return db;
}

export async function dropAllDatabases(): Promise<void> {
  await Promise.allSettled([...openDatabases].map((db) => db.drop()));
}

/** Inserts the games (with some realistic other content in frontend_data) and their two markets each. */
export async function seedGames(sql: postgres.Sql, games: readonly BenchGame[], withMarkets = true): Promise<void> {
  const CHUNK = 1000;
  for (let i = 0; i < games.length; i += CHUNK) {
    const part = games.slice(i, i + CHUNK);
    const rows = part.map((g, j) => ({
      live_game_id: g.gameId,
      slug: g.slug,
      frontend_data: JSON.stringify({
        league: 'nba',
        status: 'scheduled',
        startTime: `2026-02-05T0${(i + j) % 10}:00:00Z`,
        homeTeam: { id: `h${i + j}`, name: `Home ${i + j}`, abbreviation: 'HOM', score: 0 },
        awayTeam: { id: `a${i + j}`, name: `Away ${i + j}`, abbreviation: 'AWY', score: 0 },
        markets: { spread: -3.5, total: 221.5 },
      }),
    }));
    await sql`
      insert into frontend_games (live_game_id, slug, frontend_data)
      select r.live_game_id, r.slug, r.frontend_data::jsonb
        from json_to_recordset(${JSON.stringify(rows)}::text::json) as r(live_game_id text, slug text, frontend_data text)`;
    if (withMarkets) {
      const markets = part.flatMap((g) => [
        { ticker: g.home, live_game_id: g.gameId, side: 'home' },
        { ticker: g.away, live_game_id: g.gameId, side: 'away' },
      ]);
      await sql`
        insert into kalshi_markets (ticker, live_game_id, side)
        select m.ticker, m.live_game_id, m.side
          from json_to_recordset(${JSON.stringify(markets)}::text::json) as m(ticker text, live_game_id text, side text)`;
    }
  }
}

// ---- Redis ----

const prefixes = new Set<string>();

export function benchPrefix(): string {
  const prefix = `ki_bench:${uniqueTag()}:`;
  prefixes.add(prefix);
  return prefix;
}

export function newRedis(): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: 3, lazyConnect: false });
}

/** Deletes every key under the bench prefixes of this run. */
export async function cleanRedis(): Promise<void> {
  const redis = newRedis();
  try {
    for (const prefix of prefixes) {
      let cursor = '0';
      let rounds = 0;
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        if (found.length > 0) await redis.del(...found);
        cursor = next;
      } while (cursor !== '0' && ++rounds < 100_000);
    }
    prefixes.clear();
  } finally {
    redis.disconnect();
  }
}

// ---- misc ----

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `everyMs` until it returns a value other than undefined/false; throws after timeoutMs. */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs: number,
  everyMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGb: number;
  node: string;
  platform: string;
  postgres?: string;
  redis?: string;
}

export async function machineInfo(): Promise<MachineInfo> {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line !== undefined) cpuModel = line.split(':').slice(1).join(':').trim();
  } catch {
    // not Linux
  }
  const info: MachineInfo = {
    cpuModel,
    cores: cpus().length,
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
  try {
    await withAdmin(async (admin) => {
      const [row] = await admin<{ v: string }[]>`select current_setting('server_version') as v`;
      info.postgres = row?.v;
    });
  } catch {
    // reported as absent
  }
  const redis = newRedis();
  try {
    const server = await redis.info('server');
    info.redis = /redis_version:(\S+)/.exec(server)?.[1];
  } catch {
    // reported as absent
  } finally {
    redis.disconnect();
  }
  return info;
}

export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1];
}

export function sortedNumbers(values: Iterable<number>): Float64Array {
  return Float64Array.from(values).sort();
}

export const round1 = (value: number): number => {
  const rounded = Math.round(value * 10) / 10;
  return Object.is(rounded, -0) ? 0 : rounded;
};

/** CPU busy share of the whole machine (all cores) over `ms`, from /proc/stat: what else is running. */
export async function machineBusyPct(ms = 1000): Promise<number | null> {
  const read = (): { busy: number; total: number } | null => {
    try {
      const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
      const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
      const total = fields.reduce((a, b) => a + b, 0);
      return { busy: total - idle, total };
    } catch {
      return null;
    }
  };
  const a = read();
  await sleep(ms);
  const b = read();
  if (a === null || b === null || b.total === a.total) return null;
  return Math.round(((b.busy - a.busy) / (b.total - a.total)) * 1000) / 10;
}

/** CPU time (user + system) a process has used so far, ms, from /proc/<pid>/stat (Linux; CLK_TCK 100). */
export function procCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ": state is fields[0]; utime and stime are the 14th and 15th fields of the line.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** Redis server CPU time so far (used_cpu_user + used_cpu_sys), ms. */
export async function redisCpuMs(redis: Redis): Promise<number | undefined> {
  try {
    const info = await redis.info('cpu');
    const read = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
    const ms = (read('used_cpu_user') + read('used_cpu_sys')) * 1000;
    return Number.isFinite(ms) ? ms : undefined;
  } catch {
    return undefined;
  }
}

/** Whole-machine CPU counters from /proc/stat (all cores), ms. */
export function machineCpu(): { busyMs: number; totalMs: number } | undefined {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1, 9).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busyMs: (total - idle) * 10, totalMs: total * 10 };
  } catch {
    return undefined;
  }
}

/**
 * Measures what other processes do while `pids` (and this process, and the Redis server) run: the share of all
 * cores used by anything else, in %. A number above ~10 means the run competed with foreign work.
 */
export async function foreignCpuMeter(pids: (number | undefined)[], redis: Redis): Promise<() => Promise<number | null>> {
  const ours = async () => {
    let ms = 0;
    for (const pid of pids) ms += procCpuMs(pid) ?? 0;
    const self = process.cpuUsage();
    ms += (self.user + self.system) / 1000;
    ms += (await redisCpuMs(redis)) ?? 0;
    return ms;
  };
  const machine0 = machineCpu();
  const ours0 = await ours();
  return async () => {
    const machine1 = machineCpu();
    const ours1 = await ours();
    if (machine0 === undefined || machine1 === undefined || machine1.totalMs <= machine0.totalMs) return null;
    const foreign = machine1.busyMs - machine0.busyMs - (ours1 - ours0);
    return Math.max(0, Math.round((foreign / (machine1.totalMs - machine0.totalMs)) * 1000) / 10);
  };
}
