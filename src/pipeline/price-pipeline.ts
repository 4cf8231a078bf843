import type { MarketMapDiff } from '../mapping/market-map';
import { GameBook } from '../prices/game-book';
import { LatestByGame } from '../prices/latest-by-game';
import type { GamePrices, MarketQuote } from '../prices/types';

export interface PricePipelineEvents {
  /** A game's prices changed: both queues hold the new state. */
  onQueued(): void;
  onUnmapped(ticker: string): void;
  onRefused(reason: string, detail: Record<string, unknown>): void;
}

/**
 * Quotes in, one state per game out into the two queues (Postgres, Redis). Knows nothing of
 * sockets or databases; `app.ts` feeds it and drains its queues.
 */
export class PricePipeline {
  readonly book = new GameBook();
  readonly flushQueue = new LatestByGame();
  readonly publishQueue = new LatestByGame();
  private lastQuoteAt = 0;

  constructor(private readonly events: PricePipelineEvents) {}

  get lastQuoteAtMs(): number {
    return this.lastQuoteAt;
  }

  /** The hot path: one call per ticker message. */
  applyQuote(quote: MarketQuote, receivedAtMs: number): void {
    this.lastQuoteAt = receivedAtMs;
    const outcome = this.book.apply(quote);
    if (outcome.kind === 'updated') {
      this.enqueue(outcome.prices);
      this.events.onQueued();
    } else if (outcome.kind === 'unmapped') {
      this.events.onUnmapped(quote.ticker);
    }
  }

  /**
   * A first price for markets just subscribed, read from REST. Stamped with its receive time, it
   * must not replace a tick the socket already delivered, so it only fills markets without a quote.
   */
  applyInitialQuotes(quotes: readonly MarketQuote[], receivedAtMs: number): void {
    for (const quote of quotes) {
      if (!this.book.hasQuote(quote.ticker)) this.applyQuote(quote, receivedAtMs);
    }
  }

  applyMapping(diff: MarketMapDiff): void {
    for (const market of diff.removed) this.book.removeMarket(market.ticker);
    for (const market of diff.added) {
      if (!this.book.addMarket(market)) {
        this.events.onRefused('duplicate_side', { ticker: market.ticker, gameId: market.gameId, side: market.side });
      }
    }
    // A game whose mapping changed (a market gone, a side now complemented) publishes its new state.
    const touched = new Set<string>();
    for (const market of [...diff.removed, ...diff.added]) touched.add(market.gameId);
    let queued = false;
    for (const gameId of touched) {
      const prices = this.book.current(gameId);
      if (prices === undefined) continue;
      this.enqueue(prices);
      queued = true;
    }
    if (queued) this.events.onQueued();
  }

  /** Forget everything (this replica stopped leading). */
  reset(): void {
    for (const ticker of [...this.book.tickers()]) this.book.removeMarket(ticker);
    this.flushQueue.clear();
    this.publishQueue.clear();
  }

  private enqueue(prices: GamePrices): void {
    this.flushQueue.put(prices);
    this.publishQueue.put(prices);
  }
}
