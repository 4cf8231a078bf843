/**
 * Prices are held as integer ten-thousandths of a dollar ("units": 1 unit = 0.01¢), the finest
 * step Kalshi quotes ("0.4550" → 4550). Integer arithmetic keeps complements exact; cents are
 * produced only at the edges (units / 100).
 */
export type PriceUnits = number;

export const UNITS_PER_DOLLAR = 10_000;
export const UNITS_PER_CENT = 100;

export type Side = 'home' | 'away';

/**
 * Where a quote came from. The socket is authoritative for a market; a REST read has no exchange time and
 * only fills, feeds or corrects by the rules of {@link GameBook.apply} (docs/CONTRACT.md "Prices of a game").
 */
export type QuoteSource = 'socket' | 'rest';

/** A market's top of book at one exchange time. `null` = that side of the book is empty. */
export interface MarketQuote {
  ticker: string;
  yesBid: PriceUnits | null;
  yesAsk: PriceUnits | null;
  /**
   * Socket: the exchange time in Unix ms (ts_ms, else ts×1000, else receive time). REST: the receive time; it
   * only becomes the message's `timestamp`, never an ordering of the market against socket ticks.
   */
  exchangeTimeMs: number;
  source: QuoteSource;
}

/** One team's Kalshi prices in cents (fractional for sub-cent ticks); `null` = no quote. */
export interface TeamPrices {
  kalshiBuyPrice: number | null;
  kalshiSellPrice: number | null;
}

/** A game's Kalshi state after a tick: what is published, hashed and flushed. */
export interface GamePrices {
  gameId: string;
  slug: string;
  awayTeam: TeamPrices;
  homeTeam: TeamPrices;
  /** The market whose tick produced this state. */
  ticker: string;
  /** That tick's exchange time, Unix ms (the message's `timestamp`). */
  tickTimeMs: number;
  /** The newest exchange time among the game's markets, Unix ms (hash `timestamp`, Postgres `kalshiUpdatedAt`). */
  updatedAtMs: number;
}
