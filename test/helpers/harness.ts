import { generateKeyPairSync } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loggerOptions } from '../../src/observability/logger';
import { App } from '../../src/app';
import { loadConfig } from '../../src/config';
import type { ReconnectPolicyOptions } from '../../src/kalshi/reconnect-policy';
import type { PriceMessage } from '../../src/sinks/price-message';
import { KalshiSimulator, type SimulatorOptions } from '@kalshi-ingestor/kalshi-sim';
import { createTestDatabase, uniqueId, type TestDatabase } from './db';
import { collectMessages, createTestRedis, type MessageCollector, type TestRedis } from './redis';
import { waitFor } from './wait';

let keys: { publicPem: string; privatePem: string } | undefined;

/** One RSA key pair per test process (generating one takes a while). */
export function testKeys(): { publicPem: string; privatePem: string } {
  if (keys === undefined) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    keys = {
      publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      privatePem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
  }
  return keys;
}

export interface MarketSpec {
  ticker: string;
  side: 'home' | 'away';
  /** Dollars, e.g. 0.455; null = empty book side. */
  yesBid: number | null;
  yesAsk: number | null;
}

export interface Harness {
  app: App;
  sim: KalshiSimulator;
  db: TestDatabase;
  redis: TestRedis;
  messages: MessageCollector;
  env: Record<string, string>;
  logs: Record<string, unknown>[];
  /** Inserts the game and its markets into Postgres and the markets into the simulator. */
  addGame(markets: MarketSpec[], frontendData?: Record<string, unknown>): Promise<{ gameId: string; slug: string }>;
  /** Messages published for one game, parsed. */
  messagesOf(gameId: string): PriceMessage[];
  waitForMessage(gameId: string, predicate: (message: PriceMessage) => boolean, timeoutMs?: number): Promise<PriceMessage>;
  frontendData(gameId: string): Promise<Record<string, unknown> | undefined>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  /** Derives more environment from the base (e.g. URLs through a TCP proxy). */
  envFrom?: (base: Record<string, string>) => Record<string, string>;
  sim?: Partial<SimulatorOptions>;
  /** Reconnect delays for the service (default 100, 200, 400 ms). */
  reconnect?: ReconnectPolicyOptions;
  /** Start the service (default true). */
  start?: boolean;
  /** A database made elsewhere (default: a new one on the test server), migrated; closed with the harness. */
  db?: TestDatabase;
  /** Markets on each Kalshi connection before another is opened (default 500). */
  marketsPerConnection?: number;
}

/** Environment for the service against this harness's simulator, database and Redis prefix. */
export function serviceEnv(sim: KalshiSimulator, db: TestDatabase, redis: TestRedis, extra: Record<string, string> = {}): Record<string, string> {
  return {
    KALSHI_WS_URL: sim.wsUrl,
    KALSHI_REST_URL: sim.restUrl,
    KALSHI_API_KEY_ID: 'test-key-id',
    KALSHI_PRIVATE_KEY: testKeys().privatePem,
    DATABASE_URL: db.url,
    REDIS_URL: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: redis.prefix,
    PORT: '0',
    HOST: '127.0.0.1',
    FLUSH_INTERVAL_MS: '200',
    FLUSH_OFFSET_MS: '0',
    PUBLISH_INTERVAL_MS: '10',
    MAPPER_REFRESH_MS: '60000',
    LEADER_LOCK_TTL_MS: '3000',
    LEADER_RETRY_MS: '50',
    STALL_TIMEOUT_MS: '30000',
    FALLBACK_AFTER_MS: '10000',
    WORKER_ID: uniqueId('worker'),
    LOG_LEVEL: 'info',
    ...extra,
  };
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const { publicPem } = testKeys();
  const sim = new KalshiSimulator({ publicKey: publicPem, keyId: 'test-key-id', pingIntervalMs: 200, ...options.sim });
  await sim.start();
  const db = options.db ?? (await createTestDatabase());
  const redis = createTestRedis();
  const base = serviceEnv(sim, db, redis, options.env);
  const env = { ...base, ...options.envFrom?.(base) };
  const result = loadConfig(env);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  const logs: Record<string, unknown>[] = [];
  const log = pino(
    loggerOptions(env.LOG_LEVEL ?? 'info'),
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    }),
  );
  const app = new App({ config: result.config, log, reconnect: options.reconnect ?? { delaysMs: [100, 200, 400], healthyAfterMs: 30_000 }, marketsPerConnection: options.marketsPerConnection });
  const messages = await collectMessages(redis.keys.channel);
  if (options.start !== false) {
    await app.start();
    await waitFor(() => app.role === 'leader', { message: 'the service leads' });
  }

  const parsed = (): PriceMessage[] => messages.messages.map((m) => JSON.parse(m) as PriceMessage);
  const harness: Harness = {
    app,
    sim,
    db,
    redis,
    messages,
    env,
    logs,
    async addGame(markets, frontendData = {}) {
      const gameId = uniqueId('game');
      const slug = `nba-${gameId}`;
      sim.addMarkets(markets.map((m) => ({ ticker: m.ticker, yesBid: m.yesBid, yesAsk: m.yesAsk })));
      await db.sql`insert into frontend_games (live_game_id, slug, frontend_data) values (${gameId}, ${slug}, ${db.sql.json(frontendData as never)})`;
      for (const market of markets) {
        await db.sql`insert into kalshi_markets (ticker, live_game_id, side) values (${market.ticker}, ${gameId}, ${market.side})`;
      }
      return { gameId, slug };
    },
    messagesOf: (gameId) => parsed().filter((m) => m.gameId === gameId),
    async waitForMessage(gameId, predicate, timeoutMs = 5000) {
      return waitFor(() => harness.messagesOf(gameId).find(predicate), { timeoutMs, message: `a message for ${gameId}` });
    },
    async frontendData(gameId) {
      const rows = await db.sql<{ frontend_data: Record<string, unknown> }[]>`select frontend_data from frontend_games where live_game_id = ${gameId}`;
      return rows[0]?.frontend_data;
    },
    async close() {
      await app.stop();
      await sim.close();
      await messages.close();
      await redis.close();
      await db.drop();
    },
  };
  return harness;
}
