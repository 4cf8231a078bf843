// @ts-nocheck
import type { Redis } from 'ioredis';
import { fromPriceHash, type PriceMessage } from '../sinks/price-message';
import type { RedisKeys } from '../sinks/redis-keys';

const BATCH = 500;

/**
 * The current state of these games, rebuilt from their `kalshi:prices:{gameId}` hashes (HGETALL, pipelined in
 * batches). A game whose hash is missing (expired) or not a valid price hash is left out. Rejects on a Redis error.
 */
export async function readPriceStates(redis: Redis, keys: RedisKeys, gameIds: readonly string[]): Promise<PriceMessage[]> {
  const states: PriceMessage[] = [];
  for (let start = 0; start < gameIds.length; start += BATCH) {
    const batch = gameIds.slice(start, start + BATCH);
    const pipeline = redis.pipeline();
    for (const gameId of batch) pipeline.hgetall(keys.prices(gameId));
    const results = await pipeline.exec();
    if (results === null) throw new Error('redis: the HGETALL pipeline was discarded');
    results.forEach(([error, value], index) => {
      if (error !== null) {
        if (error.message.startsWith('WRONGTYPE')) return; // a key of another type under the name: not a game
        throw error;
      }
      const state = fromPriceHash(batch[index], value as Record<string, string>);
      if (state !== null) states.push(state);
    });
  }
  return states;
}

/** The games that have a price hash now (SCAN MATCH `<prefix>kalshi:prices:*`), at most `limit` of them. */
export async function scanPricedGameIds(redis: Redis, keys: RedisKeys, limit: number): Promise<string[]> {
  const base = keys.prices('');
  const match = `${escapeGlob(base)}*`;
  const found = new Set<string>();
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', match, 'COUNT', BATCH);
    for (const key of batch) {
      if (key === keys.channel || key.length <= base.length) continue;
      found.add(key.slice(base.length));
      if (found.size >= limit) break;
    }
    cursor = next;
  } while (cursor !== '0' && found.size < limit);
  return [...found];
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
