import type { Logger } from 'pino';
import postgres from 'postgres';
import type { Config } from './config';
import { buildHttpServer, type Readiness } from './http/server';
import { FallbackPoller } from './kalshi/fallback-poller';
import { KalshiFeed, type FeedStatus } from './kalshi/feed';
import type { ReconnectPolicyOptions } from './kalshi/reconnect-policy';
import { InactiveMarkets } from './kalshi/inactive-markets';
import { Reconciler, silenceBeforeCorrectionMs } from './kalshi/reconciler';
import { KalshiRest } from './kalshi/rest-client';
import { LeaderLock } from './leader/leader-lock';
import { Leadership, type Role } from './leader/leadership';
import { TickerMapper } from './mapping/ticker-mapper';
import { Complaints } from './observability/complaints';
import { HeapMonitor } from './observability/heap-monitor';
import { createMetrics } from './observability/metrics';
import { FlushLoop } from './pipeline/flush-loop';
import { PricePipeline } from './pipeline/price-pipeline';
import { PublishLoop } from './pipeline/publish-loop';
import type { GamePrices, MarketQuote } from './prices/types';
import { createRedis, describeRedis, quitRedis, type RedisClient } from './redis/connect';
import { PostgresWriter, reconnectBackoffSeconds } from './sinks/postgres-writer';
import { redisKeys } from './sinks/redis-keys';
import { RedisPublisher } from './sinks/redis-publisher';

const PRICE_HASH_TTL_MS = 60_000;
const PROBE_TIMEOUT_MS = 1000;
const SUPERVISE_EVERY_MS = 250;

export interface AppOptions {
  config: Config;
  log: Logger;
  /** Tests shorten the reconnect delays; production uses the policy's defaults. */
  reconnect?: ReconnectPolicyOptions;
}

/** The REST side of one leadership: ended by its abort, never restarted (issue 10's leader term will own it). */
interface RestTerm {
  abort: AbortController;
  inactive: InactiveMarkets;
  fallback: FallbackPoller;
  reconciler: Reconciler;
  /** Local receive time of each market's last socket tick: how long the socket has been silent on it. */
  socketAtMs: Map<string, number>;
}

interface LastFlush {
  at: string;
  rows: number;
  games: number;
  ms: number;
}

/**
 * The composition root: builds every part, wires them, and starts and stops them in order.
 * Start: HTTP (so /healthz answers at once) → Postgres and Redis → leadership loop.
 * On leading: mapper → sockets or REST polling → timers. On losing it or at shutdown: the reverse,
 * with a last flush and publish.
 */
export class App {
  readonly metrics = createMetrics();
  private readonly log: Logger;
  private readonly config: Config;
  private readonly sql: postgres.Sql;
  private readonly redis: RedisClient;
  private readonly lockRedis: RedisClient;
  private readonly keys: ReturnType<typeof redisKeys>;
  private readonly complaints: Complaints;
  private readonly pipeline: PricePipeline;
  private readonly flushLoop: FlushLoop;
  private readonly publishLoop: PublishLoop;
  private readonly mapper: TickerMapper;
  private readonly rest: KalshiRest;
  private readonly publisher: RedisPublisher;
  private restTerm: RestTerm | undefined;
  private readonly heapMonitor: HeapMonitor;
  private readonly leadership: Leadership;
  private readonly lock: LeaderLock;
  private readonly http: ReturnType<typeof buildHttpServer>;
  private feed: KalshiFeed | undefined;
  private supervisor: NodeJS.Timeout | undefined;
  private keepAlive: NodeJS.Timeout | undefined;
  private socketDownSince: number | undefined;
  private lastFlush: LastFlush | undefined;
  /** Messages received by type since the last scrape (at most the five valid message types). */
  private readonly messageCounts = new Map<string, number>();
  private leading = false;
  private stopping = false;
  private shutdownStage = 'not started';

