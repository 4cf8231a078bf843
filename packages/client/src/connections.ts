import type { EventEmitter } from 'node:events';
import { Redis, type Cluster } from 'ioredis';
import { ClusterNodeSubscriber } from './cluster-subscriber';
import type { ClientSource, UrlSource } from './types';

/** What the subscription needs of its SUBSCRIBE connection (a plain ioredis client, or one that hops cluster nodes). */
export interface Subscriber extends EventEmitter {
  readonly status: string;
  subscribe(...channels: string[]): Promise<unknown>;
}

export interface Connections {
  /** Runs the hash reads (HGETALL, SCAN): a client, or a cluster. */
  reader: Redis | Cluster;
  /** Holds the SUBSCRIBE; resubscribed by the subscription itself on every 'ready' (autoResubscribe off). */
  subscriber: Subscriber;
  /** Starts the subscriber connection when it was not started by its creation. */
  connectSubscriber(): Promise<void>;
  /** Where errors of the connections this subscription opened are emitted. */
  errorSources: EventEmitter[];
  /** Closes what this subscription opened: never the client the caller gave. */
  close(): Promise<void>;
}

export function openConnections(source: UrlSource | ClientSource, name: string): Connections {
  if (source.redis !== undefined) {
    const given = source.redis;
    const prefix = given.isCluster ? (given as Cluster).options.keyPrefix : (given as Redis).options.keyPrefix;
    if (prefix) {
      throw new TypeError(
        'subscribeKalshiPrices: the given redis has an ioredis keyPrefix, which SCAN patterns and channels ignore; ' +
          'pass a client without it and the service prefix as the keyPrefix option',
      );
    }
    if (given.isCluster) {
      const subscriber = new ClusterNodeSubscriber(given as Cluster, `${name}:sub`);
      return {
        reader: given,
        subscriber,
        connectSubscriber: () => {
          subscriber.connect();
          return Promise.resolve();
        },
        errorSources: [subscriber],
        close: () => subscriber.close(),
      };
    }
    const subscriber = (given as Redis).duplicate({ connectionName: `${name}:sub`, autoResubscribe: false });
    return plain(given as Redis, subscriber, [subscriber]);
  }
  if (typeof source.redisUrl !== 'string' || source.redisUrl === '') {
    throw new TypeError('subscribeKalshiPrices: give redisUrl or redis');
  }
  const options = source.redisOptions ?? {};
  const reader = new Redis(source.redisUrl, { ...options, connectionName: `${name}:read` });
  const subscriber = new Redis(source.redisUrl, { ...options, connectionName: `${name}:sub`, autoResubscribe: false });
  return plain(reader, subscriber, [reader, subscriber]);
}

function plain(reader: Redis, subscriber: Redis, owned: Redis[]): Connections {
  return {
    reader,
    subscriber,
    // A lazyConnect client given to us.
    connectSubscriber: async () => {
      if (subscriber.status === 'wait') await subscriber.connect();
    },
    errorSources: owned,
    close: async () => {
      await Promise.all(owned.map(release));
    },
  };
}

/**
 * QUIT when connected (the server drops it at once), else (or still not closed) disconnect(), which stops
 * reconnecting. A Sentinel client is disconnect()ed in any case: that is what closes its connections to the
 * sentinels (a QUIT leaves them open).
 */
export async function release(connection: Redis): Promise<void> {
  if (connection.status === 'ready') await connection.quit().catch(() => undefined);
  if (connection.status !== 'end' || connection.options.sentinels != null) connection.disconnect();
}
