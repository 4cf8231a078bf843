import type { Logger } from 'pino';
import type postgres from 'postgres';
import type { Config } from '../config';
import { FallbackPoller } from '../kalshi/fallback-poller';
import { KalshiFeed } from '../kalshi/feed';
import type { ReconnectPolicyOptions } from '../kalshi/reconnect-policy';
import { InactiveMarkets } from '../kalshi/inactive-markets';
import { Reconciler, silenceBeforeCorrectionMs } from '../kalshi/reconciler';
import type { KalshiRest } from '../kalshi/rest-client';
import { TickerMapper } from '../mapping/ticker-mapper';
import type { Complaints } from '../observability/complaints';
import type { DropReason } from '../observability/drop-reasons';
import type { Metrics } from '../observability/metrics';
import { FlushLoop } from '../pipeline/flush-loop';
import { PricePipeline } from '../pipeline/price-pipeline';
import { PublishLoop } from '../pipeline/publish-loop';
import type { GamePrices, MarketQuote } from '../prices/types';
import type { RedisClient } from '../redis/connect';
import { PostgresWriter } from '../sinks/postgres-writer';
import type { RedisKeys } from '../sinks/redis-keys';
import { RedisPublisher } from '../sinks/redis-publisher';
import { every } from '../timing/every';
import { NO_SOCKET, socketFeed, type TermFeed } from './term-feed';
import type { LastFlush, TermStatus } from './term-status';
import { within } from '../timing/within';

export const PRICE_HASH_TTL_MS = 60_000;
const SUPERVISE_EVERY_MS = 250;
/** Aborted inputs end at once; this only bounds a socket that will not close. */
const INPUTS_STOP_MS = 1000;

export interface LeaderTermDeps {
  config: Config;
  log: Logger;
  metrics: Metrics;
  complaints: Complaints;
  sql: postgres.Sql;
  redis: RedisClient;
  keys: RedisKeys;
  /** The process's one paced client: every use of Kalshi's REST shares KALSHI_REST_RATE_PER_S. */
  rest: Pick<KalshiRest, 'readMarkets'>;
  reconnect?: ReconnectPolicyOptions;
}

export interface TermStopOptions {
  /** false: the lock was lost, so the term writes nothing more. true (shutdown): last flush and publish. */
  lockStillOurs: boolean;
  /** Wall-clock ms by which the last flush and publish must be done (default: no bound). */
  flushDeadline?: number;
}

export interface TermStopOutcome {
  /** Everything queued reached Postgres and Redis (always true for a deposed term, which writes nothing). */
  flushed: boolean;
  unflushedGames: number;
  unpublishedGames: number;
}

/**
 * One leadership term: created when this replica is elected, thrown away when it stops leading, never restarted.
 * It owns every leader-only part (sockets, REST polling and reconciliation, ticker mapper, price pipeline, flush
 * and publish loops, keep-alive, supervisor) and one AbortSignal that all of their timers, sockets and REST calls
 * obey; a result that arrives after the signal aborted is dropped.
 *
 * stop() runs in one fixed order: stop the inputs and abort REST → last flush and publish, only while the lock is
 * still ours → return (the App then releases the lock and tears down the process).
 */
export class LeaderTerm {
  private readonly controller = new AbortController();
  readonly signal: AbortSignal = this.controller.signal;
  private readonly log: Logger;
  private readonly pipeline: PricePipeline;
  private readonly flushLoop: FlushLoop;
  private readonly publishLoop: PublishLoop;
  private readonly publisher: RedisPublisher;
  private readonly mapper: TickerMapper;
  private readonly fallback: FallbackPoller;
  private readonly reconciler: Reconciler;
  private readonly feed: TermFeed;
  /** Markets REST called not active: not polled again this term unless re-mapped. */
  private readonly inactive = new InactiveMarkets();
  /** Everything running in the background for this term, awaited (bounded) at stop. */
  private readonly tasks = new Set<Promise<unknown>>();
  /** Off the moment the lock is known lost: a deposed term writes nothing, even what is already in flight to it. */
  private writesAllowed = true;
  private socketDownSince: number | undefined;
  private lastFlush: LastFlush | null = null;
  private stopping: Promise<TermStopOutcome> | undefined;
  private stageValue = 'leading';

