import type { Logger } from 'pino';
import type { MarketQuote } from '../prices/types';
import { every } from '../timing/every';
import type { InactiveMarkets } from './inactive-markets';
import { DriftTracker, findDrift } from './reconcile';
import type { KalshiRest } from './rest-client';
import { quotesToApply, type InvalidSink } from './rest-page';

export interface ReconcilerOptions {
  rest: Pick<KalshiRest, 'readMarkets'>;
  /** The leader term's: its abort ends the loop and the read in flight; late pages are dropped. */
  signal: AbortSignal;
  intervalMs: number;
  log: Logger;
  tickers(): readonly string[];
  inactive: InactiveMarkets;
  current(ticker: string): MarketQuote | undefined;
  /** Local receive time of the market's last socket tick in this term; 0 = none. */
  lastSocketAtMs(ticker: string): number;
  /** Only markets the socket has been silent on this long are read and corrected. */
  silentAfterMs: number;
  /** Only while the socket delivers: during fallback, REST is already the source. */
  socketHealthy(): boolean;
  apply(quotes: readonly MarketQuote[]): void;
  onCorrections(count: number): void;
  onInvalid: InvalidSink;
  /** Subscribes these markets again, through the feed's serialized command path. */
  resubscribe(tickers: readonly string[]): void;
  now?: () => number;
}

/** Below the 5-minute reconciliation, well above a live market's tick rate (the book's REST precedence uses the same). */
export const MAX_SILENCE_BEFORE_CORRECTION_MS = 60_000;

/** How long the socket must have been silent on a market before REST may correct it. */
export function silenceBeforeCorrectionMs(reconcileIntervalMs: number): number {
  return Math.min(MAX_SILENCE_BEFORE_CORRECTION_MS, reconcileIntervalMs);
}

const PRIORITY_RECONCILE = 7;

/**
 * Repairs subscriptions that went silently dead: every `intervalMs`, while the socket is healthy, it reads
 * from REST the markets the socket has been silent on, applies the differences (never to a market the socket
 * ticked meanwhile), and subscribes again, alone, a market corrected in two rounds in a row with no tick
 * between. One object per leader term; its signal ends it.
 */
export class Reconciler {
  private readonly tracker = new DriftTracker();
  private readonly now: () => number;
  /** Settles when the loop has ended (after the term's abort). */
  readonly done: Promise<void>;

  constructor(private readonly options: ReconcilerOptions) {
    this.now = options.now ?? Date.now;
    this.done = every(options.intervalMs, options.signal, () => this.runOnce(), { runFirst: false });
  }

  /** One round (the loop calls it; tests may too). */
  async runOnce(): Promise<void> {
    const { options } = this;
    if (options.signal.aborted || !options.socketHealthy()) return;
    const startedAt = this.now();
    const silent = options
      .tickers()
      .filter((ticker) => !options.inactive.has(ticker) && startedAt - options.lastSocketAtMs(ticker) >= options.silentAfterMs);
    if (silent.length === 0) return;
    const corrected: string[] = [];
    const result = await options.rest.readMarkets(silent, {
      signal: options.signal,
      priority: PRIORITY_RECONCILE,
      onPage: (page) => {
        const quotes = quotesToApply(page, options.inactive, options.onInvalid);
        // The socket fell over during the round: the fallback poller is the source now.
        if (!options.socketHealthy()) return;
        const drifted = findDrift(quotes, (t) => options.current(t), (t) => options.lastSocketAtMs(t), startedAt);
        if (drifted.length === 0) return;
        options.apply(drifted);
        options.onCorrections(drifted.length);
        for (const quote of drifted) corrected.push(quote.ticker);
      },
    });
    if (result.aborted) return;
    if (corrected.length > 0) {
      options.log.warn(
        { corrected: corrected.length, markets: corrected.slice(0, 10), silentRead: silent.length },
        'reconciliation corrected prices the socket had not delivered',
      );
    }
    if (result.unread.length > 0) {
      options.log.warn({ unread: result.unread.length, why: result.failures.slice(0, 3) }, 'reconciliation could not read some markets; next round');
    }
    const repeat = this.tracker.record(corrected, startedAt, (t) => options.lastSocketAtMs(t));
    if (repeat.length > 0 && options.socketHealthy()) {
      options.log.warn({ markets: repeat.slice(0, 10), count: repeat.length }, 'markets corrected twice in a row: subscribing them again');
      options.resubscribe(repeat);
    }
  }
}
