import type { LatestByGame } from '../prices/latest-by-game';
import type { GamePrices } from '../prices/types';
import type { QueueWatcher } from './price-pipeline';
import { Wakeup } from '../timing/wakeup';
import { delayToNextSlot } from './flush-schedule';

/** Where a loop writes (the term's write gate); a rejection puts the batch back in the queue. */
export interface BatchSink {
  write(batch: readonly GamePrices[]): Promise<void>;
}

/** Told of each failed batch (the term counts it and logs it). */
export interface FailureReport {
  failed(error: unknown, games: number): void;
}

export interface FlushLoopOptions {
  queue: LatestByGame;
  intervalMs: number;
  offsetMs: number;
  maxQueueSize: number;
  store: BatchSink;
  failures: FailureReport;
  now?: () => number;
  /** Delay before retrying after a failure, by consecutive failure count (default: 100 ms doubling, at most 1 s or the interval). */
  retryDelayMs?: (failures: number) => number;
}

/** After an outage, the queue must reach the store within one period plus a second of it answering again. */
const MAX_RETRY_DELAY_MS = 1000;

/**
 * Drains the price queue into its store at wall-clock aligned times, never two at once, early when the queue
 * reaches its limit. A failed batch goes back under newer entries and is retried on its own short backoff (not at
 * the next slot), so that the queue is written within a second of the store answering again; the first success
 * returns the loop to the slots. `run(signal)` is the loop: its timer goes when the signal aborts.
 */
export class FlushLoop implements QueueWatcher {
  private inFlight: Promise<void> | undefined;
  private failures = 0;
  private readonly wakeup = new Wakeup();
  private readonly now: () => number;
  private readonly retryDelay: (failures: number) => number;

  constructor(private readonly options: FlushLoopOptions) {
    this.now = options.now ?? Date.now;
    const cap = Math.min(MAX_RETRY_DELAY_MS, options.intervalMs);
    this.retryDelay = options.retryDelayMs ?? ((failures) => Math.min(100 * 2 ** (failures - 1), cap));
  }

  /** Flushes at every slot (or on the backoff while failing) until the signal aborts; an in-flight flush finishes. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const { intervalMs, offsetMs } = this.options;
      const delay = this.failures > 0 ? this.retryDelay(this.failures) : delayToNextSlot(this.now(), intervalMs, offsetMs);
      await this.wakeup.wait(signal, delay);
      if (signal.aborted) return;
      await this.flush();
    }
  }

  /** After a put: forces an early flush at MAX_QUEUE_SIZE (unless the store is failing: the backoff decides then). */
  queued(): void {
    if (this.failures === 0 && this.inFlight === undefined && this.options.queue.size >= this.options.maxQueueSize) this.wakeup.wake();
  }

  /** Flushes now, after any flush in flight; resolves when the queue's content at call time is written or requeued. */
  async flush(): Promise<void> {
    while (this.inFlight !== undefined) await this.inFlight;
    const batch = this.options.queue.drain();
    if (batch.length === 0) return;
    this.inFlight = this.writeBatch(batch);
    try {
      await this.inFlight;
    } finally {
      this.inFlight = undefined;
    }
  }

  get busy(): boolean {
    return this.inFlight !== undefined;
  }

  private async writeBatch(batch: GamePrices[]): Promise<void> {
    try {
      await this.options.store.write(batch);
      this.failures = 0;
    } catch (error) {
      this.failures += 1;
      this.options.queue.requeue(batch);
      this.options.failures.failed(error, batch.length);
    }
  }
}
