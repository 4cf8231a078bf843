import { UNITS_PER_CENT, UNITS_PER_DOLLAR, type PriceUnits } from './types';

export type PriceProblem = 'bad_price' | 'price_out_of_range';

/** Kalshi's fixed-point dollar type has up to 6 decimals; it quotes 4 today (KALSHI.md). */
const DOLLARS = /^(\d{1,3})(?:\.(\d{1,6}))?$/;
const UNIT_DECIMALS = 4;

/**
 * "0.4550" → 4550 units, exactly: the digits are read as integers, never through a float.
 * Returns a problem for anything that is not a dollar amount between 0 and 1.
 *
 * Up to 6 decimals are accepted. Units stay 1/10000 dollar (Kalshi's finest tick today, and the unit the whole
 * price core is written in): "0.455000" is exact; a finer digit, should Kalshi ever quote one, is rounded to the
 * nearest unit (an error of at most 0.005¢), except that a price above 0 never becomes 0 (no bid) and one below
 * $1 never becomes $1 (no ask): rounding must not empty a side of the book.
 */
export function parseDollars(text: string): PriceUnits | PriceProblem {
  const match = DOLLARS.exec(text);
  if (match === null) return text.startsWith('-') ? 'price_out_of_range' : 'bad_price';
  const whole = Number(match[1]);
  const digits = (match[2] ?? '').padEnd(6, '0');
  const micro = whole * UNITS_PER_DOLLAR * 100 + Number(digits);
  if (micro > UNITS_PER_DOLLAR * 100) return 'price_out_of_range';
  const exact = Number(digits.slice(UNIT_DECIMALS)) === 0;
  const units = exact ? whole * UNITS_PER_DOLLAR + Number(digits.slice(0, UNIT_DECIMALS)) : Math.round(micro / 100);
  if (micro > 0 && units === 0) return 1;
  if (micro < UNITS_PER_DOLLAR * 100 && units === UNITS_PER_DOLLAR) return UNITS_PER_DOLLAR - 1;
  return units;
}

/** The seed's integer-cent fields, accepted only where the `_dollars` field is absent. */
export function parseCents(value: number): PriceUnits | PriceProblem {
  if (!Number.isFinite(value)) return 'bad_price';
  if (!Number.isInteger(value) || value < 0 || value > 100) return 'price_out_of_range';
  return value * UNITS_PER_CENT;
}

export function unitsToCents(units: PriceUnits): number {
  return units / UNITS_PER_CENT;
}
