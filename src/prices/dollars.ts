import { UNITS_PER_CENT, UNITS_PER_DOLLAR, type PriceUnits } from './types';

export type PriceProblem = 'bad_price' | 'price_out_of_range';

const DOLLARS = /^(\d{1,3})(?:\.(\d{1,4}))?$/;

/**
 * "0.4550" → 4550 units, exactly: the digits are read as integers, never through a float.
 * Returns a problem for anything that is not a dollar amount between 0 and 1.
 */
export function parseDollars(text: string): PriceUnits | PriceProblem {
  const match = DOLLARS.exec(text);
  if (match === null) return text.startsWith('-') ? 'price_out_of_range' : 'bad_price';
  const whole = Number(match[1]);
  const fraction = match[2] === undefined ? 0 : Number(match[2].padEnd(4, '0'));
  const units = whole * UNITS_PER_DOLLAR + fraction;
  return units > UNITS_PER_DOLLAR ? 'price_out_of_range' : units;
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