  constructor(private readonly options: AppOptions) {
    const { config, log } = options;
    this.config = config;
    this.log = log;
    const { metrics } = this;
    this.keys = redisKeys(config.redisKeyPrefix);
    this.complaints = new Complaints(log, metrics.invalidMessages);

    this.sql = postgres(config.databaseUrl, {
      max: 4,
      connect_timeout: 5,
      idle_timeout: 60,
      onnotice: () => undefined,
      backoff: reconnectBackoffSeconds,
      connection: { application_name: `kalshi-ingestor:${config.workerId}`, statement_timeout: 15_000 },
    });
    // Publishing must fail fast while Redis is away (the batch is requeued), never wait in a queue (createRedis's role defaults).
    this.redis = createRedis(config.redis, { role: 'main', connectionName: `kalshi-ingestor:${config.workerId}` });
    this.lockRedis = createRedis(config.redis, {
      role: 'lock',
      commandTimeout: Math.max(100, Math.min(2000, Math.floor(config.leaderLockTtlMs / 6))),
      connectionName: `kalshi-ingestor-lock:${config.workerId}`,
    });
    for (const [name, client] of [['redis', this.redis], ['redis-lock', this.lockRedis]] as const) {
      this.watchRedis(name, client);
    }

    this.pipeline = new PricePipeline({
      onQueued: () => {
        this.flushLoop.notifyQueued();
        this.publishLoop.notifyQueued();
      },
      onUnmapped: (ticker) => {
        this.restTerm?.socketAtMs.delete(ticker);
        this.complaints.report('unknown_ticker', { ticker });
      },
      onRefused: (reason, detail) => this.complaints.report(reason, detail),
    }, { restCorrectsAfterMs: silenceBeforeCorrectionMs(config.reconcileIntervalMs) });

    const writer = new PostgresWriter(this.sql);
    this.flushLoop = new FlushLoop({
      queue: this.pipeline.flushQueue,
      intervalMs: config.flushIntervalMs,
      offsetMs: config.flushOffsetMs,
      maxQueueSize: config.maxQueueSize,
      write: (batch) => this.writeBatch(writer, batch),
      onFailure: (error, size) => {
        metrics.flushFailures.inc();
        log.error({ err: (error as Error).message, games: size }, 'Postgres flush failed; the batch is queued again');
      },
    });

    const publisher = new RedisPublisher(this.redis, this.keys, { hashTtlMs: PRICE_HASH_TTL_MS });
    this.publishLoop = new PublishLoop({
      queue: this.pipeline.publishQueue,
      intervalMs: config.publishIntervalMs,
      publish: async (batch) => {
        await publisher.publish(batch);
        const now = Date.now();
        for (const prices of batch) metrics.tickToPublish.observe(Math.max(0, now - prices.tickTimeMs) / 1000);
      },
      onFailure: (error, size) => {
        metrics.publishFailures.inc();
        log.error({ err: (error as Error).message, games: size }, 'Redis publish failed; the batch is queued again');
      },
    });
    this.publisher = publisher;

    this.mapper = new TickerMapper({
      sql: this.sql,
      redis: this.redis,
      tickerMapKey: this.keys.tickerMap,
      refreshMs: config.mapperRefreshMs,
      maxMarkets: config.maxMarkets,
      log: log.child({ component: 'mapper' }),
      onProblem: (reason) => this.complaints.count(reason),
      onChange: (diff, markets) => {
        this.pipeline.applyMapping(diff);
        this.feed?.setMarkets(new Set(markets.keys()));
        const added = diff.added.map((m) => m.ticker);
        const removed = diff.removed.map((m) => m.ticker);
        // A market whose mapping changed is read again even if REST called it inactive before.
        this.restTerm?.inactive.forget([...added, ...removed]);
        for (const ticker of removed) this.restTerm?.socketAtMs.delete(ticker);
        if (this.feed === undefined && added.length > 0) this.restTerm?.fallback.readInitial(added);
      },
    });

    // One paced client for the process: every use of Kalshi's REST shares KALSHI_REST_RATE_PER_S.
    this.rest = new KalshiRest({ baseUrl: config.kalshi.restUrl, ratePerS: config.restRatePerS });

    this.heapMonitor = new HeapMonitor({
      log: log.child({ component: 'memory' }),
      shed: () => {
        this.complaints.clear();
        (globalThis as { gc?: () => void }).gc?.();
      },
    });

    this.lock = new LeaderLock(this.lockRedis, this.keys.leader, config.workerId, config.leaderLockTtlMs);
    this.leadership = new Leadership({
      lock: this.lock,
      ttlMs: config.leaderLockTtlMs,
      retryMs: config.leaderRetryMs,
      log: log.child({ component: 'leadership' }),
      onElected: () => this.startLeading(),
      onDeposed: () => this.stopLeading(),
    });

    this.http = buildHttpServer({
      log,
      metrics: () => this.scrape(),
      contentType: this.metrics.registry.contentType,
      readiness: () => this.readiness(),
      status: () => this.status(),
    });
  }

  get role(): Role {
    return this.leadership.role;
  }

  /** The HTTP address, once listening. */
  get address(): string {
    const address = this.http.server.address();
    return typeof address === 'object' && address !== null ? `http://127.0.0.1:${address.port}` : '';
  }

