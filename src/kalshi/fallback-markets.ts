/** What the socket side tells of one market: subscribed (or refused and awaiting its retry) on an open connection. */
export interface SocketCoverage {
  serves(ticker: string): boolean;
}

/** The markets in REST fallback now: read by the poller (what to poll), the book (who REST may feed) and status. */
export interface FallbackView {
  readonly size: number;
  has(ticker: string): boolean;
  tickers(): string[];
  /** When the market entered fallback (undefined: it is not in fallback). */
  enteredAt(ticker: string): number | undefined;
}

/** The mapped markets, as the mapper holds them. */
export interface MarketKeys {
  has(ticker: string): boolean;
  keys(): Iterable<string>;
}

export interface FallbackChange {
  entered: string[];
  left: string[];
}

/**
 * Fallback per market, never for the whole book (docs/ARCHITECTURE.md, "Fallback and repair"): a mapped market the
 * socket has not served for `afterMs` (its connection down, or its subscription not converged: error 27 backoff, a
 * command in flight) is in fallback until the socket serves it again. Markets ticking on a healthy connection never
 * are. With no socket at all (KALSHI_WS_ENABLED=false) `afterMs` is 0 and every mapped market is in fallback.
 * The one place "fallback active" is kept: the poller, the book and the gauges all read this.
 */
export class FallbackMarkets implements FallbackView {
  /** Mapped markets the socket does not serve, since when (local clock). */
  private readonly unservedSince = new Map<string, number>();
  /** Markets in fallback, since when. */
  private readonly inFallback = new Map<string, number>();

  constructor(private readonly afterMs: number) {}

  get size(): number {
    return this.inFallback.size;
  }

  /** Mapped markets the socket does not serve that have not been unserved long enough for fallback yet. */
  get waiting(): number {
    return this.unservedSince.size - this.inFallback.size;
  }

  has(ticker: string): boolean {
    return this.inFallback.has(ticker);
  }

  tickers(): string[] {
    return [...this.inFallback.keys()];
  }

  enteredAt(ticker: string): number | undefined {
    return this.inFallback.get(ticker);
  }

  /** Looks at every mapped market once; returns the markets that entered and left fallback. */
  update(mapped: MarketKeys, socket: SocketCoverage, now: number): FallbackChange {
    const entered: string[] = [];
    const left: string[] = [];
    for (const ticker of mapped.keys()) {
      if (socket.serves(ticker)) {
        this.unservedSince.delete(ticker);
        if (this.inFallback.delete(ticker)) left.push(ticker);
        continue;
      }
      let since = this.unservedSince.get(ticker);
      if (since === undefined) this.unservedSince.set(ticker, (since = now));
      if (now - since >= this.afterMs && !this.inFallback.has(ticker)) {
        this.inFallback.set(ticker, now);
        entered.push(ticker);
      }
    }
    // Bounded by the mapped markets: an unmapped market is forgotten.
    for (const ticker of this.unservedSince.keys()) {
      if (mapped.has(ticker)) continue;
      this.unservedSince.delete(ticker);
      if (this.inFallback.delete(ticker)) left.push(ticker);
    }
    return { entered, left };
  }
}
