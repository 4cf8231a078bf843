import type { Logger } from 'pino';
import type { DropReason } from './drop-reasons';

export interface ComplaintCounter {
  inc(labels: { reason: string }): void;
}

/**
 * Bad input is dropped, counted by reason, and logged at most once per reason per window with the
 * number seen since, so a flood of garbage cannot fill a disk.
 */
export class Complaints {
  private readonly windows = new Map<DropReason, { loggedAt: number; suppressed: number }>();

  constructor(
    private readonly log: Logger,
    private readonly counter: ComplaintCounter,
    private readonly windowMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Drops the per-reason log windows (memory pressure); counting is unaffected. */
  clear(): void {
    this.windows.clear();
  }

  /** Counts only: for problems whose owner logs them its own way. */
  count(reason: DropReason): void {
    this.counter.inc({ reason });
  }

  report(reason: DropReason, detail?: Record<string, unknown>): void {
    this.counter.inc({ reason });
    const at = this.now();
    const window = this.windows.get(reason);
    if (window !== undefined && at - window.loggedAt < this.windowMs) {
      window.suppressed += 1;
      return;
    }
    const suppressed = window?.suppressed ?? 0;
    this.windows.set(reason, { loggedAt: at, suppressed: 0 });
    this.log.warn({ reason, ...detail, droppedSinceLastLog: suppressed }, `dropped invalid input: ${reason}`);
  }
}
