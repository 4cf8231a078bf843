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
 * One list of the hash's fields and their values (a field whose value is '' is absent), read by both the writer and
 * the comparison the keep-alive makes.
 */
const WRITE_FIELDS = `
local function desiredFields(timestamp, first)
  return {
    awayBuyPrice = ARGV[first], awaySellPrice = ARGV[first + 1], homeBuyPrice = ARGV[first + 2], homeSellPrice = ARGV[first + 3],
    ticker = ARGV[first + 4], updatedAt = ARGV[first + 5], timestamp = timestamp, slug = ARGV[first + 6],
    drawBuyPrice = ARGV[first + 7], drawSellPrice = ARGV[first + 8], status = ARGV[first + 9], result = ARGV[first + 10],
  }
end
local function writeFields(key, timestamp, first)
  for name, value in pairs(desiredFields(timestamp, first)) do
    if value == '' then
      redis.call('HDEL', key, name)
    else
      redis.call('HSET', key, name, value)
    end
  end
end
local function differs(key, timestamp, first)
  local want = desiredFields(timestamp, first)
  local wanted = 0
  for _, value in pairs(want) do
    if value ~= '' then wanted = wanted + 1 end
  end
  local have = redis.call('HGETALL', key)
  if #have ~= 2 * wanted then return true end
  for i = 1, #have, 2 do
    if want[have[i]] ~= have[i + 1] then return true end
  end
  return false
end
`;

/*
 * The fence (DESIGN "Fencing"): with a second key, the leader lock, the script writes nothing unless the lock still
 * holds the writer's value, its last argument. On a cluster the lock lives on another node than the price key, so
 * the script gets no second key and the data guards alone fence.
 */
const FENCED = `
local function fenced()
  return KEYS[2] ~= nil and redis.call('GET', KEYS[2]) ~= ARGV[#ARGV]
end
`;

/** Script replies: written (and published) / refused by the data guard / refused by the fence. */
const WRITTEN = 1;
const REFUSED_BY_FENCE = -1;

/**
 * KEYS[1] = the game's price hash, KEYS[2] (single node and Sentinel) = the leader lock.
 * ARGV: 1 timestamp (updatedAtMs), 2 TTL ms, 3 channel, 4 message JSON,
 *       5..8 awayBuyPrice, awaySellPrice, homeBuyPrice, homeSellPrice ('' = no quote: the field is deleted),
 *       9 ticker, 10 updatedAt (Unix s), 11 slug, 12..15 drawBuyPrice, drawSellPrice, status, result ('' = none: deleted),
 *       last: the writer's lock value.
 * Atomic and guarded: when the lock no longer holds the writer's value (a deposed leader) it returns -1 and writes
 * nothing; when the stored `timestamp` is newer than the incoming one (a late publish) it returns 0 and writes
 * nothing; otherwise it writes the hash, sets the TTL, publishes the message and returns 1. A stored `timestamp`
 * more than MAX_VERSION_LEAD_MS ahead of Redis's clock counts as absent.
 */
export const PUBLISH_PRICE_SCRIPT = `${STORED_VERSION}${WRITE_FIELDS}${FENCED}
if fenced() then return ${REFUSED_BY_FENCE} end
local stored = storedVersion(KEYS[1])
local incoming = tonumber(ARGV[1])
if stored and incoming and stored > incoming then
  return 0
end
writeFields(KEYS[1], ARGV[1], 5)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return ${WRITTEN}
`;

/**
 * KEYS as in the publish script. ARGV: 1 TTL ms, 2 timestamp (updatedAtMs; '' = no state: only extend), 3..13 the
 * fields as in the publish script, last: the writer's lock value. The keep-alive, fenced like the publish: extends a
 * hash that holds the current state (returns 0); rewrites one that has gone missing (1) or that differs from it (2:
 * a deposed leader's late write, a lost write), without publishing. The current leader's book is the truth, whatever
 * `timestamp` the stored hash claims; only the fence stands in its way. Returns -1 when fenced.
 */
export const KEEP_PRICE_SCRIPT = `${WRITE_FIELDS}${FENCED}
if fenced() then return ${REFUSED_BY_FENCE} end
if ARGV[2] == '' then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  return 0
end
local exists = redis.call('EXISTS', KEYS[1]) == 1
if exists and not differs(KEYS[1], ARGV[2], 3) then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  return 0
end
redis.call('DEL', KEYS[1])
writeFields(KEYS[1], ARGV[2], 3)
redis.call('PEXPIRE', KEYS[1], ARGV[1])
if exists then return 2 end
return 1
`;

type ScriptArgs = [numberOfKeys: number, ...keysAndArgv: string[]];
type WithScripts = ChainableCommander & {
  [PUBLISH_PRICE_COMMAND]: (...args: ScriptArgs) => ChainableCommander;
  [KEEP_PRICE_COMMAND]: (...args: ScriptArgs) => ChainableCommander;
};

export interface RedisPublisherOptions {
  /** TTL of each price hash, ms (the contract's 60 s). */
  hashTtlMs: number;
  /**
   * The fence: the leader lock's key and the value this term holds in it. On a single node or Sentinel every write
   * checks it in its script; on a cluster it is ignored (the lock lives on another node than the price keys).
   */
  fence?: { lockKey: string; lockValue: string };
}

