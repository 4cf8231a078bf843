import type { Logger } from 'pino';
import type { MarketStatusSink, MarketStatusUpdate } from '../prices/market-status';
import type { MarketQuote } from '../prices/types';
import { restStatusUpdate } from './lifecycle';
import type { RestPage } from './rest-client';
import type { InvalidSink, RestStatuses } from './rest-page';

export interface MarketStatusesOptions {
  /** The term's price pipeline (it derives game statuses from these). */
  sink: MarketStatusSink;
  /** Mapped now: statuses of other markets reach nothing and are not kept. */
  isMapped(ticker: string): boolean;
  /** Markets just determined: no more data will come for them, so their ticker subscription is removed. */
  onDetermined(tickers: readonly string[]): void;
  log: Logger;
  now?: () => number;
}

interface Known {
  update: MarketStatusUpdate;
  /** Local receive time of the market's last lifecycle event (0: none): older REST reads do not overrule it. */
  lifecycleAtMs: number;
  /** The REST status word (for /status), when REST said it. */
  restStatus?: string;
}

/**
 * One leader term's memory of its mapped markets' statuses, fed by every REST read (fallback, first reads,
 * reconciliation, lifecycle re-reads) and by the lifecycle channel, and handed to the price pipeline. Only a
 * determined market (REST's determined, disputed, amended, finalized, settled; or a lifecycle determination) stops
 * being polled: initialized, inactive and closed markets open, resume or get determined without notice, so they are
 * read again like active ones (docs/CONTRACT.md, "A game's whole life").
 *
 * A status is forwarded only when it changes (REST polls repeat it every pass), and a REST read that was sent before
 * the market's last lifecycle event does not undo that event. Bounded by the mapped markets (`retain`).
 */
export class MarketStatuses implements RestStatuses {
  private readonly known = new Map<string, Known>();
  private readonly now: () => number;

  constructor(private readonly options: MarketStatusesOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.known.size;
  }

  /** Determined: not polled, not read again, not subscribed (until its mapping changes). */
  has(ticker: string): boolean {
    return this.isDetermined(ticker);
  }

  isDetermined(ticker: string): boolean {
    return this.known.get(ticker)?.update.status === 'determined';
  }

  statusOf(ticker: string): MarketStatusUpdate | undefined {
    return this.known.get(ticker)?.update;
  }

  /** A market re-mapped (or unmapped) is read again as if new. */
  forget(tickers: Iterable<string>): void {
    for (const ticker of tickers) this.known.delete(ticker);
  }

  /** Drops markets no longer mapped. */
  retain(mapped: { has(ticker: string): boolean }): void {
    for (const ticker of this.known.keys()) if (!mapped.has(ticker)) this.known.delete(ticker);
  }

  /** Determined markets by their REST status word (lifecycle determinations as `determined`), for /status. */
  byStatus(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const known of this.known.values()) {
      if (known.update.status !== 'determined') continue;
      const word = known.restStatus ?? 'determined';
      counts[word] = (counts[word] ?? 0) + 1;
    }
    return counts;
  }

  /** A lifecycle event of a mapped market (the channel has already dropped other markets'). */
  applyLifecycle(update: MarketStatusUpdate, receivedAtMs: number): void {
    const known = this.known.get(update.ticker);
    this.apply(update, receivedAtMs, { update, lifecycleAtMs: receivedAtMs, restStatus: update.status === 'determined' ? undefined : known?.restStatus });
  }

  /**
   * A REST page: every market's status goes to the sink (if it changed), and the quotes to apply come back: every
   * market's but a determined one's, whose last quote is applied once, when it is first seen determined.
   * Invalid entries are reported.
   */
  fromRestPage(page: RestPage, onInvalid: InvalidSink): MarketQuote[] {
    for (const problem of page.invalid) onInvalid(problem.reason, { source: 'rest', ticker: problem.ticker, detail: problem.detail });
    const quotes = [...page.quotes];
    const receivedAtMs = this.now();
    for (const market of page.statuses) {
      const update = restStatusUpdate(market.ticker, market.status, market.result);
      if (update === undefined) {
        onInvalid('rest_unknown_status', { source: 'rest', ticker: market.ticker, status: market.status });
        continue;
      }
      if (!this.options.isMapped(update.ticker)) continue;
      const known = this.known.get(update.ticker);
      // A lifecycle event received after this request went out is newer than the answer.
      if (known !== undefined && known.lifecycleAtMs > page.requestedAtMs) continue;
      const wasDetermined = known?.update.status === 'determined';
      this.apply(update, receivedAtMs, { update, lifecycleAtMs: known?.lifecycleAtMs ?? 0, restStatus: market.status });
      if (update.status === 'determined' && !wasDetermined && market.quote !== undefined) quotes.push(market.quote);
    }
    return quotes;
  }

  private apply(given: MarketStatusUpdate, receivedAtMs: number, next: Known): void {
    const previous = this.known.get(given.ticker)?.update;
    // `settled` names no result: it does not erase the one its determination gave.
    const update = given.status === 'determined' && given.result === null && previous?.status === 'determined' ? { ...given, result: previous.result } : given;
    next.update = update;
    this.known.set(update.ticker, next);
    if (previous?.status === update.status && previous.result === update.result) return;
    this.options.sink.applyStatus(update, receivedAtMs);
    if (update.status === 'determined' && previous?.status !== 'determined') {
      this.options.log.info({ ticker: update.ticker, result: update.result, source: update.source }, 'market determined: no longer polled or subscribed');
      this.options.onDetermined([update.ticker]);
    }
  }
}
