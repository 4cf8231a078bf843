import type { GameResult, GameStatus } from './market-status';

/**
 * Prices are held as integer ten-thousandths of a dollar ("units": 1 unit = 0.01¢), the finest
 * step Kalshi quotes ("0.4550" → 4550). Integer arithmetic keeps complements exact; cents are
 * produced only at the edges (units / 100).
 */
export type PriceUnits = number;

export const UNITS_PER_DOLLAR = 10_000;
export const UNITS_PER_CENT = 100;

/** The side a market's YES stands for: a team, or (the third market of a three-way event, `…-TIE`) a draw. */
export type Side = 'home' | 'away' | 'draw';

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
  /** The draw's prices: present only for a three-way game (one with a mapped `draw` market). */
  draw?: TeamPrices;
  /** The game's status, derived from its markets' (docs/CONTRACT.md "A game's whole life"). */
  status: GameStatus;
  /** Who won a final game; null while there is none (or a final game with no winner: a void, all NO). */
  result: GameResult | null;
  /** The market whose tick (or status change) produced this state. */
  ticker: string;
  /** That tick's exchange time, Unix ms (the message's `timestamp`). */
  tickTimeMs: number;
  /** The newest exchange time among the game's markets, Unix ms (hash `timestamp`, Postgres `kalshiUpdatedAt`). */
  updatedAtMs: number;
}
