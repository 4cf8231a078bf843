import type { Logger } from 'pino';
import type { MarketQuote } from '../prices/types';
import { every } from '../timing/every';
import type { InactiveMarkets } from './inactive-markets';
import { DriftTracker, findDrift } from './reconcile';
import type { KalshiRest } from './rest-client';
import { quotesToApply, type InvalidSink } from './rest-page';

/** What the reconciler reads of the book: each market's quote shown and its last socket tick. */
export interface ReconcileBookView {
  quoteOf(ticker: string): MarketQuote | undefined;
  /** Local receive time of the market's last socket tick in this term; 0 = none. */
  socketAtOf(ticker: string): number;
}

/** The socket side as the reconciler sees it: which markets it serves, and how to subscribe silent ones again. */
export interface ReconcileSocket {
  serves(ticker: string): boolean;
  /** Subscribes these markets again, through the feed's serialized command path. */
  resubscribe(tickers: readonly string[]): void;
}

export interface ReconcilerOptions {
  rest: Pick<KalshiRest, 'readMarkets'>;
  intervalMs: number;
  log: Logger;
  /** The mapped markets. */
  tickers(): readonly string[];
  inactive: InactiveMarkets;
  book: ReconcileBookView;
  /** Only markets the socket serves are reconciled: those in fallback already have REST as their source. */
  socket: ReconcileSocket;
  fallback: { has(ticker: string): boolean };
  sink: { applyRestQuotes(quotes: readonly MarketQuote[]): void };
  corrections: { inc(count: number): void };
  /** Only markets the socket has been silent on this long are read and corrected. */
  silentAfterMs: number;
  onInvalid: InvalidSink;
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
 * Repairs subscriptions that went silently dead: every `intervalMs`, it reads from REST the markets the socket
 * serves but has been silent on, applies the differences (never to a market the socket ticked meanwhile), and
 * subscribes again, alone, a market corrected in two rounds in a row with no tick between. One object per leader
 * term, run by `run(signal)`.
 */
export class Reconciler {
  private readonly tracker = new DriftTracker();
  private readonly now: () => number;

  constructor(private readonly options: ReconcilerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** A round every `intervalMs` until the signal aborts (the read in flight is aborted with it). */
  run(signal: AbortSignal): Promise<void> {
    return every(this.options.intervalMs, signal, () => this.runOnce(signal), { runFirst: false });
  }

  /** One round (the loop calls it; tests may too). */
  async runOnce(signal: AbortSignal): Promise<void> {
    const { options } = this;
    if (signal.aborted) return;
    const socketServes = (ticker: string) => options.socket.serves(ticker) && !options.fallback.has(ticker);
    const startedAt = this.now();
    const silent = options
      .tickers()
      .filter((ticker) => !options.inactive.has(ticker) && socketServes(ticker) && startedAt - options.book.socketAtOf(ticker) >= options.silentAfterMs);
    if (silent.length === 0) return;
    const corrected: string[] = [];
    const lastSocketAt = (ticker: string) => options.book.socketAtOf(ticker);
    const result = await options.rest.readMarkets(silent, {
      signal,
      priority: PRIORITY_RECONCILE,
      onPage: (page) => {
        // A market whose socket fell over during the round is the fallback poller's now.
        const quotes = quotesToApply(page, options.inactive, options.onInvalid).filter((quote) => socketServes(quote.ticker));
        const drifted = findDrift(quotes, (t) => options.book.quoteOf(t), lastSocketAt, startedAt);
        if (drifted.length === 0) return;
        options.sink.applyRestQuotes(drifted);
        options.corrections.inc(drifted.length);
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
    const repeat = this.tracker.record(corrected, startedAt, lastSocketAt).filter(socketServes);
    if (repeat.length > 0) {
      options.log.warn({ markets: repeat.slice(0, 10), count: repeat.length }, 'markets corrected twice in a row: subscribing them again');
      options.socket.resubscribe(repeat);
    }
  }
}
