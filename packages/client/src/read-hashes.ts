import type { Cluster, Redis } from 'ioredis';
import { fromPriceHash, type PriceMessage } from './contract';
import { execByNode } from './pipeline-by-node';
import type { RedisKeys } from './redis-keys';

const BATCH = 500;

/**
 * The current state of these games, rebuilt from their `kalshi:prices:{gameId}` hashes (HGETALL, pipelined in
 * batches; on a cluster, per node). A game whose hash is missing (expired) or not a valid price hash is left out.
 * Rejects on a Redis error.
 */
export async function readPriceStates(redis: Redis | Cluster, keys: RedisKeys, gameIds: readonly string[]): Promise<PriceMessage[]> {
  const states: PriceMessage[] = [];
  for (let start = 0; start < gameIds.length; start += BATCH) {
    const batch = gameIds.slice(start, start + BATCH);
    const results = await execByNode(redis, batch, (gameId) => keys.prices(gameId), (pipeline, gameId) => {
      pipeline.hgetall(keys.prices(gameId));
    });
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

/**
 * The games that have a price hash now (SCAN MATCH `<prefix>kalshi:prices:*`), at most `limit` of them. A cluster's
 * keys are spread over its primaries and SCAN sees one node's: every primary is scanned in turn.
 */
export async function scanPricedGameIds(redis: Redis | Cluster, keys: RedisKeys, limit: number): Promise<string[]> {
  const found = new Set<string>();
  const nodes: Redis[] = redis.isCluster ? (redis as Cluster).nodes('master') : [redis as Redis];
  if (redis.isCluster && nodes.length === 0) throw new Error('redis: the cluster has no known primary to SCAN yet');
  for (const node of nodes) {
    if (found.size >= limit) break;
    await scanNode(node, keys, limit, found);
  }
  return [...found];
}

async function scanNode(redis: Redis, keys: RedisKeys, limit: number, found: Set<string>): Promise<void> {
  const base = keys.prices('');
  const match = `${escapeGlob(base)}*`;
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
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
