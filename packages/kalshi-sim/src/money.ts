/**
 * Prices inside the simulator are integers in ten-thousandths of a dollar ("units"), so
 * formatting never suffers float drift: 4550 units → "0.4550".
 */
export const UNITS_PER_DOLLAR = 10_000;
export const UNITS_PER_CENT = 100;

/** 0.455 → 4550. Throws RangeError for non-finite values, values outside [0, 1] or more than 4 decimals. */
export function dollarsToUnits(dollars: number): number {
  if (!Number.isFinite(dollars)) throw new RangeError(`price must be a finite number of dollars, got ${String(dollars)}`);
  const scaled = dollars * UNITS_PER_DOLLAR;
  const units = Math.round(scaled);
  if (Math.abs(scaled - units) > 1e-6) throw new RangeError(`price ${dollars} has more than 4 decimals`);
  if (units < 0 || units > UNITS_PER_DOLLAR) throw new RangeError(`price ${dollars} is outside [0, 1] dollars`);
  return units;
}

/** 4550 → "0.4550"; 10000 → "1.0000". */
export function formatDollars(units: number): string {
  if (!Number.isInteger(units) || units < 0) throw new RangeError(`units must be a non-negative integer, got ${units}`);
  const whole = Math.floor(units / UNITS_PER_DOLLAR);
  const fraction = units % UNITS_PER_DOLLAR;
  return `${whole}.${String(fraction).padStart(4, '0')}`;
}

/** A contract count as Kalshi's fixed-point strings: 300 → "300.00". Counts in the simulator are whole contracts. */
export function formatCount(count: number): string {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
  return `${count}.00`;
}
