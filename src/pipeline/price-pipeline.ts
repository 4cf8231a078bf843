import type { DropReason } from '../observability/drop-reasons';
import type { MarketMapDiff } from '../mapping/market-map';
import { isBelievableExchangeTime } from '../prices/exchange-time';
import { GameBook, type GameBookOptions, type MappedMarket } from '../prices/game-book';
import { LatestByGame } from '../prices/latest-by-game';
import type { MarketStatusSink, MarketStatusUpdate } from '../prices/market-status';
import type { GamePrices, MarketQuote } from '../prices/types';

/** Where refused input goes: counted by reason and logged at a bounded rate (src/observability/complaints.ts). */
export interface ComplaintSink {
  report(reason: DropReason, detail?: Record<string, unknown>): void;
}

/** Told after a game's new state was queued (the flush loop forces an early flush at MAX_QUEUE_SIZE). */
export interface QueueWatcher {
  queued(): void;
}

/** The markets REST feeds whatever the socket last said (their socket does not serve them: src/kalshi/fallback-markets.ts). */
export interface RestFedMarkets {
  has(ticker: string): boolean;
}

export interface PricePipelineParts {
  complaints: ComplaintSink;
  /** Default: nobody watches (tests drain the queues themselves). */
  watcher?: QueueWatcher;
  /** Default: none (REST then corrects only markets without a socket quote or silent ones). */
  fallback?: RestFedMarkets;
  /** The leader term's: once aborted, nothing more enters the book or the queues. */
  signal?: AbortSignal;
  /** The queues the loops drain (default: new ones). */
  flushQueue?: LatestByGame;
  publishQueue?: LatestByGame;
}

const NOBODY: QueueWatcher = { queued: () => undefined };
const NONE: RestFedMarkets = { has: () => false };
const NEVER = new AbortController().signal;

/**
 * Quotes in, one state per game out into the two queues (Postgres, Redis). Knows nothing of sockets or databases;
 * the leader term feeds it (socket ticks, REST answers) and its loops drain the queues. It is the term's sink for
 * quotes.
 */
export class PricePipeline implements MarketStatusSink {
  readonly book: GameBook;
  readonly flushQueue: LatestByGame;
  readonly publishQueue: LatestByGame;
  private lastQuoteAt = 0;
  private readonly complaints: ComplaintSink;
  private readonly watcher: QueueWatcher;
  private readonly fallback: RestFedMarkets;
  private readonly signal: AbortSignal;

  constructor(parts: PricePipelineParts, options: GameBookOptions = {}) {
    this.book = new GameBook(options);
    this.complaints = parts.complaints;
    this.watcher = parts.watcher ?? NOBODY;
    this.fallback = parts.fallback ?? NONE;
    this.signal = parts.signal ?? NEVER;
    this.flushQueue = parts.flushQueue ?? new LatestByGame();
    this.publishQueue = parts.publishQueue ?? new LatestByGame();
  }

  get lastQuoteAtMs(): number {
    return this.lastQuoteAt;
  }

  /**
   * The single entry point for socket and REST quotes. `receivedAtMs` is our clock at receipt: the `now` of the
   * exchange-time window and of the REST silence rule.
   */
  applyQuote(quote: MarketQuote, receivedAtMs: number): void {
    if (this.signal.aborted) return;
    let stamped = quote;
    if (quote.source === 'rest') {
      // REST has no exchange time: whatever the reader put there, its stamp is the receive time handed in.
      if (quote.exchangeTimeMs !== receivedAtMs) stamped = { ...quote, exchangeTimeMs: receivedAtMs };
    } else if (!isBelievableExchangeTime(quote.exchangeTimeMs, receivedAtMs)) {
      this.complaints.report('bad_timestamp', { ticker: quote.ticker, exchangeTimeMs: quote.exchangeTimeMs, source: quote.source });
      return;
    }
    // Per market, never for the whole book: REST outranks the socket only where the socket does not serve.
    const socketDown = quote.source === 'rest' && this.fallback.has(quote.ticker);
    const outcome = this.book.apply(stamped, { receivedAtMs, socketDown });
    // /status lastMessageAgeMs ages on accepted quotes only: refused, stale or unmapped ones must not look fresh.
    if (outcome.kind === 'updated' || outcome.kind === 'unchanged') this.lastQuoteAt = receivedAtMs;
    if (outcome.kind === 'updated') {
      this.enqueue(outcome.prices);
      this.watcher.queued();
    } else if (outcome.kind === 'unmapped') {
      this.complaints.report('unknown_ticker', { ticker: quote.ticker });
    }
  }

  /**
   * A market's status from the lifecycle channel or a REST read (docs/CONTRACT.md "A game's whole life"). When the
   * game's status or result changes, its new state goes into the next flush and is published at once, not held by
   * the publish window. A market not mapped (the lifecycle channel carries every market of the exchange) changes
   * nothing and is not complained of.
   */
  applyStatus(update: MarketStatusUpdate, receivedAtMs: number): void {
    if (this.signal.aborted) return;
    const outcome = this.book.applyStatus(update, receivedAtMs);
    if (outcome.kind !== 'updated') return;
    this.flushQueue.put(outcome.prices);
    this.publishQueue.putUrgent(outcome.prices);
    this.watcher.queued();
  }

  /** Games by status now (kalshi_games_by_status and /status read it at scrape). */
  gamesByStatus(): ReturnType<GameBook['gamesByStatus']> {
    return this.book.gamesByStatus();
  }

  /**
   * REST answers (fallback polls, first reads, reconciliation), stamped with their receive time: the book's
   * precedence keeps socket ticks first except for markets in fallback.
   */
  applyRestQuotes(quotes: readonly MarketQuote[]): void {
    const receivedAtMs = Date.now();
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
    if (queued) this.watcher.queued();
  }

  /**
   * Every game's current state into the publish queue again (not the flush queue: Postgres lost nothing): the Redis
   * primary changed, and writes the old one acknowledged may be gone. Returns the number of games queued.
   */
  republishAll(): number {
    let queued = 0;
    for (const gameId of this.book.gameIds()) {
      const prices = this.book.current(gameId);
      if (prices === undefined) continue;
      this.publishQueue.put(prices);
      queued += 1;
    }
    if (queued > 0) this.watcher.queued();
    return queued;
  }

  /** Forget everything (this replica stopped leading). */
  reset(): void {
    for (const ticker of [...this.book.tickers()]) this.book.removeMarket(ticker);
    this.flushQueue.clear();
    this.publishQueue.clear();
  }

  private refuseSide(market: MappedMarket): void {
    this.complaints.report('duplicate_side', { ticker: market.ticker, gameId: market.gameId, side: market.side });
  }

  private enqueue(prices: GamePrices): void {
    this.flushQueue.put(prices);
    this.publishQueue.put(prices);
  }
}
