/**
 * Markets Kalshi's REST reported as not `active` (closed, settled, not yet open): one leader term's memory,
 * shared by the fallback poller, first reads and reconciliation, so none of them polls such a market again
 * until its mapping changes. Bounded by the mapped markets (`retain`).
 */
export class InactiveMarkets {
  private readonly byTicker = new Map<string, string>();

  get size(): number {
    return this.byTicker.size;
  }

  has(ticker: string): boolean {
    return this.byTicker.has(ticker);
  }

  /** Records a market's status; true the first time (the caller then counts it and applies its final quote). */
  note(ticker: string, status: string): boolean {
    if (this.byTicker.has(ticker)) return false;
    this.byTicker.set(ticker, status);
    return true;
  }

  /** A market re-mapped (or unmapped) is read again as if new. */
  forget(tickers: Iterable<string>): void {
    for (const ticker of tickers) this.byTicker.delete(ticker);
  }

  /** Drops markets no longer mapped. */
  retain(mapped: ReadonlySet<string>): void {
    for (const ticker of this.byTicker.keys()) if (!mapped.has(ticker)) this.byTicker.delete(ticker);
  }

  /** Markets by status, for /status. */
  byStatus(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const status of this.byTicker.values()) counts[status] = (counts[status] ?? 0) + 1;
    return counts;
  }
}
