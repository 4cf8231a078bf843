import type { Logger } from 'pino';

/**
 * Writes held back because the lease lapsed (src/term/write-gate.ts LeaseLapsedError): not a store failure but the
 * fence working, so logged at warn, at most once per window with the number held since, while the loops retry on
 * their backoff until a renewal succeeds or the term is deposed.
 */
export class LeaseHolds {
  private loggedAt = Number.NEGATIVE_INFINITY;
  private heldSince = 0;

  constructor(
    private readonly log: Logger,
    private readonly windowMs = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  held(store: 'postgres' | 'redis', games: number, error: Error & { code: string }): void {
    this.heldSince += 1;
    const at = this.now();
    if (at - this.loggedAt < this.windowMs) return;
    this.log.warn(
      { store, games, code: error.code, heldSinceLastLog: this.heldSince },
      'lease lapsed (no lock renewal for 2/3 of the ttl): writes held back and kept queued until a renewal succeeds',
    );
    this.loggedAt = at;
    this.heldSince = 0;
  }
}
