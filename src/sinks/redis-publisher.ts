import type { ChainableCommander } from 'ioredis';
import type { GamePrices } from '../prices/types';
import type { RedisClient } from '../redis/connect';
import { execByNode, type PipelineResults } from '@kalshi-ingestor/client';
import { centsToString, toPriceMessage } from './price-message';
import type { RedisKeys } from './redis-keys';

/** Name under which the script is defined on the Redis client (redis.defineCommand). */
export const PUBLISH_PRICE_COMMAND = 'kalshiPublishPrice';
/** Name of the keep-alive script. */
export const KEEP_PRICE_COMMAND = 'kalshiKeepPrice';

/** A stored `timestamp` further ahead of Redis's clock than this is a bad exchange time, not a version. */
export const MAX_VERSION_LEAD_MS = 5 * 60 * 1000;

/*
 * The stored version is believed unless it lies more than MAX_VERSION_LEAD_MS ahead of Redis's own clock: such a
 * value can only be a bad exchange time written before they were refused (a ts_ms in microseconds), and honouring
 * it would refuse every later write, across restarts.
 */
const STORED_VERSION = `
local function storedVersion(key)
  local stored = tonumber(redis.call('HGET', key, 'timestamp') or '')
  if not stored then return nil end
  local now = redis.call('TIME')
  local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
  if stored > nowMs + ${MAX_VERSION_LEAD_MS} then return nil end
  return stored
end
`;

/*
 * ARGV[first..first+10]: awayBuyPrice, awaySellPrice, homeBuyPrice, homeSellPrice ('' = deleted), ticker, updatedAt,
 * slug, then (docs/CONTRACT.md "A game's whole life") drawBuyPrice, drawSellPrice, status, result ('' = deleted).
 */
const WRITE_FIELDS = `
local function setOrDelete(key, field, value)
  if value == '' then
    redis.call('HDEL', key, field)
  else
    redis.call('HSET', key, field, value)
  end
end
local function writeFields(key, timestamp, first)
  local fields = { 'awayBuyPrice', 'awaySellPrice', 'homeBuyPrice', 'homeSellPrice' }
  for i = 1, 4 do
    setOrDelete(key, fields[i], ARGV[first + i - 1])
  end
  redis.call('HSET', key, 'ticker', ARGV[first + 4], 'updatedAt', ARGV[first + 5], 'timestamp', timestamp, 'slug', ARGV[first + 6])
  local more = { 'drawBuyPrice', 'drawSellPrice', 'status', 'result' }
  for i = 1, 4 do
    setOrDelete(key, more[i], ARGV[first + 6 + i] or '')
  end
end
`;

/**
 * KEYS[1] = the game's price hash.
 * ARGV: 1 timestamp (updatedAtMs), 2 TTL ms, 3 channel, 4 message JSON,
 *       5..8 awayBuyPrice, awaySellPrice, homeBuyPrice, homeSellPrice ('' = no quote: the field is deleted),
 *       9 ticker, 10 updatedAt (Unix s), 11 slug, 12..15 drawBuyPrice, drawSellPrice, status, result ('' = none: deleted).
 * Atomic and guarded: when the stored `timestamp` is newer than the incoming one (a deposed leader's late
 * publish), nothing is written or published and it returns 0; otherwise it writes the hash, sets the TTL,
 * publishes the message and returns 1. A stored `timestamp` more than MAX_VERSION_LEAD_MS ahead of Redis's clock
 * counts as absent.
 */
export const PUBLISH_PRICE_SCRIPT = `${STORED_VERSION}${WRITE_FIELDS}
local stored = storedVersion(KEYS[1])
local incoming = tonumber(ARGV[1])
if stored and incoming and stored > incoming then
  return 0
end
writeFields(KEYS[1], ARGV[1], 5)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
`;

/**
 * KEYS[1] = the game's price hash. ARGV: 1 TTL ms, 2 timestamp (updatedAtMs), 3..13 the fields as in the publish
 * script. The keep-alive: extends a hash that exists (returns 0); rewrites one that has gone missing from the
 * current state, without publishing (returns 1). A missing hash has no stored version, so nothing newer is lost.
 */
