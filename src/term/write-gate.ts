import type { Logger } from 'pino';
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

/** A write the gate refused while the term may still lead: the loop queues the batch again and retries it. */
export class LeaseNotValidError extends Error {
  readonly code = 'LEASE_NOT_VALID';
  constructor(lease: Lease) {
    super(`lease of term ${lease.term} not valid (no renewal for 2/3 of the ttl): write refused, batch kept`);
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
  redis: Pick<RedisPublisher, 'publish' | 'touch'>;
  metrics: Pick<Metrics, 'flushDuration' | 'pricesPerFlush' | 'tickToPublish'>;
  log: Logger;
}

/**
 * The term's one way to the stores (docs/ARCHITECTURE.md, "Fencing"): the flush loop, the publish loop and the
 * keep-alive write only through it, and before every write it checks that the term has not been deposed and that
 * the lease is still valid (a monotonic check of the last renewal). A deposed term's write is dropped (resolves:
 * the batch is not wanted back); a write refused for an invalid lease rejects, so its batch stays queued (nothing
 * lost) and is retried if the lease comes back.
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
    await this.parts.redis.publish(batch);
    const now = Date.now();
    for (const prices of batch) this.parts.metrics.tickToPublish.observe(Math.max(0, now - prices.tickTimeMs) / 1000);
  }

  /** Keeps every game's price hash alive, rebuilding a lost one from the book; a refused keep-alive waits for the next. */
  async keepAlive(book: BookView): Promise<void> {
    if (!this.open) return;
    await this.parts.redis.touch([...book.gameIds()], (gameId) => book.current(gameId)).catch((err: unknown) => {
      this.parts.log.debug({ err }, 'price hash keep-alive failed');
    });
  }

  /** false: deposed, drop the write; throws: the lease is not valid now, keep the batch; true: write. */
  private admit(): boolean {
    if (this.parts.deposed.aborted) return false;
    if (!this.parts.lease.valid()) throw new LeaseNotValidError(this.parts.lease);
    return true;
  }
}
