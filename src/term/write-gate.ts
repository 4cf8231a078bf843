import type { Logger } from 'pino';
import type { FencedWrites } from '../leader/fenced-writes';
import type { Lease } from '../leader/lease';
import type { Complaints } from '../observability/complaints';
import type { Metrics } from '../observability/metrics';
import type { GamePrices } from '../prices/types';
import type { PostgresWriter } from '../sinks/postgres-writer';
import type { RedisPublisher } from '../sinks/redis-publisher';
import type { LastFlush } from './term-status';

/** Where the flush loop writes a batch (Postgres, through the gate). Rejects when the batch must be queued again. */
export interface PriceStore {
  write(batch: readonly GamePrices[]): Promise<void>;
}

/** Where the publish loop sends a batch (Redis hash + PUBLISH, through the gate). Rejects when it must be queued again. */
export interface PriceChannel {
  publish(batch: readonly GamePrices[]): Promise<void>;
}

/** What the keep-alive reads of the book: every game, and its current prices. */
export interface BookView {
  gameIds(): Iterable<string>;
  current(gameId: string): GamePrices | undefined;
}

/**
 * A write the gate held back because the lease has lapsed (no renewal for 2/3 of the ttl) while the term may still
 * lead: the loop queues the batch again and retries it once a renewal succeeds (or the term is deposed). A hold, not
 * a store failure: the term logs it at warn, rate-limited (src/term/lease-holds.ts).
 */
export class LeaseLapsedError extends Error {
  readonly code = 'LEASE_LAPSED';
  constructor(lease: Lease) {
    super(`lease of term ${lease.term} not valid (no renewal for 2/3 of the ttl): write held back, batch kept`);
  }
}

export interface WriteGateParts {
  lease: Lease;
  /** Aborted the moment the lock is known lost: from then on the term writes nothing, even what is in flight to it. */
  deposed: AbortSignal;
  postgres: Pick<PostgresWriter, 'write'>;
  /** Where rows another writer held locked go back: queued under anything newer, for the next flush. */
  skippedRows: { requeue(games: readonly GamePrices[]): void };
  complaints: Pick<Complaints, 'report'>;
  /** Built with the fence (the lock's key and this term's value): its scripts refuse a deposed term's writes. */
  redis: Pick<RedisPublisher, 'publish' | 'touch'>;
  /** Games with a publish pending: the keep-alive only extends their hash (the publish writes it). */
  pendingPublish: { has(gameId: string): boolean };
  /** Where writes the fence refused are counted and logged (rate-limited). */
  fencedWrites: Pick<FencedWrites, 'refused'>;
  metrics: Pick<Metrics, 'flushDuration' | 'pricesPerFlush' | 'tickToPublish'>;
  log: Logger;
}

/**
 * The term's one way to the stores (docs/ARCHITECTURE.md, "Fencing"): the flush loop, the publish loop and the
 * keep-alive write only through it, and before every write it checks that the term has not been deposed and that
 * the lease is still valid (a monotonic check of the last renewal). A deposed term's write is dropped (resolves:
 * the batch is not wanted back); a write refused for an invalid lease rejects, so its batch stays queued (nothing
 * lost) and is retried if the lease comes back. Behind the gate the stores fence too: the flush carries the lease's
 * term (kalshi_fence), the Redis scripts the lock's value; a write they refuse is dropped, and counted in fencedWrites.
 */
export class WriteGate implements PriceStore, PriceChannel {
  private lastFlushValue: LastFlush | null = null;

  constructor(private readonly parts: WriteGateParts) {}

  get lastFlush(): LastFlush | null {
    return this.lastFlushValue;
  }

  /** True when a write would go through now. */
  get open(): boolean {
    return !this.parts.deposed.aborted && this.parts.lease.valid();
  }

  async write(batch: readonly GamePrices[]): Promise<void> {
    if (!this.admit()) return;
    const { postgres, metrics, log, lease } = this.parts;
    const started = process.hrtime.bigint();
    // The fencing token: the flush statement writes nothing when kalshi_fence holds a newer term.
    const { rowsWritten, skipped, fenced, notObject } = await postgres.write(batch, lease.term);
    for (const gameId of notObject) this.parts.complaints.report('frontend_data_not_object', { gameId });
    // Rows another writer holds locked were skipped: they wait for the next flush, under anything newer.
    if (skipped.length > 0) {
      this.parts.skippedRows.requeue(skipped);
      log.warn({ games: skipped.length }, 'rows locked by another transaction were skipped; they stay queued for the next flush');
    }
    if (fenced) log.warn({ games: batch.length, term: lease.term }, 'kalshi_fence holds a newer term: this term wrote nothing');
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    metrics.flushDuration.observe(ms / 1000);
    metrics.pricesPerFlush.observe(rowsWritten);
    this.lastFlushValue = { at: new Date().toISOString(), rows: rowsWritten, games: batch.length, ms: Math.round(ms * 10) / 10 };
    log.debug(this.lastFlushValue, 'flushed prices to Postgres');
  }

  async publish(batch: readonly GamePrices[]): Promise<void> {
    if (!this.admit()) return;
    const { fenced } = await this.parts.redis.publish(batch);
    // Refused by the lock check in the script: this term is over, the games are dropped (the lock's owner writes them).
    this.parts.fencedWrites.refused('redis', fenced, { term: this.parts.lease.term, what: 'publish' });
    const now = Date.now();
    for (const prices of batch) this.parts.metrics.tickToPublish.observe(Math.max(0, now - prices.tickTimeMs) / 1000);
  }

  /**
   * Keeps every game's price hash alive. A hash lost meanwhile (eviction, a flushed node) or differing from the book
   * (a deposed leader's late write, a write lost in a failover) is rewritten from the book's current prices; a game
   * with a publish pending is only extended (the publish writes it). Held back like any write while the lease is not
   * valid; a failed keep-alive waits for the next.
   */
  async keepAlive(book: BookView): Promise<void> {
    if (!this.open) return;
    const { redis, pendingPublish, fencedWrites, lease, log } = this.parts;
    const current = (gameId: string) => (pendingPublish.has(gameId) ? undefined : book.current(gameId));
    try {
      const { rebuilt, repaired, fenced } = await redis.touch([...book.gameIds()], current);
      if (rebuilt + repaired > 0) log.info({ rebuilt, repaired }, 'keep-alive rewrote price hashes that were missing or differed from the book');
      fencedWrites.refused('redis', fenced, { term: lease.term, what: 'keep-alive' });
    } catch (err) {
      log.debug({ err }, 'price hash keep-alive failed');
    }
  }

  /** false: deposed, drop the write; throws: the lease is not valid now, keep the batch; true: write. */
  private admit(): boolean {
    if (this.parts.deposed.aborted) return false;
    if (!this.parts.lease.valid()) throw new LeaseLapsedError(this.parts.lease);
    return true;
  }
}
