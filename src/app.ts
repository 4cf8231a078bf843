import type { Logger } from 'pino';
import type postgres from 'postgres';
import type { ReplaceableSql } from './db/replaceable-sql';
import { openPostgres, openPostgresWriter, openRedis, connectRedis, quitRedis } from './app/connections';
import { HealthChecks } from './app/health-checks';
import { shutdownBudget } from './app/shutdown-budget';
import { readiness } from './app/readiness';
import { statusBody } from './app/status';
import type { Config } from './config';
import { buildHttpServer } from './http/server';
import type { ReconnectPolicyOptions } from './kalshi/reconnect-policy';
import { KalshiRest } from './kalshi/rest-client';
import { LeaderLock } from './leader/leader-lock';
import { Leadership, type Role } from './leader/leadership';
import type { Lease } from './leader/lease';
import { releaseLock } from './leader/release-lock';
import { Complaints } from './observability/complaints';
import { HeapMonitor } from './observability/heap-monitor';
import { createMetrics } from './observability/metrics';
import { describeRedis, type RedisClient } from './redis/connect';
import { redisKeys } from './sinks/redis-keys';
import { LeaderTerm, type TermStopOutcome } from './term/leader-term';
import { NO_TERM, type TermStatus } from './term/term-status';
import { within } from './timing/within';

export interface AppOptions {
  config: Config;
  log: Logger;
  /** Tests shorten the reconnect delays; production uses the policy's defaults. */
  reconnect?: ReconnectPolicyOptions;
  /** Tests put a few markets on each Kalshi connection; production uses 500. */
  marketsPerConnection?: number;
}

/**
 * The process: what lives as long as it does (configuration, logger, metrics, Postgres pool, Redis connections,
 * the leadership loop, HTTP) and the current leader term, if this replica leads. Everything leader-only lives in
 * the term (src/term/leader-term.ts).
 */
export class App {
  readonly metrics = createMetrics(() => this.termStatus());
  private readonly config: Config;
  private readonly log: Logger;
  private readonly sql: postgres.Sql;
  /** The flushes' own connection (openPostgresWriter). */
  private readonly writerSql: ReplaceableSql;
  private readonly redis: RedisClient;
  private readonly lockRedis: RedisClient;
  private readonly complaints: Complaints;
  private readonly rest: KalshiRest;
  private readonly lock: LeaderLock;
  private readonly leadership: Leadership;
  private readonly health: HealthChecks;
  private readonly heapMonitor: HeapMonitor;
  private readonly http: ReturnType<typeof buildHttpServer>;
  /** Ends the process-long loops (health probes, heap monitor) at shutdown. */
  private readonly lifetime = new AbortController();
  private term: LeaderTerm | undefined;
  private stopping: Promise<TermStopOutcome> | undefined;
  private stage = 'not started';

