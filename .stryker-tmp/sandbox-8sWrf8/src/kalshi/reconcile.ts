// @ts-nocheck
import type { MarketQuote } from '../prices/types';

/**
 * Markets whose REST quote differs from what the socket gave us. A market the socket updated after
 * the REST read started is left out: its difference is a race, not a dead subscription. Pure.
 */
export function findDrift(
  rest: readonly MarketQuote[],
  current: (ticker: string) => MarketQuote | undefined,
  readStartedAtMs: number,
): MarketQuote[] {
  const drifted: MarketQuote[] = [];
  for (const quote of rest) {
    const held = current(quote.ticker);
    if (held !== undefined && held.exchangeTimeMs >= readStartedAtMs) continue;
    if (held === undefined || held.yesBid !== quote.yesBid || held.yesAsk !== quote.yesAsk) drifted.push(quote);
  }
  return drifted;
}

/** Counts consecutive corrections per market; a market corrected twice in a row is due a new subscription. */
export class DriftTracker {
  private previous = new Set<string>();

  /** Records one reconciliation round; returns the markets corrected in this round and the last. */
  record(corrected: readonly string[]): string[] {
    const repeat = corrected.filter((ticker) => this.previous.has(ticker));
    this.previous = new Set(corrected.filter((ticker) => !repeat.includes(ticker)));
    return repeat;
  }
}
