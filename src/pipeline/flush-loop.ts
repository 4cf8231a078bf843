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
}

/**
 * Drains the price queue into its sink at wall-clock aligned times, never two at once, early when
 * the queue reaches its limit. A failed batch goes back under newer entries for the next slot.
 */
export class FlushLoop {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private running = false;
  private lastFailed = false;
  private readonly now: () => number;

  constructor(private readonly options: FlushLoopOptions) {
    this.now = options.now ?? Date.now;
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
    if (this.running && !this.lastFailed && this.inFlight === undefined && this.options.queue.size >= this.options.maxQueueSize) {
      void this.flush();
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
      this.lastFailed = false;
    } catch (error) {
      this.lastFailed = true;
      this.options.queue.requeue(batch);
      this.options.onFailure(error, batch.length);
    }
  }

  private schedule(): void {
    if (!this.running) return;
    const delay = delayToNextSlot(this.now(), this.options.intervalMs, this.options.offsetMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush().finally(() => this.schedule());
    }, delay);
  }
}
