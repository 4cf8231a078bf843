import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import postgres from 'postgres';
import type { Config } from '../config';
import { redactUrl } from '../observability/redact';

/** The process's Postgres pool: flushes, mapper loads and LISTEN, and the background readiness probe. */
export function openPostgres(config: Config): postgres.Sql {
  return postgres(config.databaseUrl, {
    max: 4,
    connect_timeout: 5,
    idle_timeout: 60,
    onnotice: () => undefined,
    connection: { application_name: `kalshi-ingestor:${config.workerId}`, statement_timeout: 15_000 },
  });
}

/**
 * Two Redis connections: one for prices and the ticker map, one for the lock alone with a short command timeout
 * (a renewal must fail fast, not wait behind a publish). Both fail fast while Redis is away: a publish is
 * requeued, never left waiting in an offline queue.
 */
export function openRedis(config: Config, log: Logger, quiet: () => boolean): { redis: Redis; lockRedis: Redis } {
  const options = { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 5000, lazyConnect: true };
  const redis = new Redis(config.redisUrl, { ...options, connectionName: `kalshi-ingestor:${config.workerId}` });
  const lockRedis = new Redis(config.redisUrl, {
    ...options,
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
function watchRedis(name: string, client: Redis, config: Config, log: Logger, quiet: () => boolean): void {
  let wasReady = false;
  const url = redactUrl(config.redisUrl);
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

export async function connectRedis(client: Redis, config: Config, log: Logger): Promise<void> {
  try {
    await client.connect();
  } catch (err) {
    // ioredis keeps reconnecting by itself; the standby loop and readiness report the outage.
    log.warn({ err, url: redactUrl(config.redisUrl) }, 'Redis not reachable yet; retrying');
  }
}

export async function quitRedis(client: Redis): Promise<void> {
  if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
  else client.disconnect();
}
