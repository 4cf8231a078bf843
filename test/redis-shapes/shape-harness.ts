import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { App } from '../../src/app';
import { subscribeKalshiPrices, type FeedStatusMessage, type KalshiPriceSubscription } from '@kalshi-ingestor/client';
import { FeedStore } from '../../src/feed-health/feed-store';
import { loadConfig, type Config } from '../../src/config';
import { createRedis, quitRedis, type RedisClient } from '../../src/redis/connect';
import type { PriceMessage } from '../../src/sinks/price-message';
import { redisKeys, type RedisKeys } from '../../src/sinks/redis-keys';
import { KalshiSimulator } from '@kalshi-ingestor/kalshi-sim';
import { createTestDatabase, uniqueId, type TestDatabase } from '../helpers/db';
import { testKeys } from '../helpers/harness';
import { waitFor } from '../helpers/wait';

/**
 * The service (two replicas in this process), the simulator, a database and a consumer client, all pointed at
 * one Redis shape by its environment (REDIS_SENTINELS… or REDIS_CLUSTER_NODES).
 */
export interface ShapeHarness {
  sim: KalshiSimulator;
  db: TestDatabase;
  apps: App[];
  /** WORKER_ID of each app, same order. */
  workerIds: string[];
  config: Config;
  prefix: string;
  keys: RedisKeys;
  /** A client of the shape for the test's own reads (role main, with an offline queue). */
  redis: RedisClient;
  subscription: KalshiPriceSubscription;
  /** Every update the consumer client delivered, in order. */
  updates: (PriceMessage & { receivedAt: number })[];
  clientErrors: Error[];
  /** One game with one home-side market; returns its id and ticker. */
  addGame(): Promise<{ gameId: string; ticker: string }>;
  leaders(): App[];
  lastDelivered(gameId: string): PriceMessage | undefined;
  close(): Promise<void>;
}

export async function startShapeHarness(redisEnv: Record<string, string>, replicas = 2): Promise<ShapeHarness> {
  const { publicPem, privatePem } = testKeys();
  const sim = new KalshiSimulator({ publicKey: publicPem, keyId: 'test-key-id', pingIntervalMs: 200 });
  await sim.start();
  const db = await createTestDatabase();
  const prefix = `ki_shape:${randomBytes(6).toString('hex')}:`;
  const keys = redisKeys(prefix);
  const env = {
    KALSHI_WS_URL: sim.wsUrl,
    KALSHI_REST_URL: sim.restUrl,
    KALSHI_API_KEY_ID: 'test-key-id',
    KALSHI_PRIVATE_KEY: privatePem,
    DATABASE_URL: db.url,
    REDIS_KEY_PREFIX: prefix,
    PORT: '0',
    HOST: '127.0.0.1',
    FLUSH_INTERVAL_MS: '200',
    FLUSH_OFFSET_MS: '0',
    PUBLISH_INTERVAL_MS: '10',
    LEADER_LOCK_TTL_MS: '3000',
    LEADER_RETRY_MS: '50',
    LOG_LEVEL: 'warn',
    ...redisEnv,
  };
  // SHAPE_LOG=1 shows the replicas' warnings (a failing shape test's first clue).
  const quiet = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      if (process.env.SHAPE_LOG === '1') process.stderr.write(chunk);
      done();
    },
  });
  const apps: App[] = [];
  const workerIds: string[] = [];
  let config: Config | undefined;
  for (let i = 0; i < replicas; i += 1) {
    const workerId = uniqueId(`shape${i}`);
    workerIds.push(workerId);
    const result = loadConfig({ ...env, WORKER_ID: workerId });
    if (!result.ok) throw new Error(result.problems.join('\n'));
    config = result.config;
    apps.push(new App({ config: result.config, log: pino({ level: 'warn' }, quiet), reconnect: { delaysMs: [100, 200, 400], healthyAfterMs: 30_000 } }));
  }
  if (config === undefined) throw new Error('no replica');
  const redis = createRedis(config.redis, { role: 'main', connectionName: 'shape-test', enableOfflineQueue: true, maxRetriesPerRequest: 5, lazyConnect: false });
  redis.on('error', () => undefined);
  const reader = createRedis(config.redis, { role: 'subscriber', connectionName: 'shape-consumer' });
  reader.on('error', () => undefined);

  const updates: ShapeHarness['updates'] = [];
  const clientErrors: Error[] = [];
  const subscription = subscribeKalshiPrices({
    redis: reader,
    keyPrefix: prefix,
    connectionName: 'shape-consumer',
    onUpdate: (message) => updates.push({ ...message, receivedAt: Date.now() }),
    onError: (error) => clientErrors.push(error),
  });
  await subscription.ready;
  for (const app of apps) await app.start();
  await waitFor(() => apps.some((app) => app.role === 'leader'), { timeoutMs: 15_000, message: 'a replica leads' });

  const harness: ShapeHarness = {
    sim,
    db,
    apps,
    workerIds,
    config,
    prefix,
    keys,
    redis,
    subscription,
    updates,
    clientErrors,
    async addGame() {
      const gameId = uniqueId('game');
      const ticker = `KXSHAPE-${gameId}`;
      sim.addMarkets([{ ticker, yesBid: 0.4, yesAsk: 0.42 }]);
      await db.sql`insert into frontend_games (live_game_id, slug, frontend_data) values (${gameId}, ${`nba-${gameId}`}, '{}'::jsonb)`;
      await db.sql`insert into kalshi_markets (ticker, live_game_id, side) values (${ticker}, ${gameId}, 'home')`;
      return { gameId, ticker };
    },
    leaders: () => apps.filter((app) => app.role === 'leader'),
    lastDelivered: (gameId) => subscription.latest(gameId),
    async close() {
      await Promise.allSettled(apps.map((app) => app.stop()));
      await subscription.close();
      await Promise.allSettled([quitRedis(reader), quitRedis(redis)]);
      await sim.close();
      await db.drop();
    },
  };
  return harness;
}

