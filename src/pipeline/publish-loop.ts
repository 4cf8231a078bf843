import type { LatestByGame } from '../prices/latest-by-game';
import type { GamePrices } from '../prices/types';
import type { FailureReport } from './flush-loop';

/** Where the loop publishes (the term's write gate); a rejection puts the batch back and retries it. */
export interface BatchChannel {
  publish(batch: readonly GamePrices[]): Promise<void>;
}

/** Until run(): nothing is sent and no timer is set. */
const NOT_RUNNING = AbortSignal.abort();

export interface PublishLoopOptions {
  queue: LatestByGame;
  /** A game publishes at most once per this window (ms); 0 publishes every change at once. */
  intervalMs: number;
  channel: BatchChannel;
  failures: FailureReport;
  /** Delay before retrying after a failure, by consecutive failure count. */
  retryDelayMs?: (failures: number) => number;
  /** A monotonic clock in ms (default performance.now): windows must not stretch or shrink when the wall clock is set. */
  now?: () => number;
  /**
   * Window ends are rounded up to a multiple of this (ms; default intervalMs / 20, between 1 and 5): games whose
   * windows end within one grain leave in one batch instead of one timer and one pipeline each, at the cost of
   * windows up to a grain longer (never shorter).
   */
  windowGrainMs?: number;
}

const defaultRetryDelay = (failures: number): number => Math.min(100 * 2 ** (failures - 1), 5000);

/**
 * Publishes the per-game queue with a leading-edge throttle per game (docs/CONTRACT.md "Configuration", PUBLISH_INTERVAL_MS):
 * - a game quiet for a window (no publish in the last `intervalMs`) publishes at once: every such game that changed in
 *   this turn of the event loop goes in one batch at its end (setImmediate), so a quiet game's tick waits for nothing;
 * - a publish opens the game's window; changes inside it coalesce in the queue to the newest state, which leaves when
 *   the window ends (and opens the next window), so no game publishes more than once per window;
 * - one batch is in flight at a time, so a game's states leave in order; a failed batch goes back under newer entries
 *   and is retried with backoff, nothing newer is ever overwritten.
 *
 * Window ends are kept in a FIFO: every window has the same length (rounded up to a grain) and opens at a
 * non-decreasing clock reading, so they end in the order they opened and one timer (for the oldest) serves all games. A game's stale FIFO entry (its
 * window was reopened or cancelled) is recognised by its end time and skipped.
 *
 * `run(signal)` is the loop's life: timers are set only while it runs and cleared when the signal aborts.
 */
export class PublishLoop {
  /** The signal of the run in progress (aborted before run() and after it). */
  private signal: AbortSignal = NOT_RUNNING;
  private failures = 0;
  private backingOff = false;
  private inFlight: Promise<void> | undefined;
  /**
   * Games that may publish at the next send: quiet when they entered the queue, or their window ended with a change
   * pending, or their publish failed. A game may be listed twice or have no entry any more: the send skips it then.
   */
  private due: string[] = [];
  private immediate: NodeJS.Immediate | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Games inside their window, and when it ends. */
  private readonly windowEnds = new Map<string, number>();
  private fifoIds: string[] = [];
  private fifoEnds: number[] = [];
  private fifoHead = 0;
  private windowTimer: NodeJS.Timeout | undefined;
  private windowTimerAt = Infinity;
  private readonly retryDelay: (failures: number) => number;
  private readonly now: () => number;
  private readonly grain: number;

  constructor(private readonly options: PublishLoopOptions) {
    if (!Number.isFinite(options.intervalMs) || options.intervalMs < 0) {
      throw new RangeError(`intervalMs must be a finite number >= 0, got ${options.intervalMs}`);
    }
    this.retryDelay = options.retryDelayMs ?? defaultRetryDelay;
    // The global performance (not node:perf_hooks' export), so fake timers in tests move it with the timers.
    this.now = options.now ?? (() => performance.now());
    this.grain = options.windowGrainMs ?? Math.max(1, Math.min(5, Math.floor(options.intervalMs / 20)));
    if (!(this.grain > 0)) throw new RangeError(`windowGrainMs must be > 0, got ${this.grain}`);
    const { queue } = options;
    queue.onEntry = (gameId) => this.entered(gameId);
    queue.onUrgent = (gameId) => this.expedite(gameId);
    // Entries put before the hook existed are quiet games' changes.
    const already = queue.drain();
    queue.requeue(already);
    for (const prices of already) this.due.push(prices.gameId);
  }

  /**
   * Publishes until the signal aborts, then clears its timers (a batch in flight finishes; the queue and the windows
   * stay as they are, for a last flush()). The loop learns of every game entering the queue from the queue itself
   * (LatestByGame.onEntry).
   */
  async run(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    this.signal = signal;
    try {
      this.armWindowTimer();
      this.scheduleSend();
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    } finally {
      this.signal = NOT_RUNNING;
      this.backingOff = false;
      if (this.immediate !== undefined) clearImmediate(this.immediate);
      if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
      if (this.windowTimer !== undefined) clearTimeout(this.windowTimer);
      this.immediate = this.retryTimer = this.windowTimer = undefined;
      this.windowTimerAt = Infinity;
    }
  }

