import type { LatestByGame } from '../prices/latest-by-game';
import type { GamePrices } from '../prices/types';

export interface PublishLoopOptions {
  queue: LatestByGame;
  /** Coalescing window; 0 publishes at once (a burst queued in the same turn of the event loop goes together). */
  intervalMs: number;
  publish: (batch: readonly GamePrices[]) => Promise<void>;
  onFailure: (error: unknown, batchSize: number) => void;
  /** Delay before retrying after a failure, by consecutive failure count. */
  retryDelayMs?: (failures: number) => number;
}

const defaultRetryDelay = (failures: number): number => Math.min(100 * 2 ** (failures - 1), 5000);

/**
 * Publishes the per-game queue in coalesced batches, one batch in flight at a time so messages of a
 * game leave in order. A failed batch goes back under newer entries and is retried with backoff.
 */
export class PublishLoop {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private running = false;
  private failures = 0;
  private readonly retryDelay: (failures: number) => number;

  constructor(private readonly options: PublishLoopOptions) {
    this.retryDelay = options.retryDelayMs ?? defaultRetryDelay;
  }

  start(): void {
    this.running = true;
    if (this.options.queue.size > 0) this.arm(this.options.intervalMs);
  }

  stop(): void {
    this.running = false;
    this.disarm();
  }

  /** Call after a put. */
  notifyQueued(): void {
    if (this.running && this.timer === undefined && this.inFlight === undefined) this.arm(this.options.intervalMs);
  }

  /** Publishes everything queued now, after any batch in flight. */
  async flush(): Promise<void> {
    while (this.inFlight !== undefined) await this.inFlight;
    this.disarm();
    await this.publishQueued();
  }

  private arm(delayMs: number): void {
    const run = () => {
      this.timer = undefined;
      void this.publishQueued().then(() => {
        if (this.running && this.options.queue.size > 0 && this.timer === undefined) {
          this.arm(this.failures > 0 ? this.retryDelay(this.failures) : this.options.intervalMs);
        }
      });
    };
    // A zero delay still waits for the current turn of the event loop, so a burst goes as one batch.
    this.timer = setTimeout(run, delayMs);
  }

  private disarm(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async publishQueued(): Promise<void> {
    const batch = this.options.queue.drain();
    if (batch.length === 0) return;
    this.inFlight = this.options.publish(batch).then(
      () => {
        this.failures = 0;
      },
      (error: unknown) => {
        this.failures += 1;
        this.options.queue.requeue(batch);
        this.options.onFailure(error, batch.length);
      },
    );
    try {
      await this.inFlight;
    } finally {
      this.inFlight = undefined;
    }
  }
}
