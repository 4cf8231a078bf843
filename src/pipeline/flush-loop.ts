import type { LatestByGame } from '../prices/latest-by-game';
import type { GamePrices } from '../prices/types';
import { delayToNextSlot } from './flush-schedule';

export interface FlushLoopOptions {
  queue: LatestByGame;
  intervalMs: number;
  offsetMs: number;
  maxQueueSize: number;
  write: (batch: readonly GamePrices[]) => Promise<void>;
  onFailure: (error: unknown, batchSize: number) => void;
  now?: () => number;
  /** Delay before retrying after a failure, by consecutive failure count (default: 100 ms doubling, at most 1 s or the interval). */
  retryDelayMs?: (failures: number) => number;
}

/** After an outage, the queue must reach the store within one period plus a second of it answering again. */
const MAX_RETRY_DELAY_MS = 1000;

/**
 * Drains the price queue into its sink at wall-clock aligned times, never two at once, early when
 * the queue reaches its limit. A failed batch goes back under newer entries and is retried on its own short
 * backoff (not at the next slot), so that the queue is written within a second of the sink answering again;
 * the first success returns the loop to the slots.
 */
export class FlushLoop {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private running = false;
  private failures = 0;
  private readonly now: () => number;
  private readonly retryDelay: (failures: number) => number;

  constructor(private readonly options: FlushLoopOptions) {
    this.now = options.now ?? Date.now;
    const cap = Math.min(MAX_RETRY_DELAY_MS, options.intervalMs);
    this.retryDelay = options.retryDelayMs ?? ((failures) => Math.min(100 * 2 ** (failures - 1), cap));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  /** Stops the timer; an in-flight flush finishes. */
  stop(): void {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Call after a put: forces an early flush at MAX_QUEUE_SIZE (unless the sink is failing). */
  notifyQueued(): void {
    if (this.running && this.failures === 0 && this.inFlight === undefined && this.options.queue.size >= this.options.maxQueueSize) {
      void this.flush().then(() => {
        // A failed early flush is retried on the backoff, not at the slot the timer waits for.
        if (this.failures > 0 && this.running && this.timer !== undefined) {
          clearTimeout(this.timer);
          this.schedule();
        }
      });
    }
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
      await this.options.write(batch);
      this.failures = 0;
    } catch (error) {
      this.failures += 1;
      this.options.queue.requeue(batch);
      this.options.onFailure(error, batch.length);
    }
  }

  private schedule(): void {
    if (!this.running) return;
    const delay =
      this.failures > 0 ? this.retryDelay(this.failures) : delayToNextSlot(this.now(), this.options.intervalMs, this.options.offsetMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush().finally(() => this.schedule());
    }, delay);
  }
}
