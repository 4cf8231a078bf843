import type { DropReason } from '../observability/drop-reasons';
import type { MarketMapDiff } from '../mapping/market-map';
import { isBelievableExchangeTime } from '../prices/exchange-time';
import { GameBook, type GameBookOptions, type MappedMarket } from '../prices/game-book';
import { LatestByGame } from '../prices/latest-by-game';
import type { MarketStatusSink, MarketStatusUpdate } from '../prices/market-status';
import type { GamePrices, MarketQuote } from '../prices/types';

export interface PricePipelineEvents {
  /** A game's prices changed: both queues hold the new state. */
  onQueued(): void;
  onUnmapped(ticker: string): void;
  /** Input refused (`bad_timestamp`, `duplicate_side`): counted and logged at a bounded rate by the caller. */
  onRefused(reason: DropReason, detail: Record<string, unknown>): void;
}

/**
 * Quotes in, one state per game out into the two queues (Postgres, Redis). Knows nothing of
 * sockets or databases; `app.ts` feeds it and drains its queues.
 */
export class PricePipeline implements MarketStatusSink {
  readonly book: GameBook;
  readonly flushQueue = new LatestByGame();
  readonly publishQueue = new LatestByGame();
  private lastQuoteAt = 0;
  private socketDown = false;

  constructor(
    private readonly events: PricePipelineEvents,
    options: GameBookOptions = {},
  ) {
    this.book = new GameBook(options);
  }

  get lastQuoteAtMs(): number {
    return this.lastQuoteAt;
  }

  /** True while told the socket is down (REST fallback active): REST quotes then feed every market. */
  get fallbackActive(): boolean {
    return this.socketDown;
  }

  /** The caller says when REST fallback starts and stops (the pipeline has no view of the sockets). */
  setFallbackActive(active: boolean): void {
    this.socketDown = active;
  }

  /**
   * The single entry point for socket and REST quotes. `receivedAtMs` is our clock at receipt: the `now` of the
   * exchange-time window and of the REST silence rule.
   */
  applyQuote(quote: MarketQuote, receivedAtMs: number): void {
    this.lastQuoteAt = receivedAtMs;
    let stamped = quote;
    if (quote.source === 'rest') {
      // REST has no exchange time: whatever the reader put there, its stamp is the receive time handed in.
      if (quote.exchangeTimeMs !== receivedAtMs) stamped = { ...quote, exchangeTimeMs: receivedAtMs };
    } else if (!isBelievableExchangeTime(quote.exchangeTimeMs, receivedAtMs)) {
      this.events.onRefused('bad_timestamp', { ticker: quote.ticker, exchangeTimeMs: quote.exchangeTimeMs, source: quote.source });
      return;
    }
    const outcome = this.book.apply(stamped, { receivedAtMs, socketDown: this.socketDown });
    if (outcome.kind === 'updated') {
      this.enqueue(outcome.prices);
      this.events.onQueued();
    } else if (outcome.kind === 'unmapped') {
      this.events.onUnmapped(quote.ticker);
    }
  }

  /**
   * A market's status from the lifecycle channel or a REST read (docs/CONTRACT.md "A game's whole life"). When the
   * game's status or result changes, its new state goes into the next flush and is published at once, not held by
   * the publish window. A market not mapped (the lifecycle channel carries every market of the exchange) changes
   * nothing and is not complained of.
   */
  applyStatus(update: MarketStatusUpdate, receivedAtMs: number): void {
    const outcome = this.book.applyStatus(update, receivedAtMs);
    if (outcome.kind !== 'updated') return;
    this.flushQueue.put(outcome.prices);
    this.publishQueue.putUrgent(outcome.prices);
    this.events.onQueued();
  }

  /** Games by status now (kalshi_games_by_status and /status read it at scrape). */
  gamesByStatus(): ReturnType<GameBook['gamesByStatus']> {
    return this.book.gamesByStatus();
  }

  /** First prices of markets just subscribed, read from REST: the book's precedence keeps socket ticks first. */
  applyInitialQuotes(quotes: readonly MarketQuote[], receivedAtMs: number): void {
    for (const quote of quotes) this.applyQuote(quote, receivedAtMs);
  }

  applyMapping(diff: MarketMapDiff): void {
    const changed = diff.changed ?? [];
    const moved = new Set(changed.map((change) => change.after.ticker));
    for (const market of diff.removed) if (!moved.has(market.ticker)) this.book.removeMarket(market.ticker);
    const refused = this.book.remap(changed.map((change) => change.after));
    for (const market of diff.added) {
      if (!moved.has(market.ticker) && !this.book.addMarket(market)) refused.push(market);
    }
    for (const market of refused) this.refuseSide(market);
    // A game whose mapping changed (a market gone, moved or re-sided, a side now complemented) publishes its new state.
    const touched = new Set<string>();
    for (const market of [...diff.removed, ...diff.added]) touched.add(market.gameId);
    for (const change of changed) touched.add(change.before.gameId).add(change.after.gameId);
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
    this.socketDown = false;
  }

  private refuseSide(market: MappedMarket): void {
    this.events.onRefused('duplicate_side', { ticker: market.ticker, gameId: market.gameId, side: market.side });
  }

  private enqueue(prices: GamePrices): void {
    this.flushQueue.put(prices);
    this.publishQueue.put(prices);
  }
}
