import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { redisKeys, type RedisKeys } from '../../src/sinks/redis-keys';
import { waitFor } from './wait';

/** The server the tests run against (REDIS_URL, default as in the contract). */
export const TEST_REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

export interface TestRedis {
  redis: Redis;
  /** Unique per call; every key and channel of `keys` starts with it. */
  prefix: string;
  keys: RedisKeys;
  /** Deletes the keys under the prefix and closes the connection. */
  close(): Promise<void>;
}

export function createTestRedis(): TestRedis {
  const prefix = `ki_test:${process.pid}:${randomBytes(6).toString('hex')}:`;
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 3 });
  return {
    redis,
    prefix,
    keys: redisKeys(prefix),
    async close() {
      try {
        let cursor = '0';
        do {
          const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
          if (found.length > 0) await redis.del(...found);
          cursor = next;
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    },
  };
}

export interface MessageCollector {
  /** Messages received so far (that passed the filter), in order. */
  readonly messages: string[];
  /** Waits until `predicate(messages)` is truthy; throws after timeoutMs (default 5000). */
  waitFor(predicate: (messages: readonly string[]) => unknown, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Subscribes (on its own connection) to `channel` and records its messages; resolves once subscribed. */
export async function collectMessages(
  channel: string,
  filter: (message: string) => boolean = () => true,
): Promise<MessageCollector> {
  const subscriber = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 3 });
  const messages: string[] = [];
  subscriber.on('message', (from: string, message: string) => {
    if (from === channel && filter(message)) messages.push(message);
  });
  await subscriber.subscribe(channel);
  return {
    messages,
    async waitFor(predicate, timeoutMs = 5000) {
      try {
        await waitFor(() => predicate(messages), { timeoutMs, message: `messages on ${channel}` });
      } catch (error) {
        const seen = messages.slice(-5).join('\n  ');
        throw new Error(`${(error as Error).message}; ${messages.length} received, last: \n  ${seen}`, { cause: error });
      }
    },
    close() {
      subscriber.disconnect();
      return Promise.resolve();
    },
  };
}