export interface PublishOutcome {
  /** Games written and announced. */
  published: number;
  /** Games whose stored state was newer. */
  skippedStale: number;
  /** Games refused because the lock no longer holds this writer's value: dropped (a deposed term). */
  fenced: number;
}

export interface KeepAliveOutcome {
  /** Hashes rewritten because they were missing. */
  rebuilt: number;
  /** Hashes rewritten because they differed from the book. */
  repaired: number;
  /** Games refused because the lock no longer holds this writer's value. */
  fenced: number;
}

/**
 * Writes each game's price hash and PUBLISHes its message, a whole batch in one pipeline round trip (on a
 * cluster, one pipeline per node, side by side). The script touches the price key (and, fenced, the lock on the same
 * node), so it runs on the node of that key's slot; its PUBLISH is plain (not sharded) pub/sub, which a cluster
 * forwards to every node, so a subscriber on any node receives every game (docs/DEPLOYING.md says why not SPUBLISH).
 * A rejected pipeline (or an error reply inside it) rejects the promise; the caller requeues the batch.
 */
export class RedisPublisher {
  /** The lock's key and our value, when the scripts check it (not on a cluster). */
  private readonly fence: { lockKey: string; lockValue: string } | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly opts: RedisPublisherOptions,
  ) {
    if (!Number.isInteger(opts.hashTtlMs) || opts.hashTtlMs <= 0) {
      throw new RangeError(`hashTtlMs must be a positive integer, got ${opts.hashTtlMs}`);
    }
    this.fence = redis.isCluster ? undefined : opts.fence;
    for (const [name, lua] of [
      [PUBLISH_PRICE_COMMAND, PUBLISH_PRICE_SCRIPT],
      [KEEP_PRICE_COMMAND, KEEP_PRICE_SCRIPT],
    ] as const) {
      // No fixed key count: one key on a cluster, the price key and the lock elsewhere.
      if (typeof (redis as unknown as Record<string, unknown>)[name] !== 'function') redis.defineCommand(name, { lua });
    }
  }

  async publish(batch: readonly GamePrices[]): Promise<PublishOutcome> {
    if (batch.length === 0) return { published: 0, skippedStale: 0, fenced: 0 };
    const ttl = String(this.opts.hashTtlMs);
    const channel = this.keys.channel;
    const add = (pipeline: ChainableCommander, state: GamePrices): void => {
      (pipeline as WithScripts)[PUBLISH_PRICE_COMMAND](
        ...this.scriptKeys(state.gameId),
        String(state.updatedAtMs),
        ttl,
        channel,
        JSON.stringify(toPriceMessage(state)),
        ...hashFields(state),
        this.lockValue(),
      );
    };
    const results = orThrow(
      await execByNode(this.redis, batch, (state) => this.keys.prices(state.gameId), add),
      'publish',
    );
    let published = 0;
    let fenced = 0;
    for (const [, reply] of results) {
      if (Number(reply) === WRITTEN) published += 1;
      else if (Number(reply) === REFUSED_BY_FENCE) fenced += 1;
    }
    return { published, skippedStale: batch.length - published - fenced, fenced };
  }

  /**
   * The keep-alive, one pipeline per node: extends the TTL of each game's hash, and rewrites (without publishing) a
   * hash that has gone missing or differs from `current(gameId)`, the game's state now. A game with no state given
   * (nothing quoted in this term, or a publish pending that will write it) only has its TTL extended, so a hash an
   * earlier leader wrote stays alive.
   */
  async touch(gameIds: readonly string[], current: (gameId: string) => GamePrices | undefined = () => undefined): Promise<KeepAliveOutcome> {
    const outcome: KeepAliveOutcome = { rebuilt: 0, repaired: 0, fenced: 0 };
    if (gameIds.length === 0) return outcome;
    const ttl = String(this.opts.hashTtlMs);
    const items = gameIds.map((gameId) => ({ gameId, state: current(gameId) }));
    const results = orThrow(
      await execByNode(this.redis, items, (item) => this.keys.prices(item.gameId), (pipeline, { gameId, state }) => {
        const fields = state === undefined ? new Array<string>(1 + HASH_FIELD_COUNT).fill('') : [String(state.updatedAtMs), ...hashFields(state)];
        (pipeline as WithScripts)[KEEP_PRICE_COMMAND](...this.scriptKeys(gameId), ttl, ...fields, this.lockValue());
      }),
      'touch',
    );
    for (const [, reply] of results) {
      if (reply === 1) outcome.rebuilt += 1;
      else if (reply === 2) outcome.repaired += 1;
      else if (reply === REFUSED_BY_FENCE) outcome.fenced += 1;
    }
    return outcome;
  }

  /** numberOfKeys and the keys: the price hash, and the lock when fenced. */
  private scriptKeys(gameId: string): [number, ...string[]] {
    const hash = this.keys.prices(gameId);
    return this.fence === undefined ? [1, hash] : [2, hash, this.fence.lockKey];
  }

  private lockValue(): string {
    return this.fence?.lockValue ?? '';
  }
}

/** How many field arguments hashFields gives. */
const HASH_FIELD_COUNT = 11;

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