export const KEEP_PRICE_SCRIPT = `${WRITE_FIELDS}
if redis.call('PEXPIRE', KEYS[1], ARGV[1]) == 1 then
  return 0
end
writeFields(KEYS[1], ARGV[2], 3)
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
`;

type ScriptArgs = [key: string, ...argv: string[]];
type WithScripts = ChainableCommander & {
  [PUBLISH_PRICE_COMMAND]: (...args: ScriptArgs) => ChainableCommander;
  [KEEP_PRICE_COMMAND]: (...args: ScriptArgs) => ChainableCommander;
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
    for (const [name, lua] of [
      [PUBLISH_PRICE_COMMAND, PUBLISH_PRICE_SCRIPT],
      [KEEP_PRICE_COMMAND, KEEP_PRICE_SCRIPT],
    ] as const) {
      if (typeof (redis as unknown as Record<string, unknown>)[name] !== 'function') redis.defineCommand(name, { numberOfKeys: 1, lua });
    }
  }

  /** published = games written and announced; skippedStale = games whose stored state was newer. */
  async publish(batch: readonly GamePrices[]): Promise<{ published: number; skippedStale: number }> {
    if (batch.length === 0) return { published: 0, skippedStale: 0 };
    const ttl = String(this.opts.hashTtlMs);
    const channel = this.keys.channel;
    const add = (pipeline: ChainableCommander, state: GamePrices): void => {
      (pipeline as WithScripts)[PUBLISH_PRICE_COMMAND](
        this.keys.prices(state.gameId),
        String(state.updatedAtMs),
        ttl,
        channel,
        JSON.stringify(toPriceMessage(state)),
        ...hashFields(state),
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

  /**
   * The keep-alive, one pipeline per node: extends the TTL of each game's hash, and rewrites (without publishing) a
   * hash that has gone missing from `current(gameId)`, the game's state now. A game with no state yet (nothing
   * quoted in this term) only has its TTL extended, so a hash an earlier leader wrote stays alive. Returns the
   * number of hashes rewritten.
   */
  async touch(gameIds: readonly string[], current: (gameId: string) => GamePrices | undefined = () => undefined): Promise<{ rebuilt: number }> {
    if (gameIds.length === 0) return { rebuilt: 0 };
    const ttl = String(this.opts.hashTtlMs);
    const items = gameIds.map((gameId) => ({ gameId, state: current(gameId) }));
    const results = orThrow(
      await execByNode(this.redis, items, (item) => this.keys.prices(item.gameId), (pipeline, { gameId, state }) => {
        if (state === undefined) pipeline.pexpire(this.keys.prices(gameId), this.opts.hashTtlMs);
        else (pipeline as WithScripts)[KEEP_PRICE_COMMAND](this.keys.prices(gameId), ttl, String(state.updatedAtMs), ...hashFields(state));
      }),
      'touch',
    );
    let rebuilt = 0;
    results.forEach(([, reply], i) => {
      if (items[i]?.state !== undefined && reply === 1) rebuilt += 1;
    });
    return { rebuilt };
  }
}

/**
 * The publish and keep-alive scripts' field arguments: four prices ('' = no quote), ticker, updatedAt (s), slug, the
 * draw's two prices ('' = none: a two-way game, or no quote), status, result ('' = none yet).
 */
function hashFields(state: GamePrices): string[] {
  return [
    centsToString(state.awayTeam.kalshiBuyPrice) ?? '',
    centsToString(state.awayTeam.kalshiSellPrice) ?? '',
    centsToString(state.homeTeam.kalshiBuyPrice) ?? '',
    centsToString(state.homeTeam.kalshiSellPrice) ?? '',
    state.ticker,
    String(Math.floor(state.updatedAtMs / 1000)),
    state.slug,
    centsToString(state.draw?.kalshiBuyPrice ?? null) ?? '',
    centsToString(state.draw?.kalshiSellPrice ?? null) ?? '',
    state.status,
    state.result ?? '',
  ];
}

function orThrow(results: PipelineResults, what: string): PipelineResults {
  const failed = results.find(([error]) => error !== null);
  if (failed) throw new Error(`redis ${what}: ${failed[0]?.message}`, { cause: failed[0] });
  return results;
}
