import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import type { PriceMessage } from '../src/contract';
import { redisKeys, type RedisKeys } from '../src/redis-keys';

/*
 * Helpers of the package's own tests: they depend on nothing of the service (the package builds and tests alone).
 * The service's real publisher is checked against this client by the root suite (test/client/).
 */

/** The server the tests run against (REDIS_URL, default as in the contract). */
export const TEST_REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

let counter = 0;
export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}_${process.pid}_${counter}_${randomBytes(3).toString('hex')}`;
}

export interface TestRedis {
  redis: Redis;
  /** Unique per call: what the service's REDIS_KEY_PREFIX would be. */
  prefix: string;
  keys: RedisKeys;
  /** Deletes the keys under the prefix and closes the connection. */
  close(): Promise<void>;
}

export function createTestRedis(): TestRedis {
  const prefix = `ki_client_test:${process.pid}:${randomBytes(6).toString('hex')}:`;
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 3 });
  return {
    redis,
    prefix,
    keys: redisKeys(prefix),
    async close() {
      try {
        const stream = redis.scanStream({ match: `${prefix}*`, count: 1000 });
        for await (const found of stream as AsyncIterable<string[]>) if (found.length > 0) await redis.del(...found);
      } finally {
        redis.disconnect();
      }
    },
  };
}

/** A valid message as published on the channel. */
export function message(gameId: string, homeBuy: number, timestamp: number): PriceMessage {
  return {
    type: 'kalshi_price_update',
    gameId,
    slug: `nba-${gameId}`,
    awayTeam: { kalshiBuyPrice: 100 - homeBuy + 1, kalshiSellPrice: 100 - homeBuy },
    homeTeam: { kalshiBuyPrice: homeBuy, kalshiSellPrice: homeBuy - 1 },
    ticker: `KXNBAGAME-${gameId}-HOME`,
    timestamp,
  };
}

/** A game state as the service publishes it: [awayBuy, awaySell, homeBuy, homeSell] at this tick time. */
export function state(
  gameId: string,
  prices: [awayBuy: number | null, awaySell: number | null, homeBuy: number | null, homeSell: number | null],
  timestamp: number,
): PriceMessage {
  const [awayBuy, awaySell, homeBuy, homeSell] = prices;
  return {
    type: 'kalshi_price_update',
    gameId,
    slug: `nba-${gameId}`,
    awayTeam: { kalshiBuyPrice: awayBuy, kalshiSellPrice: awaySell },
    homeTeam: { kalshiBuyPrice: homeBuy, kalshiSellPrice: homeSell },
    ticker: `KXNBAGAME-${gameId}-HOME`,
    timestamp,
  };
}

/**
 * Writes a game's hash as the contract describes it (a side with no quote has no field; `updatedAt` and
 * `timestamp` carry the game's newest exchange time, `newestMs`, default the message's) and, unless `publish` is
 * false, PUBLISHes the message.
 */
export async function writeState(
  env: TestRedis,
  state: PriceMessage,
  options: { publish?: boolean; newestMs?: number } = {},
): Promise<void> {
  const newest = options.newestMs ?? state.timestamp;
  const fields: Record<string, string> = {
    ticker: state.ticker,
    updatedAt: String(Math.floor(newest / 1000)),
    timestamp: String(newest),
    slug: state.slug,
  };
  const cents: [string, number | null][] = [
    ['awayBuyPrice', state.awayTeam.kalshiBuyPrice],
    ['awaySellPrice', state.awayTeam.kalshiSellPrice],
    ['homeBuyPrice', state.homeTeam.kalshiBuyPrice],
    ['homeSellPrice', state.homeTeam.kalshiSellPrice],
  ];
  for (const [field, value] of cents) if (value !== null) fields[field] = String(value);
  const key = env.keys.prices(state.gameId);
  const pipeline = env.redis.multi().del(key).hset(key, fields).pexpire(key, 60_000);
  if (options.publish !== false) pipeline.publish(env.keys.channel, JSON.stringify(state));
  await pipeline.exec();
}

/** Polls `probe` until it is truthy (default: up to 5 s, every 20 ms); throws naming the condition. */
export async function waitFor(probe: () => unknown, options: { timeoutMs?: number; message?: string } = {}): Promise<void> {
  const { timeoutMs = 5000, message: what = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error;
    }
    await sleep(20);
  }
  throw new Error(`waitFor timed out after ${timeoutMs} ms: ${what}${lastError instanceof Error ? ` (${lastError.message})` : ''}`);
}

/** What a subscription delivered, per game. */
export class Recorder {
  readonly updates: PriceMessage[] = [];
  readonly errors: Error[] = [];
  readonly onUpdate = (update: PriceMessage): void => {
    this.updates.push(update);
  };
  readonly onError = (error: Error): void => {
    this.errors.push(error);
  };
  of(gameId: string): PriceMessage[] {
    return this.updates.filter((u) => u.gameId === gameId);
  }
  last(gameId: string): PriceMessage | undefined {
    const list = this.of(gameId);
    return list[list.length - 1];
  }
}
