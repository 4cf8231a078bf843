import type { Logger } from 'pino';

export type FencedStore = 'redis';

/**
 * Writes the stores refused because this replica no longer holds the lock (DESIGN "Fencing"): counted for the
 * process (/status `fence.refusedWrites`) and logged at most once per window with the number seen since, so a deposed
 * term's last batches cannot flood the log. A refused write is dropped, never retried: its term is over.
 */
export class FencedWrites {
  private total = 0;
  private loggedAt = Number.NEGATIVE_INFINITY;
  private suppressed = 0;

  constructor(
    private readonly log: Logger,
    private readonly windowMs = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get count(): number {
    return this.total;
  }

  refused(store: FencedStore, games: number, detail: { term: number; what: string }): void {
    if (games <= 0) return;
    this.total += games;
    const at = this.now();
    if (at - this.loggedAt < this.windowMs) {
      this.suppressed += games;
      return;
    }
    this.log.warn(
      { store, games, ...detail, refusedSinceLastLog: this.suppressed, refusedTotal: this.total },
      'write refused by the fence: the leader lock no longer holds this term\'s value; dropped',
    );
    this.loggedAt = at;
    this.suppressed = 0;
  }
}