  async start(): Promise<void> {
    const { config, log } = this;
    await this.http.listen({ port: config.http.port, host: config.http.host });
    log.info({ address: this.address, workerId: config.workerId, wsEnabled: config.kalshi.wsEnabled }, 'kalshi-ingestor listening');
    await Promise.all([this.connectRedis(this.redis), this.connectRedis(this.lockRedis)]);
    this.heapMonitor.start();
    this.leadership.start();
  }

  /**
   * Shutdown: stop reading sockets, last flush and publish, release the lock, close HTTP and pools.
   * `shutdownProgress()` says where it is, for the log line of a shutdown that overruns.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.log.info('shutting down');
    this.feed?.pause();
    this.shutdownStage = 'stopping the leadership loop';
    await this.leadership.stop();
    if (this.leading) {
      this.shutdownStage = 'last flush to Postgres and publish to Redis';
      await this.stopLeading();
      this.shutdownStage = 'releasing the leader lock';
      try {
        const released = await this.lock.release();
        this.log.info({ released }, 'leader lock released');
      } catch (error) {
        this.log.warn({ err: (error as Error).message }, 'could not release the leader lock; it expires by its ttl');
      }
    }
    this.heapMonitor.stop();
    this.shutdownStage = 'closing HTTP';
    await this.http.close();
    this.shutdownStage = 'closing the Postgres and Redis connections';
    await Promise.allSettled([this.sql.end({ timeout: 2 }), quitRedis(this.redis), quitRedis(this.lockRedis)]);
    this.shutdownStage = 'done';
    this.log.info('stopped');
  }

  /** What shutdown is waiting on, and what is still queued. */
  shutdownProgress(): Record<string, unknown> {
    return {
      stage: this.shutdownStage,
      unflushedGames: this.pipeline.flushQueue.size,
      unpublishedGames: this.pipeline.publishQueue.size,
    };
  }

  /** One line when a Redis connection is lost and one when it is back; the retries in between at debug. */
  private watchRedis(name: string, client: RedisClient): void {
    let wasReady = false;
    const url = describeRedis(this.config.redis);
    client.on('ready', () => {
      wasReady = true;
      this.log.info({ client: name, url }, 'Redis connected');
    });
    client.on('close', () => {
      if (!wasReady || this.stopping) return;
      wasReady = false;
      this.log.warn({ client: name, url }, 'Redis connection lost; reconnecting (publishes are queued meanwhile)');
    });
    client.on('error', (error: Error) => this.log.debug({ client: name, err: error.message }, 'Redis connection error'));
  }

  private async connectRedis(client: RedisClient): Promise<void> {
    try {
      await client.connect();
    } catch (error) {
      // ioredis keeps reconnecting by itself; the standby loop and readiness report the outage.
      this.log.warn({ err: (error as Error).message, url: describeRedis(this.config.redis) }, 'Redis not reachable yet; retrying');
    }
  }

  private async startLeading(): Promise<void> {
    if (this.stopping) return;
    const { config, metrics, log } = this;
    this.leading = true;
    metrics.leader.set(1);
    this.pipeline.reset();
    if (config.kalshi.wsEnabled && config.kalshi.credentials !== undefined) {
      this.feed = new KalshiFeed({
        url: config.kalshi.wsUrl,
        credentials: config.kalshi.credentials,
        stallTimeoutMs: config.stallTimeoutMs,
        log: log.child({ component: 'kalshi-ws' }),
        reconnect: this.options.reconnect,
        events: {
          onQuote: (quote, receivedAtMs) => {
            // Before applying: an unmapped ticker is dropped from the map again by onUnmapped (bounded by the mapping).
            this.restTerm?.socketAtMs.set(quote.ticker, receivedAtMs);
            this.pipeline.applyQuote(quote, receivedAtMs);
          },
          onInvalid: (reason, detail) => this.complaints.report(reason, detail),
          onMessage: (type) => this.countMessage(type),
          onReconnect: () => metrics.wsReconnects.inc(),
          onAuthRejected: () => undefined,
          // Only markets without a price yet: a market added again after a reconnect has its quote (and a snapshot coming).
          onMarketsAdded: (tickers) => this.restTerm?.fallback.readInitial(tickers.filter((t) => !this.pipeline.book.hasQuote(t))),
          onStateChange: () => this.refreshSocketGauges(),
        },
      });
    }
    this.restTerm = this.startRestTerm();
    this.flushLoop.start();
    this.publishLoop.start();
    // Not awaited: renewing the lock must not wait on Postgres. The first load reaches the feed and
    // the book through the mapper's onChange, whenever Postgres answers.
    void this.mapper.start();
    if (this.feed === undefined) this.restTerm.fallback.setActive(true, 'KALSHI_WS_ENABLED=false');
    this.socketDownSince = undefined;
    this.supervisor = setInterval(() => this.supervise(), SUPERVISE_EVERY_MS);
    this.keepAlive = setInterval(() => {
      this.publisher
        .touch([...this.pipeline.book.gameIds()], (gameId) => this.pipeline.book.current(gameId))
        .catch((error: Error) => log.debug({ err: error.message }, 'price hash keep-alive failed'));
    }, PRICE_HASH_TTL_MS / 3);
  }

