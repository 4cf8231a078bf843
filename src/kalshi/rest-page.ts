import type { DropReason } from '../observability/drop-reasons';
import type { MarketQuote } from '../prices/types';
import type { RestPage } from './rest-client';

export type InvalidSink = (reason: DropReason, detail?: Record<string, unknown>) => void;

/** What every REST reader (fallback polls, first reads, reconciliation) needs of the term's market statuses. */
export interface RestStatuses {
  /** Markets whose status is known (bounded by the mapped markets through `retain`). */
  readonly size: number;
  /** Determined: never read again this term (until re-mapped). Every other status keeps being read. */
  has(ticker: string): boolean;
  /** Hands the page's statuses on and returns the quotes that may be applied. */
  fromRestPage(page: RestPage, onInvalid: InvalidSink): MarketQuote[];
  /** Drops markets no longer mapped. */
  retain(mapped: { has(ticker: string): boolean }): void;
  /** Determined markets by REST status, for /status. */
  byStatus(): Record<string, number>;
}

/**
 * The quotes of a page that may be applied (every market's but a determined one's, whose last quote is applied
 * once), after its statuses went to the term's market statuses. Invalid entries are reported.
 */
export function quotesToApply(page: RestPage, statuses: RestStatuses, onInvalid: InvalidSink): MarketQuote[] {
  return statuses.fromRestPage(page, onInvalid);
}