  constructor(private readonly options: AppOptions) {
    const { config, log } = options;
    this.config = config;
    this.log = log;
    this.complaints = new Complaints(log, this.metrics.invalidMessages);
    this.sql = openPostgres(config);
    this.writerSql = openPostgresWriter(config);
    ({ redis: this.redis, lockRedis: this.lockRedis } = openRedis(config, log, () => this.stopping !== undefined));
    // One paced client for the process: every term's REST shares KALSHI_REST_RATE_PER_S.
    this.rest = new KalshiRest({ baseUrl: config.kalshi.restUrl, ratePerS: config.restRatePerS });
    this.health = new HealthChecks(this.sql, this.lockRedis, describeRedis(config.redis));
    this.heapMonitor = new HeapMonitor({
      log: log.child({ component: 'memory' }),
      shed: () => {
        this.complaints.clear();
        (globalThis as { gc?: () => void }).gc?.();
      },
    });
    this.lock = new LeaderLock(this.lockRedis, redisKeys(config.redisKeyPrefix).leader, config.workerId, config.leaderLockTtlMs);
    this.leadership = new Leadership({
      lock: this.lock,
      ttlMs: config.leaderLockTtlMs,
      retryMs: config.leaderRetryMs,
      log: log.child({ component: 'leadership' }),
      onElected: () => this.beginTerm(),
      onDeposed: () => this.endTerm(),
    });
    this.http = buildHttpServer({
      log,
      metrics: () => this.metrics.registry.metrics(),
      contentType: this.metrics.registry.contentType,
      readiness: () => readiness(this.leadership.role, this.termStatus(), this.health.current),
      status: () => statusBody(this.leadership.role, config.workerId, config.kalshi.wsEnabled, this.termStatus()),
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

  /** HTTP first (so /healthz answers at once), then Redis, then the leadership loop. */
  async start(): Promise<void> {
    const { config, log } = this;
    await this.http.listen({ port: config.http.port, host: config.http.host });
    log.info({ address: this.address, workerId: config.workerId, wsEnabled: config.kalshi.wsEnabled }, 'kalshi-ingestor listening');
    await Promise.all([connectRedis(this.redis, config, log), connectRedis(this.lockRedis, config, log)]);
    void this.health.run(this.lifetime.signal);
    void this.heapMonitor.run(this.lifetime.signal);
    this.leadership.start();
  }

  /**
   * Shutdown (DESIGN "Signals and exit codes"), every stage bounded so the whole fits SHUTDOWN_TIMEOUT_MS:
   * leadership loop off (a lock it takes now is released) → the term stops its inputs and aborts REST → last
   * flush and publish while the lock is still ours → release the lock → close HTTP and connections.
   * `flushed: false` means the last flush did not finish in its share of the time: the caller exits 1.
   */
  stop(): Promise<TermStopOutcome> {
    this.stopping ??= this.shutDown();
    return this.stopping;
  }

  /** What shutdown is waiting on, and what is still queued. */
  shutdownProgress(): Record<string, unknown> {
    const { queues } = this.termStatus();
    const stage = this.stage === 'ending the leader term' && this.term !== undefined ? this.term.stage : this.stage;
    return { stage, unflushedGames: queues.postgres, unpublishedGames: queues.redis };
  }

  private async shutDown(): Promise<TermStopOutcome> {
    const { config, log } = this;
    log.info('shutting down');
    const { flushDeadline, releaseDeadline } = shutdownBudget(config.shutdownTimeoutMs);
    this.stage = 'stopping the leadership loop';
    await within(this.leadership.stop(), flushDeadline - Date.now());
    let outcome: TermStopOutcome = { flushed: true, unflushedGames: 0, unpublishedGames: 0 };
    const term = this.term;
    if (term !== undefined) {
      const lockStillOurs = this.leadership.holdsLock();
      this.stage = 'ending the leader term';
      outcome = await term.stop({ lockStillOurs, flushDeadline });
      if (!outcome.flushed) {
        log.error({ stage: term.stage, timeoutMs: config.shutdownTimeoutMs, ...outcome }, 'shutdown overran SHUTDOWN_TIMEOUT_MS in the last flush: releasing the lock and exiting 1');
      }
      this.term = undefined;
      this.stage = 'releasing the leader lock';
      if (lockStillOurs) await releaseLock(this.lock, releaseDeadline, log);
    }
    this.lifetime.abort();
    this.stage = 'closing HTTP';
    await this.http.close();
    this.stage = 'closing the Postgres and Redis connections';
    await Promise.allSettled([this.sql.end({ timeout: 1 }), this.writerSql.end({ timeout: 1 }), quitRedis(this.redis), quitRedis(this.lockRedis)]);
    this.stage = 'done';
    log.info('stopped');
    return outcome;
  }

  private beginTerm(): void {
    if (this.stopping !== undefined) return;
    const { config, log, metrics, complaints, sql, writerSql, redis, rest } = this;
    const keys = redisKeys(config.redisKeyPrefix);
    const { leadership } = this;
    // Until the fencing term comes from kalshi:websocket:term: term 0, this replica's lock value, and the
    // leadership loop's own check that the last renewal is younger than 2/3 of the ttl.
    const lease: Lease = { term: 0, lockValue: this.lock.owner, valid: () => leadership.holdsLock() };
    this.term = new LeaderTerm({ config, log, metrics, complaints, sql, writerSql, redis, keys, rest, lease, reconnect: this.options.reconnect, marketsPerConnection: this.options.marketsPerConnection });
    this.term.start();
  }

  /** The lock is lost: the term stops at once and writes nothing more. */
  private async endTerm(): Promise<void> {
    const term = this.term;
    if (term === undefined) return;
    await term.stop({ lockStillOurs: false });
    if (this.term === term) this.term = undefined;
  }

  private termStatus(): TermStatus {
    return this.term?.status() ?? NO_TERM;
  }
}