  constructor(private readonly deps: LeaderTermDeps) {
    const { config, metrics, complaints, log } = deps;
    const { signal } = this;
    this.log = log;

    this.pipeline = new PricePipeline({
      onQueued: () => {
        this.flushLoop.notifyQueued();
        this.publishLoop.notifyQueued();
      },
      onUnmapped: (ticker) => {
        complaints.report('unknown_ticker', { ticker });
      },
      onRefused: (reason, detail) => complaints.report(reason, detail),
    }, { restCorrectsAfterMs: silenceBeforeCorrectionMs(config.reconcileIntervalMs) });

    const writer = new PostgresWriter(deps.sql);
    this.flushLoop = new FlushLoop({
      queue: this.pipeline.flushQueue,
      intervalMs: config.flushIntervalMs,
      offsetMs: config.flushOffsetMs,
      maxQueueSize: config.maxQueueSize,
      write: (batch) => this.writeBatch(writer, batch),
      onFailure: (err, games) => {
        metrics.flushFailures.inc();
        log.error({ err, games }, 'Postgres flush failed; the batch is queued again');
      },
    });

    this.publisher = new RedisPublisher(deps.redis, deps.keys, { hashTtlMs: PRICE_HASH_TTL_MS });
    this.publishLoop = new PublishLoop({
      queue: this.pipeline.publishQueue,
      intervalMs: config.publishIntervalMs,
      publish: (batch) => this.publishBatch(batch),
      onFailure: (err, games) => {
        metrics.publishFailures.inc();
        log.error({ err, games }, 'Redis publish failed; the batch is queued again');
      },
    });

    const { rest } = deps;
    const tickers = () => [...this.mapper.current.keys()];
    const onInvalid = (reason: DropReason, detail?: Record<string, unknown>) => complaints.report(reason, detail ?? {});
    this.fallback = new FallbackPoller({
      rest,
      signal,
      intervalMs: config.fallbackPollIntervalMs,
      log: log.child({ component: 'fallback' }),
      tickers,
      inactive: this.inactive,
      onQuotes: (quotes, purpose) => {
        if (signal.aborted) return;
        if (purpose === 'initial') this.pipeline.applyInitialQuotes(quotes, Date.now());
        else this.applyQuotes(quotes);
      },
      onInvalid,
      // kalshi_fallback_active is read at scrape; the pipeline lets REST quotes through while the socket is down.
      onActiveChange: (active) => {
        if (!signal.aborted) this.pipeline.setFallbackActive(active);
      },
    });

    this.feed = this.buildFeed();

    this.reconciler = new Reconciler({
      rest,
      signal,
      intervalMs: config.reconcileIntervalMs,
      log: log.child({ component: 'reconcile' }),
      tickers,
      inactive: this.inactive,
      current: (ticker) => this.pipeline.book.quoteOf(ticker),
      lastSocketAtMs: (ticker) => this.pipeline.book.socketAtOf(ticker),
      silentAfterMs: silenceBeforeCorrectionMs(config.reconcileIntervalMs),
      socketHealthy: () => this.feed.status().allSubscribed && !this.fallback.active,
      apply: (quotes) => this.applyQuotes(quotes),
      onCorrections: (count) => metrics.reconcileCorrections.inc(count),
      onInvalid,
      resubscribe: (tickers) => this.feed.resubscribe(tickers),
    });

    this.mapper = new TickerMapper({
      sql: deps.sql,
      redis: deps.redis,
      tickerMapKey: deps.keys.tickerMap,
      refreshMs: config.mapperRefreshMs,
      maxMarkets: config.maxMarkets,
      log: log.child({ component: 'mapper' }),
      signal,
      onProblem: (reason) => complaints.count(reason),
      onChange: (diff, markets) => {
        this.pipeline.applyMapping(diff);
        this.feed.setMarkets(new Set(markets.keys()));
        const added = diff.added.map((m) => m.ticker);
        const removed = diff.removed.map((m) => m.ticker);
        // A market whose mapping changed is read again even if REST called it inactive before.
        this.inactive.forget([...added, ...removed]);
        if (!this.feed.enabled && added.length > 0) this.readInitial(added);
      },
    });

    this.begin();
  }

