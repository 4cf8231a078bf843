import { UNITS_PER_CENT, UNITS_PER_DOLLAR, type PriceUnits } from './types';

export type PriceProblem = 'bad_price' | 'price_out_of_range';

/** Kalshi's fixed-point dollar type has up to 6 decimals; it quotes 4 today (docs/KALSHI.md). */
const MAX_WHOLE_DIGITS = 3;
const MAX_DECIMALS = 6;
/** One micro-dollar per step of the sixth decimal; a unit is 100 of them. */
const MICROS_PER_UNIT = 100;
const MICROS_PER_DOLLAR = UNITS_PER_DOLLAR * MICROS_PER_UNIT;
const DIGIT_0 = 48;
const DOT = 46;
const MINUS = 45;
/** 10^(6 − decimals read): scales the decimals to micro-dollars. */
const MICRO_SCALE = [1_000_000, 100_000, 10_000, 1_000, 100, 10, 1];

/**
 * "0.4550" → 4550 units, exactly: the digits are read as integers, never through a float.
 * Returns a problem for anything that is not a dollar amount between 0 and 1.
 *
 * The grammar is `^[0-9]{1,3}(\.[0-9]{1,6})?$` (test/unit/dollars.test.ts holds it as a RegExp and compares the
 * two on generated strings); it is read by char codes because this runs twice per ticker frame, and a RegExp
 * match with its captures, pads and slices cost a tenth of the service's CPU per message.
 *
 * Up to 6 decimals are accepted. Units stay 1/10000 dollar (Kalshi's finest tick today, and the unit the whole
 * price core is written in): "0.455000" is exact; a finer digit, should Kalshi ever quote one, is rounded to the
 * nearest unit (an error of at most 0.005¢), except that a price above 0 never becomes 0 (no bid) and one below
 * $1 never becomes $1 (no ask): rounding must not empty a side of the book.
 */
export function parseDollars(text: string): PriceUnits | PriceProblem {
  const length = text.length;
  let at = 0;
  let whole = 0;
  while (at < length && at < MAX_WHOLE_DIGITS) {
    const digit = text.charCodeAt(at) - DIGIT_0;
    if (digit < 0 || digit > 9) break;
    whole = whole * 10 + digit;
    at++;
  }
  if (at === 0) return length > 0 && text.charCodeAt(0) === MINUS ? 'price_out_of_range' : 'bad_price';
  let fraction = 0;
  let decimals = 0;
  if (at < length) {
    if (text.charCodeAt(at) !== DOT) return 'bad_price';
    at++;
    while (at < length && decimals < MAX_DECIMALS) {
      const digit = text.charCodeAt(at) - DIGIT_0;
      if (digit < 0 || digit > 9) return 'bad_price';
      fraction = fraction * 10 + digit;
      decimals++;
      at++;
    }
    if (decimals === 0 || at < length) return 'bad_price';
  }
  const micro = whole * MICROS_PER_DOLLAR + fraction * MICRO_SCALE[decimals];
  if (micro > MICROS_PER_DOLLAR) return 'price_out_of_range';
  // Integer micro-dollars: exact when they are whole units, else the nearest unit (half up).
  const rest = micro % MICROS_PER_UNIT;
  const units = (micro - rest) / MICROS_PER_UNIT + (rest >= MICROS_PER_UNIT / 2 ? 1 : 0);
  if (micro > 0 && units === 0) return 1;
  if (micro < MICROS_PER_DOLLAR && units === UNITS_PER_DOLLAR) return UNITS_PER_DOLLAR - 1;
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
