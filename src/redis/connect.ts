import type { ConnectionOptions } from 'node:tls';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { RedisConfig } from '../config';

/** What the service talks to: one connection (single node or through Sentinel) or a cluster. */
export type RedisClient = Redis | Cluster;

export type RedisRole = 'main' | 'lock' | 'subscriber';

export interface CreateRedisOptions extends Omit<RedisOptions, 'connectionName' | 'role'> {
  /**
   * main: prices, the ticker map, the keep-alive. lock: the leader lock, on a connection of its own.
   * subscriber: a SUBSCRIBE connection (no offline queue limits, no resubscribe of its own).
   */
  role: RedisRole;
  /** CLIENT SETNAME of the connection(s). */
  connectionName: string;
  /** Cluster only: options of the Cluster object itself (merged over the defaults below). */
  cluster?: Omit<ClusterOptions, 'redisOptions'>;
}

/**
 * The connection for one role, in the shape the configuration names: a single node at REDIS_URL, the primary
 * that the sentinels name (ioredis's Sentinel support, which asks them again after every disconnect), or a
 * Redis Cluster (ioredis's Cluster, which follows MOVED/ASK and refreshes the slot map). The data password and
 * the scheme always come from REDIS_URL; TLS is on for `rediss://` or a REDIS_TLS_CA_PATH.
 */
export function createRedis(config: RedisConfig, options: CreateRedisOptions): RedisClient {
  const { role, connectionName, cluster: clusterOptions, ...overrides } = options;
  const fromUrl = urlOptions(config);
  const tls = tlsOptions(config, fromUrl.host);
  const base: RedisOptions = {
    ...roleDefaults(role),
    username: fromUrl.username,
    password: fromUrl.password,
    db: fromUrl.db,
    tls,
    connectionName,
    ...overrides,
  };

  if (config.shape === 'cluster' && config.clusterNodes !== undefined) {
    // The Cluster object holds the offline-queue choice; each node connection gets the rest.
    const { enableOfflineQueue, lazyConnect, db: _db, ...redisOptions } = base;
    return new Cluster(config.clusterNodes, {
      enableOfflineQueue,
      lazyConnect,
      redisOptions,
      // A node that fails over or restarts: ask again soon rather than after the default 100 ms × attempts.
      retryDelayOnFailover: 100,
      retryDelayOnClusterDown: 100,
      slotsRefreshTimeout: 2000,
      ...clusterOptions,
    });
  }

  if (config.shape === 'sentinel' && config.sentinels !== undefined) {
    return new Redis({
      ...base,
      sentinels: config.sentinels,
      name: config.sentinelName,
      sentinelPassword: config.sentinelPassword,
      role: 'master',
      // Subscribes to the sentinels' +switch-master: a failover is noticed at once, not at the next broken write.
      failoverDetector: true,
      enableTLSForSentinelMode: tls !== undefined,
      sentinelTLS: tls === undefined ? undefined : { ca: tls.ca },
    });
  }

  return new Redis({ ...base, host: fromUrl.host, port: fromUrl.port });
}

/**
 * Per role: main and lock fail fast while Redis is away (a publish is requeued, a renewal must not wait in a
 * queue while the lock runs out). A write that reaches a primary just demoted by a failover gets READONLY:
 * reconnect (through the sentinels, to the new primary) and let the command fail so its caller retries.
 */
function roleDefaults(role: RedisRole): RedisOptions {
  const reconnectOnError = (error: Error): boolean => error.message.startsWith('READONLY');
  if (role === 'subscriber') return { autoResubscribe: false, reconnectOnError };
  return { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 5000, lazyConnect: true, reconnectOnError };
}

interface UrlParts {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  tls: boolean;
}

function urlOptions(config: RedisConfig): UrlParts {
  const url = new URL(config.url);
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined;
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: url.port === '' ? 6379 : Number(url.port),
    username: url.username === '' ? undefined : decodeURIComponent(url.username),
    password: url.password === '' ? undefined : decodeURIComponent(url.password),
    db: db !== undefined && Number.isInteger(db) ? db : undefined,
    tls: url.protocol === 'rediss:',
  };
}

/**
 * TLS for `rediss://` or a CA bundle. The server name is REDIS_URL's host for a single node and for the primary
 * behind Sentinel (whose address the sentinels give as an IP: its certificate is checked against that name);
 * cluster nodes are checked against their own announced host.
 */
function tlsOptions(config: RedisConfig, urlHost: string): ConnectionOptions | undefined {
  if (!urlOptions(config).tls && config.tlsCa === undefined) return undefined;
  const tls: ConnectionOptions = {};
  if (config.tlsCa !== undefined) tls.ca = config.tlsCa;
  if (config.shape !== 'cluster' && !/^[0-9.:]+$/.test(urlHost)) tls.servername = urlHost;
  return tls;
}

/** Whether a client is a cluster (by ioredis's own flag: a consumer's client may come from another ioredis copy). */
export function isCluster(client: RedisClient): client is Cluster {
  return client.isCluster;
}

/**
 * QUIT when connected, else (or still not closed) disconnect(). A Sentinel client is disconnect()ed in any case:
 * after a QUIT ioredis leaves its failover-detector connections to the sentinels open (only disconnect() closes
 * them); on other clients a disconnect() after QUIT would only leave a 2 s timer behind.
 */
export async function quitRedis(client: RedisClient): Promise<void> {
  if (client.status === 'ready') await client.quit().catch(() => undefined);
  const sentinel = !client.isCluster && (client as Redis).options.sentinels != null;
  if (client.status !== 'end' || sentinel) client.disconnect();
}

/** Where a client connects, without secrets, for logs. */
export function describeRedis(config: RedisConfig): string {
  const scheme = urlOptions(config).tls ? 'rediss' : 'redis';
  const list = (nodes: { host: string; port: number }[]) => nodes.map((n) => `${n.host}:${n.port}`).join(',');
  if (config.shape === 'sentinel' && config.sentinels !== undefined) {
    return `sentinel ${config.sentinelName}@${list(config.sentinels)} (${scheme})`;
  }
  if (config.shape === 'cluster' && config.clusterNodes !== undefined) return `cluster ${list(config.clusterNodes)} (${scheme})`;
  const url = new URL(config.url);
  if (url.password !== '') url.password = '***';
  return url.toString();
}
