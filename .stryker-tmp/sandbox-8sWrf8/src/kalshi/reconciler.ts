// @ts-nocheck
import type { Logger } from 'pino';
import type { MarketQuote } from '../prices/types';
import { DriftTracker, findDrift } from './reconcile';
import type { KalshiRestClient } from './rest-client';

export interface ReconcilerOptions {
  rest: Pick<KalshiRestClient, 'readQuotes'>;
  intervalMs: number;
  log: Logger;
  tickers(): readonly string[];
  current(ticker: string): MarketQuote | undefined;
  /** Only while the socket delivers: during fallback, REST is already the source. */
  socketHealthy(): boolean;
  apply(quotes: readonly MarketQuote[]): void;
  onCorrections(count: number): void;
  onInvalid(reason: string, detail?: Record<string, unknown>): void;
  resubscribe(tickers: readonly string[]): void;
}

/**
 * Repairs subscriptions that went silently dead: every `intervalMs` it compares every mapped market
 * with REST, applies the differences, and subscribes again a market corrected twice in a row.
 */
export class Reconciler {
  private timer: NodeJS.Timeout | undefined;
  private readonly tracker = new DriftTracker();
  private running: Promise<void> | undefined;

  constructor(private readonly options: ReconcilerOptions) {}

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      this.running ??= this.runOnce().finally(() => {
        this.running = undefined;
      });
    }, this.options.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  async runOnce(): Promise<void> {
    const { options } = this;
    const tickers = options.tickers();
    if (tickers.length === 0 || !options.socketHealthy()) return;
    const startedAt = Date.now();
    let quotes: MarketQuote[];
    try {
      const result = await options.rest.readQuotes(tickers);
      for (const problem of result.invalid) options.onInvalid(problem.reason, { source: 'rest', ticker: problem.ticker });
      quotes = result.quotes;
    } catch (error) {
      options.log.warn({ err: (error as Error).message }, 'reconciliation could not read Kalshi REST; trying again next round');
      return;
    }
    if (!options.socketHealthy()) return;
    const drifted = findDrift(quotes, (ticker) => options.current(ticker), startedAt);
    const repeat = this.tracker.record(drifted.map((q) => q.ticker));
    if (drifted.length > 0) {
      options.log.warn({ corrected: drifted.length, markets: drifted.slice(0, 10).map((q) => q.ticker) }, 'reconciliation corrected prices the socket had not delivered');
      options.onCorrections(drifted.length);
      options.apply(drifted);
    }
    if (repeat.length > 0) options.resubscribe(repeat);
  }
}
