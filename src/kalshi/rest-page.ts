import type { DropReason } from '../observability/drop-reasons';
import type { MarketQuote } from '../prices/types';
import type { InactiveMarkets } from './inactive-markets';
import type { RestPage } from './rest-client';

export type InvalidSink = (reason: DropReason, detail?: Record<string, unknown>) => void;

/**
 * The quotes of a page that may be applied: every active market's, plus the final quote of a settled market
 * the first time it is seen. Invalid entries and newly inactive markets are reported (`rest_market_inactive`).
 */
export function quotesToApply(page: RestPage, inactive: InactiveMarkets, onInvalid: InvalidSink): MarketQuote[] {
  for (const problem of page.invalid) {
    onInvalid(problem.reason, { source: 'rest', ticker: problem.ticker, detail: problem.detail });
  }
  if (page.inactive.length === 0) return page.quotes;
  const quotes = [...page.quotes];
  for (const market of page.inactive) {
    if (!inactive.note(market.ticker, market.status)) continue;
    onInvalid('rest_market_inactive', { source: 'rest', ticker: market.ticker, status: market.status });
    if (market.finalQuote !== undefined) quotes.push(market.finalQuote);
  }
  return quotes;
}
