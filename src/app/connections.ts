import type { Logger } from 'pino';
import postgres from 'postgres';
import type { Config } from '../config';
import { createRedis, describeRedis, type RedisClient } from '../redis/connect';
import { hostOptions } from '../db/connect-options';
import { ReplaceableSql } from '../db/replaceable-sql';
import { reconnectBackoffSeconds, WRITER_CONNECTION } from '../sinks/postgres-writer';

export { quitRedis } from '../redis/connect';

/** The process's Postgres pool: mapper loads and LISTEN, and the background readiness probe (flushes have their own). */
export function openPostgres(config: Config): postgres.Sql {
  return postgres(config.databaseUrl, {
    max: 4,
    connect_timeout: 5,
    idle_timeout: 60,
    onnotice: () => undefined,
    backoff: reconnectBackoffSeconds,
    ...hostOptions(config.databaseUrl),
    connection: { application_name: `kalshi-ingestor:${config.workerId}`, statement_timeout: 15_000 },
  });
}

/**
 * The flushes' own connection (one): a flush never takes a connection the readiness probe or the mapper needs,
 * at most one connection of the service can wait on a lock, and the server cancels a flush past its
 * statement_timeout by itself (WRITER_CONNECTION, src/sinks/postgres-writer.ts).
 */
export function openPostgresWriter(config: Config): ReplaceableSql {
  return new ReplaceableSql(() => postgres(config.databaseUrl, {
    max: 1,
    connect_timeout: 5,
    idle_timeout: 60,
    onnotice: () => undefined,
    backoff: reconnectBackoffSeconds,
    ...hostOptions(config.databaseUrl),
    connection: { application_name: `kalshi-ingestor-writer:${config.workerId}`, ...WRITER_CONNECTION },
  }));
}

/**
 * Two Redis connections (single, Sentinel or Cluster, as config.redis says): one for prices and the ticker map,
 * one for the lock alone with a short command timeout (a renewal must fail fast, not wait behind a publish).
 * Both fail fast while Redis is away (createRedis's role defaults): a publish is requeued, never left waiting
 * in an offline queue.
 */
export function openRedis(config: Config, log: Logger, quiet: () => boolean): { redis: RedisClient; lockRedis: RedisClient } {
  const redis = createRedis(config.redis, { role: 'main', connectionName: `kalshi-ingestor:${config.workerId}` });
  const lockRedis = createRedis(config.redis, {
    role: 'lock',
    commandTimeout: lockCommandTimeoutMs(config),
    connectionName: `kalshi-ingestor-lock:${config.workerId}`,
  });
  watchRedis('redis', redis, config, log, quiet);
  watchRedis('redis-lock', lockRedis, config, log, quiet);
  return { redis, lockRedis };
}

export function lockCommandTimeoutMs(config: Config): number {
  return Math.max(100, Math.min(2000, Math.floor(config.leaderLockTtlMs / 6)));
}

/** One line when a Redis connection is lost and one when it is back; the retries in between at debug. */
function watchRedis(name: string, client: RedisClient, config: Config, log: Logger, quiet: () => boolean): void {
  let wasReady = false;
  const url = describeRedis(config.redis);
  client.on('ready', () => {
    wasReady = true;
    log.info({ client: name, url }, 'Redis connected');
  });
  client.on('close', () => {
    if (!wasReady || quiet()) return;
    wasReady = false;
    log.warn({ client: name, url }, 'Redis connection lost; reconnecting (publishes are queued meanwhile)');
  });
  client.on('error', (err: Error) => log.debug({ client: name, err }, 'Redis connection error'));
}

export async function connectRedis(client: RedisClient, config: Config, log: Logger): Promise<void> {
  try {
    await client.connect();
  } catch (err) {
    // ioredis keeps reconnecting by itself; the standby loop and readiness report the outage.
    log.warn({ err, url: describeRedis(config.redis) }, 'Redis not reachable yet; retrying');
  }
}
