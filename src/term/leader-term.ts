import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type postgres from 'postgres';
import type { Config } from '../config';
import type { ReplaceableSql } from '../db/replaceable-sql';
import { FallbackMarkets } from '../kalshi/fallback-markets';
import { FallbackPoller } from '../kalshi/fallback-poller';
import { KalshiFeed } from '../kalshi/feed';
import { Reconciler, silenceBeforeCorrectionMs } from '../kalshi/reconciler';
import type { ReconnectPolicyOptions } from '../kalshi/reconnect-policy';
import type { KalshiRest } from '../kalshi/rest-client';
import type { LifecycleCounters } from '../kalshi/lifecycle-channel';
import type { FencedWrites } from '../leader/fenced-writes';
import type { Lease } from '../leader/lease';
import type { MarketMapDiff } from '../mapping/market-map';
import { createFeedHealth, type FeedHealthMonitor, type TermFacts } from '../feed-health/feed-health';
import { TickerMapper } from '../mapping/ticker-mapper';
import type { Complaints } from '../observability/complaints';
import type { DropReason } from '../observability/drop-reasons';
import type { Metrics } from '../observability/metrics';
import { FlushLoop, type FailureReport } from '../pipeline/flush-loop';
import { PricePipeline } from '../pipeline/price-pipeline';
import { PublishLoop } from '../pipeline/publish-loop';
import type { MappedMarket } from '../prices/game-book';
import { LatestByGame } from '../prices/latest-by-game';
import type { RedisClient } from '../redis/connect';
import { PostgresWriter } from '../sinks/postgres-writer';
import type { RedisKeys } from '../sinks/redis-keys';
import { RedisPublisher } from '../sinks/redis-publisher';
import { every, pause } from '../timing/every';
import { within } from '../timing/within';
import { NO_SOCKET, socketFeed, type TermFeed } from './term-feed';
import { TermLifecycle } from './term-lifecycle';
import type { TermStatus } from './term-status';
import { LeaseHolds } from './lease-holds';
import { LeaseLapsedError, WriteGate } from './write-gate';

export const PRICE_HASH_TTL_MS = 60_000;
const SUPERVISE_EVERY_MS = 250;
/** Aborted inputs end at once; this only bounds a socket that will not close. */
const INPUTS_STOP_MS = 1000;
/** Between two attempts of the last flush while a store refuses it (doubling up to this). */
const LAST_FLUSH_RETRY_MAX_MS = 500;
/**
 * Abort listeners the term's signal may hold at once, part by part (each waits on it through one pause, wakeup or
 * REST read at a time; a REST read holds one listener whatever its concurrency, src/kalshi/rest-client.ts): flush
 * loop 1, publish loop 1, mapper 3 (its refresh pause, a load, a NOTIFY debounce), poller 2 (poll chain, first
 * reads), reconciler 1, supervisor 1, keep-alive 1, lifecycle 3 (its run, its supervisor, a re-read), feed health 2
 * (its exchange status loop, its evaluation loop). Node warns past 10 (MaxListenersExceededWarning); the bound
 * keeps the warning for a real leak past it.
 */
const TERM_SIGNAL_LISTENERS = 1 + 1 + 3 + 2 + 1 + 1 + 1 + 3 + 2;

