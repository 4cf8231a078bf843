import type { ChainableCommander } from 'ioredis';
import type { GamePrices } from '../prices/types';
import type { RedisClient } from '../redis/connect';
import { execByNode, type PipelineResults } from '@kalshi-ingestor/client';
import { centsToString, toPriceMessage } from './price-message';
import type { RedisKeys } from './redis-keys';

/** Name under which the script is defined on the Redis client (redis.defineCommand). */
export const PUBLISH_PRICE_COMMAND = 'kalshiPublishPrice';

/**
 * KEYS[1] = the game's price hash.
 * ARGV: 1 timestamp (updatedAtMs), 2 TTL ms, 3 channel, 4 message JSON,
 *       5..8 awayBuyPrice, awaySellPrice, homeBuyPrice, homeSellPrice ('' = no quote: the field is deleted),
 *       9 ticker, 10 updatedAt (Unix s), 11 slug.
 * Atomic and guarded: when the stored `timestamp` is newer than the incoming one (a deposed leader's late
 * publish), nothing is written or published and it returns 0; otherwise it writes the hash, sets the TTL,
 * publishes the message and returns 1.
 */
export const PUBLISH_PRICE_SCRIPT = `
local stored = tonumber(redis.call('HGET', KEYS[1], 'timestamp') or '')
local incoming = tonumber(ARGV[1])
if stored and incoming and stored > incoming then
  return 0
end
local fields = { 'awayBuyPrice', 'awaySellPrice', 'homeBuyPrice', 'homeSellPrice' }
for i = 1, 4 do
  local value = ARGV[4 + i]
  if value == '' then
    redis.call('HDEL', KEYS[1], fields[i])
  else
    redis.call('HSET', KEYS[1], fields[i], value)
  end
end
redis.call('HSET', KEYS[1], 'ticker', ARGV[9], 'updatedAt', ARGV[10], 'timestamp', ARGV[1], 'slug', ARGV[11])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
`;

type PublishPriceArgs = [key: string, ...argv: string[]];
type WithPublishPrice = ChainableCommander & {
  [PUBLISH_PRICE_COMMAND]: (...args: PublishPriceArgs) => ChainableCommander;
};

export interface RedisPublisherOptions {
  /** TTL of each price hash, ms (the contract's 60 s). */
  hashTtlMs: number;
}

/**
 * Writes each game's price hash and PUBLISHes its message, a whole batch in one pipeline round trip (on a
 * cluster, one pipeline per node, side by side). The script touches one key, so it runs on the node of that
 * key's slot; its PUBLISH is plain (not sharded) pub/sub, which a cluster forwards to every node, so a
 * subscriber on any node receives every game (docs/DEPLOYING.md says why not SPUBLISH).
 * A rejected pipeline (or an error reply inside it) rejects the promise; the caller requeues the batch.
 */
export class RedisPublisher {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly opts: RedisPublisherOptions,
  ) {
    if (!Number.isInteger(opts.hashTtlMs) || opts.hashTtlMs <= 0) {
      throw new RangeError(`hashTtlMs must be a positive integer, got ${opts.hashTtlMs}`);
    }
    if (typeof (redis as unknown as Record<string, unknown>)[PUBLISH_PRICE_COMMAND] !== 'function') {
      redis.defineCommand(PUBLISH_PRICE_COMMAND, { numberOfKeys: 1, lua: PUBLISH_PRICE_SCRIPT });
    }
  }

  /** published = games written and announced; skippedStale = games whose stored state was newer. */
  async publish(batch: readonly GamePrices[]): Promise<{ published: number; skippedStale: number }> {
    if (batch.length === 0) return { published: 0, skippedStale: 0 };
    const ttl = String(this.opts.hashTtlMs);
    const channel = this.keys.channel;
    const add = (pipeline: ChainableCommander, state: GamePrices): void => {
      (pipeline as WithPublishPrice)[PUBLISH_PRICE_COMMAND](
        this.keys.prices(state.gameId),
        String(state.updatedAtMs),
        ttl,
        channel,
        JSON.stringify(toPriceMessage(state)),
        centsToString(state.awayTeam.kalshiBuyPrice) ?? '',
        centsToString(state.awayTeam.kalshiSellPrice) ?? '',
        centsToString(state.homeTeam.kalshiBuyPrice) ?? '',
        centsToString(state.homeTeam.kalshiSellPrice) ?? '',
        state.ticker,
        String(Math.floor(state.updatedAtMs / 1000)),
        state.slug,
      );
    };
    const results = orThrow(
      await execByNode(this.redis, batch, (state) => this.keys.prices(state.gameId), add),
      'publish',
    );
    let published = 0;
    for (const [, reply] of results) if (Number(reply) === 1) published += 1;
    return { published, skippedStale: batch.length - published };
  }

  /** Extends the TTL of the given games' hashes (one pipeline); a hash that does not exist stays absent. */
  async touch(gameIds: readonly string[]): Promise<void> {
    if (gameIds.length === 0) return;
    const results = await execByNode(this.redis, gameIds, (gameId) => this.keys.prices(gameId), (pipeline, gameId) => {
      pipeline.pexpire(this.keys.prices(gameId), this.opts.hashTtlMs);
    });
    orThrow(results, 'touch');
  }
}

function orThrow(results: PipelineResults, what: string): PipelineResults {
  const failed = results.find(([error]) => error !== null);
  if (failed) throw new Error(`redis ${what}: ${failed[0]?.message}`, { cause: failed[0] });
  return results;
}
