// @ts-nocheck
import type { Logger } from 'pino';
import type { MarketQuote } from '../prices/types';
import { RestBodyError, RestRateLimitedError, type KalshiRestClient } from './rest-client';

export interface FallbackPollerOptions {
  rest: Pick<KalshiRestClient, 'readQuotes'>;
  intervalMs: number;
  log: Logger;
  /** The markets to poll, read at every poll. */
  tickers(): readonly string[];
  onQuotes(quotes: MarketQuote[], purpose: 'poll' | 'initial'): void;
  onInvalid(reason: string, detail?: Record<string, unknown>): void;
  onActiveChange(active: boolean): void;
}

const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * REST polling of every mapped market, while the socket cannot deliver (or is disabled). A 429
 * doubles the period until a poll succeeds.
 */
export class FallbackPoller {
  private timer: NodeJS.Timeout | undefined;
  private activeValue = false;
  private rateLimited = 0;
  private polling: Promise<void> | undefined;

  constructor(private readonly options: FallbackPollerOptions) {}

  get active(): boolean {
    return this.activeValue;
  }

  activate(reason: string): void {
    if (this.activeValue) return;
    this.activeValue = true;
    this.options.log.warn({ reason, intervalMs: this.options.intervalMs }, 'REST fallback polling on');
    this.options.onActiveChange(true);
    this.schedule(0);
  }

  async deactivate(reason: string): Promise<void> {
    if (!this.activeValue) return;
    this.activeValue = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.options.log.info({ reason }, 'REST fallback polling off');
    this.options.onActiveChange(false);
    await this.polling;
  }

  /** Reads the first price of markets added at run time (never replacing a tick the socket delivered). */
  readInitial(tickers: readonly string[]): Promise<void> {
    return this.pollOnce(tickers, 'initial');
  }

  private async pollOnce(tickers: readonly string[] = this.options.tickers(), purpose: 'poll' | 'initial' = 'poll'): Promise<void> {
    if (tickers.length === 0) return;
    try {
      const { quotes, invalid } = await this.options.rest.readQuotes(tickers);
      this.rateLimited = 0;
      for (const problem of invalid) this.options.onInvalid(problem.reason, { source: 'rest', ticker: problem.ticker });
      this.options.onQuotes(quotes, purpose);
    } catch (error) {
      if (error instanceof RestRateLimitedError) this.rateLimited += 1;
      else if (error instanceof RestBodyError) this.options.onInvalid('bad_rest_body', { err: (error as Error).message });
      this.options.log.warn({ err: (error as Error).message, rateLimited: this.rateLimited }, 'Kalshi REST poll failed');
    }
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.polling = this.pollOnce().finally(() => {
        this.polling = undefined;
        if (!this.activeValue) return;
        const backoff = this.rateLimited > 0 ? Math.min(this.options.intervalMs * 2 ** this.rateLimited, MAX_BACKOFF_MS) : 0;
        this.schedule(Math.max(this.options.intervalMs, backoff));
      });
    }, delayMs);
  }
}
