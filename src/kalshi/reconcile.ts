import type { MarketQuote } from '../prices/types';

/**
 * Whether a REST quote corrects what the book holds for a market the socket has gone quiet on. A market the
 * socket ticked after the read began is left out: its difference is a race, not a dead subscription. Pure.
 */
export function isDrift(rest: MarketQuote, held: MarketQuote | undefined, lastSocketAtMs: number, readStartedAtMs: number): boolean {
  if (lastSocketAtMs >= readStartedAtMs) return false;
  return held?.yesBid !== rest.yesBid || held.yesAsk !== rest.yesAsk;
}

/** Markets whose REST quote differs from the book (see {@link isDrift}). */
export function findDrift(
  rest: readonly MarketQuote[],
  current: (ticker: string) => MarketQuote | undefined,
  lastSocketAtMs: (ticker: string) => number,
  readStartedAtMs: number,
): MarketQuote[] {
  return rest.filter((quote) => isDrift(quote, current(quote.ticker), lastSocketAtMs(quote.ticker), readStartedAtMs));
}

/**
 * Counts consecutive corrections per market; a market corrected in two rounds in a row, with no socket tick
 * in between, is due a new subscription. A tick after a correction (the socket contradicting it, or simply
 * alive) starts the count over, so one live market is never counted twice.
 */
export class DriftTracker {
  private previous = new Map<string, number>();

  /** Records one round's corrections made at `atMs`; returns the markets due a new subscription. */
  record(corrected: readonly string[], atMs: number, lastSocketAtMs: (ticker: string) => number): string[] {
    const repeat: string[] = [];
    const next = new Map<string, number>();
    for (const ticker of corrected) {
      const before = this.previous.get(ticker);
      if (before !== undefined && lastSocketAtMs(ticker) < before) repeat.push(ticker);
      else next.set(ticker, atMs);
    }
    this.previous = next;
    return repeat;
  }
}
