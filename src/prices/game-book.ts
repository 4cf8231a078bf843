import { unitsToCents } from './dollars';
import { UNITS_PER_DOLLAR, type GamePrices, type MarketQuote, type PriceUnits, type Side, type TeamPrices } from './types';

export interface MappedMarket {
  ticker: string;
  gameId: string;
  slug: string;
  side: Side;
}

interface GameEntry {
  gameId: string;
  slug: string;
  home: MarketState | undefined;
  away: MarketState | undefined;
  updatedAtMs: number;
}

interface MarketState {
  market: MappedMarket;
  /** Top of book as last quoted: null bid = no bid, null ask = no ask. Undefined until the first quote. */
  quote: { bid: PriceUnits | null; ask: PriceUnits | null } | undefined;
  lastExchangeTimeMs: number;
}

export type ApplyOutcome = { kind: 'updated'; prices: GamePrices } | { kind: 'unmapped' } | { kind: 'stale' };

const UNMAPPED: ApplyOutcome = { kind: 'unmapped' };
const STALE: ApplyOutcome = { kind: 'stale' };

/**
 * The prices of every mapped game, from the latest quote of each of its markets
 * (DESIGN.md "Prices of a game"). Pure: no I/O, no timers.
 */
export class GameBook {
  private readonly markets = new Map<string, MarketState>();
  private readonly games = new Map<string, GameEntry>();

  get marketCount(): number {
    return this.markets.size;
  }

  get gameCount(): number {
    return this.games.size;
  }

  has(ticker: string): boolean {
    return this.markets.has(ticker);
  }

  /** The market's last applied quote, if any. */
  quoteOf(ticker: string): MarketQuote | undefined {
    const state = this.markets.get(ticker);
    if (state?.quote === undefined) return undefined;
    return { ticker, yesBid: state.quote.bid, yesAsk: state.quote.ask, exchangeTimeMs: state.lastExchangeTimeMs };
  }

  /** True once the market has had a quote since it was mapped. */
  hasQuote(ticker: string): boolean {
    return this.markets.get(ticker)?.quote !== undefined;
  }

  /** Adds or re-maps a market. Returns false when its side is already held by another market of the game. */
  addMarket(market: MappedMarket): boolean {
    const existing = this.markets.get(market.ticker);
    if (existing !== undefined) {
      const unchanged =
        existing.market.gameId === market.gameId && existing.market.side === market.side && existing.market.slug === market.slug;
      if (unchanged) return true;
      this.removeMarket(market.ticker);
    }
    let game = this.games.get(market.gameId);
    if (game === undefined) {
      game = { gameId: market.gameId, slug: market.slug, home: undefined, away: undefined, updatedAtMs: 0 };
      this.games.set(market.gameId, game);
    }
    if (game[market.side] !== undefined) return false;
    game.slug = market.slug;
    const state: MarketState = { market, quote: undefined, lastExchangeTimeMs: 0 };
    game[market.side] = state;
    this.markets.set(market.ticker, state);
    return true;
  }

  removeMarket(ticker: string): void {
    const state = this.markets.get(ticker);
    if (state === undefined) return;
    this.markets.delete(ticker);
    const game = this.games.get(state.market.gameId);
    if (game === undefined) return;
    if (game[state.market.side] === state) game[state.market.side] = undefined;
    if (game.home === undefined && game.away === undefined) this.games.delete(game.gameId);
  }

  /** Applies a quote; a quote older than the last applied one for its market is ignored. */
  apply(quote: MarketQuote): ApplyOutcome {
    const state = this.markets.get(quote.ticker);
    if (state === undefined) return UNMAPPED;
    if (quote.exchangeTimeMs < state.lastExchangeTimeMs) return STALE;
    state.lastExchangeTimeMs = quote.exchangeTimeMs;
    state.quote = { bid: quote.yesBid, ask: quote.yesAsk };
    const game = this.games.get(state.market.gameId) as GameEntry;
    if (quote.exchangeTimeMs > game.updatedAtMs) game.updatedAtMs = quote.exchangeTimeMs;
    return { kind: 'updated', prices: pricesOf(game, quote.ticker, quote.exchangeTimeMs) };
  }

  /** The current prices of a game, or undefined when none of its markets has quoted yet. */
  current(gameId: string): GamePrices | undefined {
    const game = this.games.get(gameId);
    if (game === undefined) return undefined;
    const latest = [game.home, game.away]
      .filter((m): m is MarketState => m?.quote !== undefined)
      .sort((a, b) => b.lastExchangeTimeMs - a.lastExchangeTimeMs)[0];
    return latest === undefined ? undefined : pricesOf(game, latest.market.ticker, latest.lastExchangeTimeMs);
  }

  gameIds(): IterableIterator<string> {
    return this.games.keys();
  }

  tickers(): IterableIterator<string> {
    return this.markets.keys();
  }
}

function pricesOf(game: GameEntry, ticker: string, tickTimeMs: number): GamePrices {
  return {
    gameId: game.gameId,
    slug: game.slug,
    awayTeam: sidePrices(game.away, game.home),
    homeTeam: sidePrices(game.home, game.away),
    ticker,
    tickTimeMs,
    updatedAtMs: game.updatedAtMs,
  };
}

function sidePrices(own: MarketState | undefined, other: MarketState | undefined): TeamPrices {
  const ownQuote = own?.quote;
  if (ownQuote !== undefined) {
    // buy = YES ask, sell = YES bid
    return { kalshiBuyPrice: cents(ownQuote.ask), kalshiSellPrice: cents(ownQuote.bid) };
  }
  const otherQuote = other?.quote;
  if (otherQuote !== undefined) {
    // NO ask = 1 − YES bid, NO bid = 1 − YES ask
    return { kalshiBuyPrice: cents(complement(otherQuote.bid)), kalshiSellPrice: cents(complement(otherQuote.ask)) };
  }
  return { kalshiBuyPrice: null, kalshiSellPrice: null };
}

function complement(units: PriceUnits | null): PriceUnits | null {
  return units === null ? null : UNITS_PER_DOLLAR - units;
}

function cents(units: PriceUnits | null): number | null {
  return units === null ? null : unitsToCents(units);
}