  /** Stops every leader-only part, in reverse order, with a last (timestamp-guarded) flush and publish. */
  private async stopLeading(): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    clearInterval(this.supervisor);
    clearInterval(this.keepAlive);
    this.feed?.pause();
    const feed = this.feed;
    this.feed = undefined;
    // Aborting cancels every REST request of this leadership; a page that arrives later is dropped.
    const restTerm = this.restTerm;
    this.restTerm = undefined;
    restTerm?.abort.abort();
    this.metrics.fallbackActive.set(0);
    await Promise.all([feed?.stop(), restTerm?.fallback.done, restTerm?.reconciler.done, this.mapper.stop()]);
    this.flushLoop.stop();
    this.publishLoop.stop();
    await Promise.all([this.flushLoop.flush(), this.publishLoop.flush()]);
    const leftFlush = this.pipeline.flushQueue.size;
    const leftPublish = this.pipeline.publishQueue.size;
    if (leftFlush + leftPublish > 0) {
      this.log.error({ unflushedGames: leftFlush, unpublishedGames: leftPublish }, 'last flush did not complete');
    }
    this.pipeline.reset();
    this.metrics.leader.set(0);
    this.refreshSocketGauges();
  }

  private startRestTerm(): RestTerm {
    const { config, log, metrics } = this;
    const abort = new AbortController();
    const { signal } = abort;
    const inactive = new InactiveMarkets();
    const socketAtMs = new Map<string, number>();
    const tickers = () => [...this.mapper.current.keys()];
    const onInvalid = (reason: string, detail?: Record<string, unknown>) => this.complaints.report(reason, detail ?? {});
    const fallback = new FallbackPoller({
      rest: this.rest,
      signal,
      intervalMs: config.fallbackPollIntervalMs,
      log: log.child({ component: 'fallback' }),
      tickers,
      inactive,
      onQuotes: (quotes, purpose) => {
        if (purpose === 'initial') this.pipeline.applyInitialQuotes(quotes, Date.now());
        else this.applyQuotes(quotes);
      },
      onInvalid,
      onActiveChange: (active) => {
        this.pipeline.setFallbackActive(active);
        metrics.fallbackActive.set(active && !signal.aborted ? 1 : 0);
      },
    });
    const reconciler = new Reconciler({
      rest: this.rest,
      signal,
      intervalMs: config.reconcileIntervalMs,
      log: log.child({ component: 'reconcile' }),
      tickers,
      inactive,
      current: (ticker) => this.pipeline.book.quoteOf(ticker),
      lastSocketAtMs: (ticker) => socketAtMs.get(ticker) ?? 0,
      silentAfterMs: silenceBeforeCorrectionMs(config.reconcileIntervalMs),
      socketHealthy: () => this.feed?.status().allSubscribed === true && !fallback.active,
      apply: (quotes) => this.applyQuotes(quotes),
      onCorrections: (count) => metrics.reconcileCorrections.inc(count),
      onInvalid,
      resubscribe: (list) => this.feed?.resubscribe(list),
    });
    return { abort, inactive, fallback, reconciler, socketAtMs };
  }

  private applyQuotes(quotes: readonly MarketQuote[]): void {
    const now = Date.now();
    for (const quote of quotes) this.pipeline.applyQuote(quote, now);
  }

  private async writeBatch(writer: PostgresWriter, batch: readonly GamePrices[]): Promise<void> {
    const started = process.hrtime.bigint();
    const { rowsWritten } = await writer.write(batch);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    this.metrics.flushDuration.observe(ms / 1000);
    this.metrics.pricesPerFlush.observe(rowsWritten);
    this.lastFlush = { at: new Date().toISOString(), rows: rowsWritten, games: batch.length, ms: Math.round(ms * 10) / 10 };
    this.log.debug(this.lastFlush, 'flushed prices to Postgres');
  }

  /** Socket down for FALLBACK_AFTER_MS → REST polling; back on the socket → polling off. */
  private supervise(): void {
    const feed = this.feed;
    const fallback = this.restTerm?.fallback;
    if (feed === undefined || fallback === undefined) return;
    const { allSubscribed, desiredMarkets } = feed.status();
    const healthy = allSubscribed || desiredMarkets === 0;
    const now = Date.now();
    if (healthy) {
      this.socketDownSince = undefined;
      fallback.setActive(false, 'socket subscribed again');
      return;
    }
    this.socketDownSince ??= now;
    if (now - this.socketDownSince >= this.config.fallbackAfterMs) {
      fallback.setActive(true, `socket not subscribed for ${now - this.socketDownSince} ms`);
    }
  }

  private refreshSocketGauges(): void {
    const status = this.feed?.status();
    this.metrics.wsConnected.set(status?.connected ?? 0);
    this.metrics.subscribedMarkets.set(status?.subscribedMarkets ?? 0);
  }

  /**
   * The hot path counts messages in plain integers: prom-client's inc() builds and hashes the label set on every
   * call (even on a labels() child). The counts move into kalshi_messages_total at each scrape.
   */
  private countMessage(type: string): void {
    this.messageCounts.set(type, (this.messageCounts.get(type) ?? 0) + 1);
  }

  private flushMessageCounts(): void {
    for (const [type, count] of this.messageCounts) {
      if (count === 0) continue;
      this.metrics.messages.labels(type).inc(count);
      this.messageCounts.set(type, 0);
    }
  }

  private async scrape(): Promise<string> {
    this.flushMessageCounts();
    this.refreshSocketGauges();
    this.metrics.priceQueueSize.set(this.pipeline.flushQueue.size);
    this.metrics.tickerCacheSize.set(this.mapper.size);
    return this.metrics.registry.metrics();
  }

  private async readiness(): Promise<Readiness> {
    const role = this.leadership.role;
    const redis =
      this.lockRedis.status === 'ready'
        ? await probe(() => this.lockRedis.ping())
        : { ok: false, detail: `Redis ${this.lockRedis.status} at ${describeRedis(this.config.redis)}` };
    if (role === 'standby' || !this.leading) {
      return { ready: redis.ok, role: 'standby', checks: { redis } };
    }
    const postgresCheck = await probe(() => this.sql`select 1`);
    const feed = this.feed?.status();
    const fallback = this.restTerm?.fallback.status();
    const mapped = this.mapper.size;
    const flowing =
      this.mapper.lastLoadAtMs === 0
        ? { ok: false, detail: 'ticker map not loaded yet' }
        : mapped === 0
          ? { ok: true, detail: 'no mapped markets' }
          : fallback?.active === true
            ? fallback.missing === 0
              ? { ok: true, detail: 'REST fallback active' }
              : { ok: false, detail: `REST fallback active; ${fallback.missing} of ${mapped} markets not read yet: ${fallback.missingSample.join(', ')}` }
            : feed?.allSubscribed === true
              ? { ok: true, detail: `${feed.subscribedMarkets} markets subscribed` }
              : { ok: false, detail: `${feed?.subscribedMarkets ?? 0} of ${mapped} markets subscribed` };
    const checks = { postgres: postgresCheck, redis, prices: flowing };
    return { ready: postgresCheck.ok && redis.ok && flowing.ok, role, checks };
  }

  private status(): Record<string, unknown> {
    const feed = this.feed?.status();
    const lastQuoteAt = this.pipeline.lastQuoteAtMs;
    return {
      role: this.leadership.role,
      workerId: this.config.workerId,
      socket: { enabled: this.config.kalshi.wsEnabled, state: socketState(feed) },
      subscribedMarkets: feed?.subscribedMarkets ?? 0,
      connections: feed?.connections ?? [],
      queues: { postgres: this.pipeline.flushQueue.size, redis: this.pipeline.publishQueue.size },
      lastFlush: this.lastFlush ?? null,
      lastMessageAgeMs: lastQuoteAt === 0 ? null : Date.now() - lastQuoteAt,
      fallback: this.restTerm?.fallback.status() ?? { active: false },
      tickerMapSize: this.mapper.size,
    };
  }
}

function socketState(feed: FeedStatus | undefined): string {
  if (feed === undefined) return 'closed';
  if (feed.connections.length === 0) return 'idle';
  if (feed.connected === feed.connections.length) return 'open';
  return feed.connected > 0 ? 'partial' : 'connecting';
}

async function probe(check: () => Promise<unknown>): Promise<{ ok: boolean; detail?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
      }),
    ]);
    return { ok: true };
  } catch (error) {
    return { ok: false, detail: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** A connection URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