  /** Publishes everything queued now, windows or not (shutdown), after any batch in flight. */
  async flush(): Promise<void> {
    while (this.inFlight !== undefined) await this.inFlight;
    const batch = this.options.queue.drain();
    if (batch.length === 0) return;
    this.openWindows(batch);
    await this.send(batch);
  }

  /** Games waiting: in the queue (the same number as `queue.size`). */
  get pending(): number {
    return this.options.queue.size;
  }

  private entered(gameId: string): void {
    // Inside its window the change waits in the queue (coalescing) until the window ends.
    if (this.windowEnds.has(gameId)) return;
    this.due.push(gameId);
    this.scheduleSend();
  }

  /**
   * A status change is not held by PUBLISH_INTERVAL_MS: the game's window ends now (its FIFO entry, no longer
   * matching, is skipped) and it leaves with the next send, after any batch in flight (states stay in order).
   */
  private expedite(gameId: string): void {
    this.windowEnds.delete(gameId);
    this.due.push(gameId);
    this.scheduleSend();
  }

  private scheduleSend(): void {
    if (this.signal.aborted || this.immediate !== undefined || this.inFlight !== undefined || this.backingOff) return;
    if (this.due.length === 0) return;
    this.immediate = setImmediate(this.onImmediate);
  }

  private readonly onImmediate = (): void => {
    this.immediate = undefined;
    this.sendDue();
  };

  private sendDue(): void {
    if (this.signal.aborted || this.inFlight !== undefined || this.backingOff || this.due.length === 0) return;
    const ids = this.due;
    this.due = [];
    const { queue } = this.options;
    const batch: GamePrices[] = [];
    for (const id of ids) {
      // A game inside a window (reopened by flush()) is the window timer's; a duplicate finds no entry.
      if (this.windowEnds.has(id)) continue;
      const prices = queue.take(id);
      if (prices !== undefined) batch.push(prices);
    }
    if (batch.length === 0) return;
    this.openWindows(batch);
    void this.send(batch);
  }

  private async send(batch: GamePrices[]): Promise<void> {
    const flight = this.publishBatch(batch);
    this.inFlight = flight;
    await flight;
    this.inFlight = undefined;
    // Whatever became due meanwhile has waited for this batch already: it goes now.
    if (!this.signal.aborted && this.due.length > 0) this.sendDue();
  }

  private async publishBatch(batch: GamePrices[]): Promise<void> {
    try {
      await this.options.channel.publish(batch);
      this.failures = 0;
    } catch (error) {
      this.failures += 1;
      this.options.queue.requeue(batch);
      // Not published: no window; each game is due again (with whatever newer state arrived meanwhile).
      for (const prices of batch) {
        this.windowEnds.delete(prices.gameId);
        this.due.push(prices.gameId);
      }
      this.options.failures.failed(error, batch.length);
      this.backOff();
    }
  }

  private backOff(): void {
    if (this.signal.aborted) return;
    this.backingOff = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.backingOff = false;
      this.sendDue();
    }, this.retryDelay(this.failures));
  }

  private openWindows(batch: readonly GamePrices[]): void {
    const { intervalMs } = this.options;
    if (intervalMs === 0) return;
    const end = Math.ceil((this.now() + intervalMs) / this.grain) * this.grain;
    for (const prices of batch) {
      this.windowEnds.set(prices.gameId, end);
      this.fifoIds.push(prices.gameId);
      this.fifoEnds.push(end);
    }
    this.armWindowTimer();
  }

  /** Arms the one timer for the oldest live window end, skipping stale FIFO entries. */
  private armWindowTimer(): void {
    if (this.signal.aborted) return;
    const ids = this.fifoIds;
    const ends = this.fifoEnds;
    let head = this.fifoHead;
    while (head < ids.length && this.windowEnds.get(ids[head]) !== ends[head]) head++;
    this.fifoHead = head;
    this.compactFifo();
    if (this.fifoHead >= this.fifoIds.length) return;
    const at = this.fifoEnds[this.fifoHead];
    if (this.windowTimer !== undefined) {
      if (this.windowTimerAt <= at) return;
      clearTimeout(this.windowTimer);
    }
    this.windowTimerAt = at;
    this.windowTimer = setTimeout(this.onWindowTimer, Math.max(0, Math.ceil(at - this.now())));
  }

  private readonly onWindowTimer = (): void => {
    this.windowTimer = undefined;
    this.windowTimerAt = Infinity;
    const now = this.now();
    const { queue } = this.options;
    const ids = this.fifoIds;
    const ends = this.fifoEnds;
    let head = this.fifoHead;
    // Never early: a timer may fire a fraction of a ms before the clock reading it was set for.
    while (head < ids.length && (ends[head]) <= now) {
      const id = ids[head];
      const end = ends[head];
      head++;
      if (this.windowEnds.get(id) !== end) continue;
      this.windowEnds.delete(id);
      if (queue.has(id)) this.due.push(id);
    }
    this.fifoHead = head;
    this.sendDue();
    this.armWindowTimer();
  };

  private compactFifo(): void {
    const head = this.fifoHead;
    if (head === 0) return;
    if (head >= this.fifoIds.length) {
      this.fifoIds = [];
      this.fifoEnds = [];
      this.fifoHead = 0;
    } else if (head > 1024 && head * 2 > this.fifoIds.length) {
      this.fifoIds = this.fifoIds.slice(head);
      this.fifoEnds = this.fifoEnds.slice(head);
      this.fifoHead = 0;
    }
  }
}