export interface LeaderTermDeps {
  config: Config;
  log: Logger;
  metrics: Metrics;
  complaints: Complaints;
  sql: postgres.Sql;
  /** The flushes' own connection (src/app/connections.ts openPostgresWriter); `sql` when not given. */
  writerSql?: postgres.Sql | ReplaceableSql;
  redis: RedisClient;
  keys: RedisKeys;
  /** The process's one paced client: every use of Kalshi's REST shares KALSHI_REST_RATE_PER_S. */
  rest: Pick<KalshiRest, 'readMarkets' | 'readExchangeStatus'>;
  /**
   * This term's leadership (src/leader/lease.ts): its number (the flush's fencing token), the lock's value (checked
   * by the price scripts), and the freshness check the write gate makes before every write.
   */
  lease: Lease;
  /** Where writes the fence refused are counted and logged (the process's one, shown in /status). */
  fencedWrites: Pick<FencedWrites, 'refused'>;
  reconnect?: ReconnectPolicyOptions;
  /** Markets a Kalshi connection carries before another is opened (default 500; tests use a few). */
  marketsPerConnection?: number;
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
 * The constructor builds every leader-only part and starts nothing; `start()` runs them all under the term's one
 * AbortSignal (client-go's leaderelection Run(ctx) is the model), `stop()` aborts it, awaits them, and ends:
 *
 *   feed (sockets) ─quotes─► pipeline (book, queues) ◄─REST quotes─ fallback poller, reconciler
 *   mapper ─map─► pipeline + feed         supervisor: feed state ─► markets in fallback (per market)
 *   lifecycle channel, every REST read ─statuses─► pipeline; a determined market: unsubscribed, never polled
 *   flush loop, publish loop, keep-alive ─► write gate (lease + deposed check) ─► Postgres, Redis
 *
 * stop() runs in one fixed order: stop the inputs and abort REST → last flush and publish, retried to the deadline,
 * only while the lock is still ours → return (the App then releases the lock and tears down the process).
 */
export class LeaderTerm {
  private readonly controller = new AbortController();
  readonly signal: AbortSignal = this.controller.signal;
  /** Aborted the moment the lock is known lost: the gate then lets nothing through, even what is in flight to it. */
  private readonly deposed = new AbortController();
  private readonly log: Logger;
  private readonly pipeline: PricePipeline;
  private readonly gate: WriteGate;
  private readonly health: FeedHealthMonitor;
  private readonly flushLoop: FlushLoop;
  private readonly publishLoop: PublishLoop;
  private readonly mapper: TickerMapper;
  private readonly fallbackMarkets: FallbackMarkets;
  private readonly poller: FallbackPoller;
  private readonly reconciler: Reconciler;
  private readonly feed: TermFeed;
  /** Market statuses (lifecycle channel + every REST read): a determined market is neither polled nor subscribed. */
  private readonly life: TermLifecycle;
  /** Every part's run, started by start() and awaited (bounded) by stop(). */
  private running: Promise<unknown> | undefined;
  private stopping: Promise<TermStopOutcome> | undefined;
  private stageValue = 'leading';

  constructor(private readonly deps: LeaderTermDeps) {
    const { config, metrics, complaints, log } = deps;
    this.log = log;
    setMaxListeners(TERM_SIGNAL_LISTENERS, this.signal);
    const flushQueue = new LatestByGame();
    const publishQueue = new LatestByGame();
    const leaseHolds = new LeaseHolds(log);

    this.gate = new WriteGate({
      lease: deps.lease,
      deposed: this.deposed.signal,
      postgres: new PostgresWriter(deps.writerSql ?? deps.sql),
      skippedRows: flushQueue,
      complaints,
      redis: new RedisPublisher(deps.redis, deps.keys, {
        hashTtlMs: PRICE_HASH_TTL_MS,
        fence: { lockKey: deps.keys.leader, lockValue: deps.lease.lockValue },
      }),
      pendingPublish: publishQueue,
      fencedWrites: deps.fencedWrites,
      metrics,
      log,
    });
    this.flushLoop = new FlushLoop({
      queue: flushQueue,
      intervalMs: config.flushIntervalMs,
      offsetMs: config.flushOffsetMs,
      maxQueueSize: config.maxQueueSize,
      store: this.gate,
      failures: failureReport(log, metrics.flushFailures, 'Postgres flush failed; the batch is queued again', { store: 'postgres', log: leaseHolds }),
    });
    this.publishLoop = new PublishLoop({
      queue: publishQueue,
      intervalMs: config.publishIntervalMs,
      channel: this.gate,
      failures: failureReport(log, metrics.publishFailures, 'Redis publish failed; the batch is queued again', { store: 'redis', log: leaseHolds }),
    });

    // No socket at all (KALSHI_WS_ENABLED=false): every mapped market is in fallback at once.
    const socketEnabled = config.kalshi.wsEnabled && config.kalshi.credentials !== undefined;
    this.fallbackMarkets = new FallbackMarkets(socketEnabled ? config.fallbackAfterMs : 0);
    this.pipeline = new PricePipeline(
      { complaints, watcher: this.flushLoop, fallback: this.fallbackMarkets, signal: this.signal, flushQueue, publishQueue },
      { restCorrectsAfterMs: silenceBeforeCorrectionMs(config.reconcileIntervalMs) },
    );

    this.health = createFeedHealth(deps, { termFacts: () => this.termFacts() }, { allowed: () => this.gate.open });
    const mapped = () => [...this.mapper.current.keys()];
    const onInvalid = (reason: DropReason, detail?: Record<string, unknown>) => complaints.report(reason, detail ?? {});
    this.life = new TermLifecycle({
      // The feed is built below (it hands the lifecycle frames to this): reached through the term, not captured.
      feed: {
        enabled: socketEnabled,
        openConnections: () => this.feed.openConnections(),
        setMarkets: (tickers) => this.feed.setMarkets(tickers),
      },
      rest: deps.rest,
      // The pipeline takes nothing once the term's signal has aborted (a late frame or REST page changes nothing).
      sink: this.pipeline,
      mapped: () => this.mapper.current,
      counters: lifecycleCounters(metrics),
      onInvalid,
      log: log.child({ component: 'lifecycle' }),
    });
    this.poller = new FallbackPoller({
      rest: this.health.watchRest(deps.rest),
      intervalMs: config.fallbackPollIntervalMs,
      log: log.child({ component: 'fallback' }),
      mapped,
      markets: this.fallbackMarkets,
      statuses: this.life.statuses,
      sink: this.pipeline,
      quoted: this.pipeline.book,
      onInvalid,
    });

    this.feed = this.buildFeed(socketEnabled);

    this.reconciler = new Reconciler({
      rest: deps.rest,
      intervalMs: config.reconcileIntervalMs,
      log: log.child({ component: 'reconcile' }),
      tickers: mapped,
      statuses: this.life.statuses,
      book: this.pipeline.book,
      socket: this.feed,
      fallback: this.fallbackMarkets,
      sink: this.pipeline,
      corrections: metrics.reconcileCorrections,
      silentAfterMs: silenceBeforeCorrectionMs(config.reconcileIntervalMs),
      onInvalid,
    });

    this.mapper = new TickerMapper({
      sql: deps.sql,
      redis: deps.redis,
      tickerMapKey: deps.keys.tickerMap,
      refreshMs: config.mapperRefreshMs,
      maxMarkets: config.maxMarkets,
      log: log.child({ component: 'mapper' }),
      signal: this.signal,
      onProblem: (reason) => complaints.count(reason),
      onChange: (diff, markets) => this.mapChanged(diff, markets),
    });
  }

  /** Runs every part of the term until stop(). Called once, right after election. */
  start(): void {
    const { signal } = this;
    this.running ??= Promise.allSettled([
      this.flushLoop.run(signal),
      this.publishLoop.run(signal),
      // Not awaited by anyone but stop(): renewing the lock must not wait on Postgres. The first load reaches the
      // feed and the book through mapChanged, whenever Postgres answers.
      this.mapper.run(),
      this.poller.run(signal),
      this.reconciler.run(signal),
      this.life.run(signal),
      this.health.run(signal),
      every(SUPERVISE_EVERY_MS, signal, () => this.supervise()),
      every(PRICE_HASH_TTL_MS / 3, signal, () => this.gate.keepAlive(this.pipeline.book), { runFirst: false }),
    ]);
  }

  /** Where stop() is (for the log line of a shutdown that overruns). */
  get stage(): string {
    return this.stageValue;
  }

  status(): TermStatus {
    const fallback = this.poller.status();
    return {
      leading: !this.signal.aborted,
      socketEnabled: this.feed.enabled,
      feed: this.feed.status(),
      fallbackActive: fallback.active,
      fallback: { ...fallback, waiting: this.fallbackMarkets.waiting },
      mapperLoaded: this.mapper.lastLoadAtMs > 0,
      mappedMarkets: this.mapper.size,
      queues: { postgres: this.pipeline.flushQueue.size, redis: this.pipeline.publishQueue.size },
      lastFlush: this.gate.lastFlush,
      lastQuoteAtMs: this.pipeline.lastQuoteAtMs,
      lifecycle: this.life.status(),
      gamesByStatus: this.pipeline.gamesByStatus(),
      health: this.health.status(),
    };
  }

  /**
   * The Redis connection came back on another primary (a failover): writes the old one acknowledged may be gone, so
   * every game's current state is written and published again.
   */
  republishAll(): void {
    if (this.signal.aborted) return;
    const games = this.pipeline.republishAll();
    this.log.info({ games }, 'Redis primary changed: every game\'s current state queued for publishing again');
  }

  /** What the feed state is derived from (src/feed-health/feed-state.ts). */
  private termFacts(): TermFacts {
    const { allSubscribed } = this.feed.status();
    const mapped = this.mapper.size;
    return { mapLoaded: this.mapper.lastLoadAtMs > 0, mappedMarkets: mapped, subscribedAll: allSubscribed, socketEnabled: this.feed.enabled, marketsInFallback: this.fallbackMarkets.size };
  }

  /** Ends the term (idempotent: the first call's options win). */
  stop(options: TermStopOptions): Promise<TermStopOutcome> {
    this.stopping ??= this.end(options);
    return this.stopping;
  }

  private async end({ lockStillOurs, flushDeadline }: TermStopOptions): Promise<TermStopOutcome> {
    const { log } = this;
    // Synchronously, before anything can run again: a deposed term has written its last byte.
    if (!lockStillOurs) this.deposed.abort();
    this.stageValue = 'stopping the inputs and aborting REST';
    this.feed.pause();
    this.controller.abort(new Error(lockStillOurs ? 'shutting down' : 'the leader lock was lost'));

    const inputs = Promise.allSettled([this.feed.stop(), this.running]);
    // Never more than half of what is left for the last flush.
    const inputsMs = flushDeadline === undefined ? INPUTS_STOP_MS : Math.min(INPUTS_STOP_MS, Math.max(0, (flushDeadline - Date.now()) / 2));
    if (!(await within(inputs, inputsMs))) log.warn({ waitedMs: Math.round(inputsMs) }, 'inputs still stopping; going on without them');

    let finished = true;
    if (lockStillOurs) {
      this.stageValue = 'last flush to Postgres and publish to Redis';
      finished = await this.lastFlush(flushDeadline ?? Number.MAX_SAFE_INTEGER);
    }
    const unflushedGames = lockStillOurs ? this.pipeline.flushQueue.size : 0;
    const unpublishedGames = lockStillOurs ? this.pipeline.publishQueue.size : 0;
    // A write still in flight at the deadline has left the queue but not reached its store: not flushed.
    const outcome = { flushed: finished && unflushedGames + unpublishedGames === 0, unflushedGames, unpublishedGames };
    // A stage that did not finish stays named, for the overrun log line.
    if (outcome.flushed) this.stageValue = 'ended';
    else log.error({ unflushedGames, unpublishedGames }, 'last flush did not complete');
    log.info({ lockStillOurs, ...outcome }, lockStillOurs ? 'leader term ended after its last flush' : 'leader term ended: the lock was lost, nothing more written');
    return outcome;
  }

  /**
   * The last flush and publish, retried while a store refuses them, until both queues are empty or the deadline
   * (docs/ARCHITECTURE.md, "Nothing lost"): a Postgres away for a few seconds of the budget costs latency, not the
   * last prices. Bounded by the deadline even when a write hangs.
   */
  private async lastFlush(deadline: number): Promise<boolean> {
    const giveUp = new AbortController();
    const attempts = (async () => {
      for (let attempt = 1; !giveUp.signal.aborted; attempt += 1) {
        await Promise.all([this.flushLoop.flush(), this.publishLoop.flush()]);
        if (this.pipeline.flushQueue.size + this.pipeline.publishQueue.size === 0) return;
        await pause(Math.min(50 * 2 ** (attempt - 1), LAST_FLUSH_RETRY_MAX_MS), giveUp.signal);
      }
    })();
    try {
      return await within(attempts, deadline - Date.now());
    } finally {
      giveUp.abort();
    }
  }

  private buildFeed(socketEnabled: boolean): TermFeed {
    const { config, log, metrics, complaints, reconnect, marketsPerConnection } = this.deps;
    const credentials = config.kalshi.credentials;
    if (!socketEnabled || credentials === undefined) return NO_SOCKET;
    return socketFeed(
      new KalshiFeed({
        url: config.kalshi.wsUrl,
        credentials,
        stallTimeoutMs: config.stallTimeoutMs,
        log: log.child({ component: 'kalshi-ws' }),
        reconnect,
        marketsPerConnection,
        exchangeDelay: metrics.exchangeDelay,
        quotes: this.pipeline,
        complaints,
        counters: metrics,
        firstReads: this.poller,
        channels: this.life,
      }),
    );
  }

  /** A load that changed the map (never after the term ended). */
  private mapChanged(diff: MarketMapDiff, markets: ReadonlyMap<string, MappedMarket>): void {
    this.pipeline.applyMapping(diff);
    const added = diff.added.map((m) => m.ticker);
    const removed = diff.removed.map((m) => m.ticker);
    // A market whose mapping changed starts over, even if it was determined before; determined ones are not subscribed.
    this.life.mappingChanged(added, removed);
    this.feed.setMarkets(this.life.subscribable(markets.keys()));
    this.supervise();
    if (!this.feed.enabled && added.length > 0) this.poller.readInitial(added);
  }

  /**
   * Per market: one the socket has not served for FALLBACK_AFTER_MS is polled (and fed by REST) until the socket
   * serves it again; markets ticking on a healthy connection are left alone. A determined market is neither
   * subscribed nor polled: it is never in fallback.
   */
  private supervise(): void {
    if (this.signal.aborted) return;
    const { entered, left } = this.fallbackMarkets.update(this.life.undetermined, this.feed, Date.now());
    if (entered.length === 0 && left.length === 0) return;
    const inFallback = this.fallbackMarkets.size;
    const detail = { entered: entered.length, left: left.length, inFallback, examples: [...entered, ...left].slice(0, 5) };
    if (entered.length > 0) this.log.warn(detail, `REST fallback polling on for ${inFallback} markets the socket does not serve`);
    else this.log.info(detail, inFallback === 0 ? 'REST fallback polling off: the socket serves every market again' : `REST fallback polling on for ${inFallback} markets`);
    this.poller.marketsChanged();
  }
}

/** A store's refusal is counted and logged at error; a lapsed lease's hold is neither (the fence working): warned, rate-limited. */
function failureReport(log: Logger, counter: { inc(): void }, message: string, holds: { store: 'postgres' | 'redis'; log: LeaseHolds }): FailureReport {
  return {
    failed(err, games) {
      if (err instanceof LeaseLapsedError) {
        holds.log.held(holds.store, games, err);
        return;
      }
      counter.inc();
      log.error({ err, games }, message);
    },
  };
}

function lifecycleCounters(metrics: Metrics): LifecycleCounters {
  return {
    event: (label) => metrics.lifecycleEvents.inc({ event: label }),
    gap: () => metrics.lifecycleGaps.inc(),
  };
}
