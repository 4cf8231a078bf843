// @ts-nocheck
import { Redis } from 'ioredis';
import type { ClientSource, UrlSource } from './types';

export interface Connections {
  /** Runs the hash reads (HGETALL, SCAN). */
  reader: Redis;
  /** Holds the SUBSCRIBE; resubscribed by the subscription itself on every 'ready' (autoResubscribe off). */
  subscriber: Redis;
  /** What close() must close: never the client the caller gave. */
  owned: Redis[];
}

export function openConnections(source: UrlSource | ClientSource, name: string): Connections {
  if (source.redis !== undefined) {
    const given = source.redis;
    if (given.options.keyPrefix) {
      throw new TypeError(
        'subscribeKalshiPrices: the given redis has an ioredis keyPrefix, which SCAN patterns and channels ignore; ' +
          'pass a client without it and the service prefix as the keyPrefix option',
      );
    }
    const subscriber = given.duplicate({ connectionName: `${name}:sub`, autoResubscribe: false });
    return { reader: given, subscriber, owned: [subscriber] };
  }
  if (typeof source.redisUrl !== 'string' || source.redisUrl === '') {
    throw new TypeError('subscribeKalshiPrices: give redisUrl or redis');
  }
  const options = source.redisOptions ?? {};
  const reader = new Redis(source.redisUrl, { ...options, connectionName: `${name}:read` });
  const subscriber = new Redis(source.redisUrl, { ...options, connectionName: `${name}:sub`, autoResubscribe: false });
  return { reader, subscriber, owned: [reader, subscriber] };
}

/** QUIT when connected (the server drops it at once), else just drop the socket and stop reconnecting. */
export async function release(connection: Redis): Promise<void> {
  if (connection.status === 'end') return;
  if (connection.status === 'ready') {
    try {
      await connection.quit();
      return;
    } catch {
      // fall through: the connection went away meanwhile
    }
  }
  connection.disconnect();
}