  /** Where stop() is (for the log line of a shutdown that overruns). */
  get stage(): string {
    return this.stageValue;
  }

  status(): TermStatus {
    return {
      leading: !this.signal.aborted,
      socketEnabled: this.feed.enabled,
      feed: this.feed.status(),
      fallbackActive: this.fallback.active,
      fallback: this.fallback.status(),
      mapperLoaded: this.mapper.lastLoadAtMs > 0,
      mappedMarkets: this.mapper.size,
      queues: { postgres: this.pipeline.flushQueue.size, redis: this.pipeline.publishQueue.size },
      lastFlush: this.lastFlush,
      lastQuoteAtMs: this.pipeline.lastQuoteAtMs,
      gamesByStatus: this.pipeline.gamesByStatus(),
    };
  }

  /** Ends the term (idempotent: the first call's options win). */
  stop(options: TermStopOptions): Promise<TermStopOutcome> {
    this.stopping ??= this.end(options);
    return this.stopping;
  }

  private begin(): void {
    this.flushLoop.start();
    this.publishLoop.start();
    // Not awaited by anyone but stop(): renewing the lock must not wait on Postgres. The first load reaches the
    // feed and the book through the mapper's onChange, whenever Postgres answers.
    this.track(this.mapper.run());
    // The fallback chain and the reconciler run from their construction until the signal aborts.
    this.track(this.fallback.done);
    this.track(this.reconciler.done);
    if (this.feed.enabled) {
      this.track(every(SUPERVISE_EVERY_MS, this.signal, () => this.supervise()));
    } else {
      this.fallback.setActive(true, 'KALSHI_WS_ENABLED=false');
    }
    this.track(every(PRICE_HASH_TTL_MS / 3, this.signal, () => this.keepAlive(), { runFirst: false }));
  }

  private async end({ lockStillOurs, flushDeadline }: TermStopOptions): Promise<TermStopOutcome> {
    const { log } = this;
    // Synchronously, before anything can run again: a deposed term has written its last byte.
    this.writesAllowed = lockStillOurs;
    this.stageValue = 'stopping the inputs and aborting REST';
    this.feed.pause();
    this.flushLoop.stop();
    this.publishLoop.stop();
    this.controller.abort(new Error(lockStillOurs ? 'shutting down' : 'the leader lock was lost'));

    const inputs = Promise.allSettled([this.feed.stop(), ...this.tasks]);
    // Never more than half of what is left for the last flush.
    const inputsMs = flushDeadline === undefined ? INPUTS_STOP_MS : Math.min(INPUTS_STOP_MS, Math.max(0, (flushDeadline - Date.now()) / 2));
    if (!(await within(inputs, inputsMs))) log.warn({ waitedMs: Math.round(inputsMs) }, 'inputs still stopping; going on without them');

    let flushed = true;
    if (lockStillOurs) {
      this.stageValue = 'last flush to Postgres and publish to Redis';
      const last = Promise.all([this.flushLoop.flush(), this.publishLoop.flush()]);
      flushed = await within(last, flushDeadline === undefined ? Number.MAX_SAFE_INTEGER : flushDeadline - Date.now());
    }
    const outcome = {
      flushed: flushed && (!lockStillOurs || this.pipeline.flushQueue.size + this.pipeline.publishQueue.size === 0),
      unflushedGames: lockStillOurs ? this.pipeline.flushQueue.size : 0,
      unpublishedGames: lockStillOurs ? this.pipeline.publishQueue.size : 0,
    };
    // A stage that did not finish stays named, for the overrun log line.
    if (outcome.flushed) this.stageValue = 'ended';
    else log.error({ unflushedGames: outcome.unflushedGames, unpublishedGames: outcome.unpublishedGames }, 'last flush did not complete');
    log.info({ lockStillOurs, ...outcome }, lockStillOurs ? 'leader term ended after its last flush' : 'leader term ended: the lock was lost, nothing more written');
    return outcome;
  }