/** The home buy price (cents) the stream sets at step n: distinct per step, inside 1..99. */
export function priceAt(step: number): number {
  return 2 + (step % 90);
}

/**
 * Ticks every game once per `everyMs` for `steps` steps (bounded), calling `during(step)` after each; the last
 * step is the final price of every game. A load generator's pacing, not a wait for a condition.
 */
export async function stream(
  sim: KalshiSimulator,
  tickers: readonly string[],
  steps: number,
  everyMs: number,
  during: (step: number) => Promise<void> | void = () => undefined,
): Promise<void> {
  for (let step = 0; step < steps; step += 1) {
    const cents = priceAt(step);
    for (const ticker of tickers) sim.setQuote(ticker, { yesBid: (cents - 1) / 100, yesAsk: cents / 100 });
    await during(step);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** The longest time between two consecutive deliveries to the consumer client within [from, to]. */
export function longestGap(updates: readonly { receivedAt: number }[], from: number, to: number): number {
  const times = updates.map((u) => u.receivedAt).filter((t) => t >= from && t <= to);
  let gap = 0;
  let last = from;
  for (const time of times) {
    gap = Math.max(gap, time - last);
    last = time;
  }
  return Math.max(gap, to - last);
}

/** Every game's final price is in its hash, in Postgres, and was delivered to the client; exactly one replica leads. */
export async function expectFinalEverywhere(h: ShapeHarness, games: readonly { gameId: string }[], finalCents: number): Promise<void> {
  for (const { gameId } of games) {
    try {
      await waitFor(() => h.lastDelivered(gameId)?.homeTeam.kalshiBuyPrice === finalCents, {
        timeoutMs: 15_000,
        message: `the client got the final price of ${gameId}`,
      });
    } catch (error) {
      const hash = await h.redis.hgetall(h.keys.prices(gameId)).catch((e: unknown) => (e as Error).message);
      const detail = {
        delivered: h.lastDelivered(gameId),
        hash,
        stats: h.subscription.stats,
        clientErrors: h.clientErrors.slice(-5).map((e) => e.message),
        leaders: h.leaders().length,
      };
      throw new Error(`${(error as Error).message}; ${JSON.stringify(detail)}`, { cause: error });
    }
    await waitFor(async () => (await h.redis.hget(h.keys.prices(gameId), 'homeBuyPrice')) === String(finalCents), {
      timeoutMs: 10_000,
      message: `the hash of ${gameId} holds the final price`,
    });
    await waitFor(
      async () => {
        const rows = await h.db.sql<{ price: number | null }[]>`
          select (frontend_data->'homeTeam'->>'kalshiBuyPrice')::numeric::float8 as price from frontend_games where live_game_id = ${gameId}`;
        return rows[0]?.price === finalCents;
      },
      { timeoutMs: 10_000, message: `Postgres holds the final price of ${gameId}` },
    );
  }
  await waitFor(() => h.leaders().length === 1, { timeoutMs: 10_000, message: 'exactly one leader' });
  const lock = await h.redis.get(h.keys.leader);
  const leaderId = h.workerIds[h.apps.indexOf(h.leaders()[0])];
  expect(lock?.startsWith(`${leaderId}:`)).toBe(true);
}

/**
 * The leader keeps kalshi:feed on this shape (its worker id, TTL at most 60 s), and a consumer reads it, then
 * follows the channel: the feed store's one-key script with its PUBLISH inside works here too.
 */
export async function expectFeedOnShape(h: ShapeHarness): Promise<void> {
  const leaderId = h.workerIds[h.apps.indexOf(h.leaders()[0])];
  await waitFor(async () => (await h.redis.hgetall(h.keys.feed)).leader === leaderId, { timeoutMs: 10_000, message: 'kalshi:feed written by the leader' });
  const ttl = await h.redis.pttl(h.keys.feed);
  expect(ttl).toBeGreaterThan(0);
  expect(ttl).toBeLessThanOrEqual(60_000);
  const states: (FeedStatusMessage | null)[] = [];
  const follower = subscribeKalshiPrices({ redis: h.redis, keyPrefix: h.prefix, gameIds: [], onUpdate: () => undefined, onError: () => undefined, onFeedState: (s) => states.push(s) });
  try {
    await follower.ready;
    expect(states[0]?.leader).toBe(leaderId);
    // The store's script (one key, PUBLISH inside) on this shape: the message reaches the follower.
    await new FeedStore(h.redis, h.keys, 'shape-test').write({ state: 'down', since: 1_800_000_000_000, reason: 'shape test' }, true, Date.now());
    await waitFor(() => states.some((s) => s?.leader === 'shape-test' && s.state === 'down'), { message: 'the announced state' });
  } finally {
    await follower.close();
  }
}
