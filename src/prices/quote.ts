import { parseCents, parseDollars, type PriceProblem } from './dollars';
import { UNITS_PER_DOLLAR, type MarketQuote, type PriceUnits, type QuoteSource } from './types';

/** A price as it arrives: the `_dollars` string, with the integer-cent field only as a fallback. */
export interface RawPrice {
  dollars: string | undefined;
  cents: number | undefined;
}

export type QuoteProblem = PriceProblem | 'missing_price';

/**
 * Builds a quote from a market's YES bid and ask. A bid of 0 is no bid; an ask of $1 or an
 * absent ask is no ask. A quote with neither field at all says nothing and is refused.
 */
export function makeQuote(
  ticker: string,
  bid: RawPrice,
  ask: RawPrice,
  exchangeTimeMs: number,
  source: QuoteSource,
): MarketQuote | QuoteProblem {
  const bidUnits = readPrice(bid);
  const askUnits = readPrice(ask);
  if (bidUnits === undefined && askUnits === undefined) return 'missing_price';
  if (typeof bidUnits === 'string') return bidUnits;
  if (typeof askUnits === 'string') return askUnits;
  return {
    ticker,
    yesBid: bidUnits === undefined || bidUnits === 0 ? null : bidUnits,
    yesAsk: askUnits === undefined || askUnits === UNITS_PER_DOLLAR ? null : askUnits,
    exchangeTimeMs,
    source,
  };
}

function readPrice(raw: RawPrice): PriceUnits | PriceProblem | undefined {
  if (raw.dollars !== undefined) return parseDollars(raw.dollars);
  if (raw.cents !== undefined) return parseCents(raw.cents);
  return undefined;
}