  private buildFeed(): TermFeed {
    const { config, log, metrics, complaints, reconnect } = this.deps;
    const credentials = config.kalshi.credentials;
    if (!config.kalshi.wsEnabled || credentials === undefined) return NO_SOCKET;
    const { signal } = this;
    return socketFeed(
      new KalshiFeed({
        url: config.kalshi.wsUrl,
        credentials,
        stallTimeoutMs: config.stallTimeoutMs,
        log: log.child({ component: 'kalshi-ws' }),
        reconnect,
        exchangeDelay: metrics.exchangeDelay,
        events: {
          onQuote: (quote, receivedAtMs) => {
            if (signal.aborted) return;
            this.pipeline.applyQuote(quote, receivedAtMs);
          },
          onInvalid: (reason, detail) => complaints.report(reason, detail),
          onMessage: (type) => metrics.messageCounts.count(type),
          onReconnect: () => metrics.wsReconnects.inc(),
          onAuthRejected: () => undefined,
          // Only markets without a price yet: a market added again after a reconnect has its quote (and a snapshot coming).
          onMarketsAdded: (tickers) => this.readInitial(tickers.filter((t) => !this.pipeline.book.hasQuote(t))),
          onStateChange: () => undefined, // gauges are read at scrape
        },
      }),
    );
  }

  private track(task: Promise<unknown>): void {
    this.tasks.add(task);
    void task.finally(() => this.tasks.delete(task));
  }

  private readInitial(tickers: readonly string[]): void {
    this.fallback.readInitial(tickers);
  }

  private applyQuotes(quotes: readonly MarketQuote[]): void {
    if (this.signal.aborted) return;
    const now = Date.now();
    for (const quote of quotes) this.pipeline.applyQuote(quote, now);
  }

  private async writeBatch(writer: PostgresWriter, batch: readonly GamePrices[]): Promise<void> {
    if (!this.writesAllowed) return;
    const { metrics } = this.deps;
    const started = process.hrtime.bigint();
    const { rowsWritten } = await writer.write(batch);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    metrics.flushDuration.observe(ms / 1000);
    metrics.pricesPerFlush.observe(rowsWritten);
    this.lastFlush = { at: new Date().toISOString(), rows: rowsWritten, games: batch.length, ms: Math.round(ms * 10) / 10 };
    this.log.debug(this.lastFlush, 'flushed prices to Postgres');
  }

  private async publishBatch(batch: readonly GamePrices[]): Promise<void> {
    if (!this.writesAllowed) return;
    await this.publisher.publish(batch);
    const now = Date.now();
    for (const prices of batch) this.deps.metrics.tickToPublish.observe(Math.max(0, now - prices.tickTimeMs) / 1000);
  }

  private async keepAlive(): Promise<void> {
    if (!this.writesAllowed) return;
    // A hash lost meanwhile (eviction, a flushed node) is rebuilt from the book's current prices.
    const { book } = this.pipeline;
    await this.publisher.touch([...book.gameIds()], (gameId) => book.current(gameId)).catch((err: unknown) => this.log.debug({ err }, 'price hash keep-alive failed'));
  }

  /** Socket down for FALLBACK_AFTER_MS → REST polling; back on the socket → polling off. */
  private supervise(): void {
    const { allSubscribed, desiredMarkets } = this.feed.status();
    const now = Date.now();
    if (allSubscribed || desiredMarkets === 0) {
      this.socketDownSince = undefined;
      this.fallback.setActive(false, 'socket subscribed again');
      return;
    }
    this.socketDownSince ??= now;
    if (now - this.socketDownSince >= this.deps.config.fallbackAfterMs) {
      this.fallback.setActive(true, `socket not subscribed for ${now - this.socketDownSince} ms`);
    }
  }
}
