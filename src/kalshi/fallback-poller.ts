import type { Logger } from 'pino';
import type { MarketQuote } from '../prices/types';
import type { FallbackView } from './fallback-markets';
import type { InactiveMarkets } from './inactive-markets';
import type { KalshiRest, RestPage, RestPassResult } from './rest-client';
import { Wakeup } from '../timing/wakeup';
import { quotesToApply, type InvalidSink } from './rest-page';

/** Where REST answers go: the price pipeline (the book's precedence decides what they may change). */
export interface RestQuoteSink {
  /** `initial`: first reads of markets just mapped or subscribed (the socket may already have ticked them). */
  applyRestQuotes(quotes: readonly MarketQuote[], purpose: 'poll' | 'initial'): void;
}

export interface FallbackPollerOptions {
  rest: Pick<KalshiRest, 'readMarkets'>;
  intervalMs: number;
  log: Logger;
  /** The mapped markets, read at every pass (first reads and /status). */
  mapped(): readonly string[];
  /** The markets in fallback now: the only ones polled. */
  markets: FallbackView;
  inactive: InactiveMarkets;
  sink: RestQuoteSink;
  /** Markets that have a price already need no first read (a market added again after a reconnect gets a snapshot). */
  quoted?: { hasQuote(ticker: string): boolean };
  onInvalid: InvalidSink;
  now?: () => number;
}

export interface FallbackStatus {
  /** Some markets are in fallback (kalshi_fallback_active). */
  active: boolean;
  /** Markets in fallback now: polled, and fed by REST. */
  markets: number;
  /** Markets in fallback that REST has not read in this term yet (readiness waits on them). */
  unread: number;
  /** Full passes over every market in fallback completed in this term. */
  passes: number;
  lastPassMs: number | null;
  lastPassAt: string | null;
  /** Mapped markets read from REST at least once in this term (inactive ones included). */
  readOnce: number;
  /**
   * Mapped markets REST has not read in this term, and a few of them by name. While the socket serves, REST reads
   * only markets without a price, so most are "missing" and that is fine; readiness looks at it only while active.
   */
  missing: number;
  missingSample: string[];
  /** Markets not polled any more because REST says they are not `active`, by status. */
  inactive: Record<string, number>;
  /** First reads of new markets waiting or in flight (while the socket serves). */
  firstReads: number;
}

const PRIORITY_INITIAL = 3;
const PRIORITY_POLL = 5;
const MISSING_SAMPLE = 10;
const CATCH_UP_RETRY_MS = 5000;

/**
 * REST polling of the markets in fallback (and first reads of new markets): one object per leader term, run once
 * by `run(signal)`, which holds ONE polling chain for the term's whole life whatever the socket does, and one
 * first-read chain. The chain polls only the markets in fallback (`markets`, kept by the term from the socket's
 * state): a pass reads them once per `intervalMs`, or back to back when the rate makes a pass longer than that; a
 * market that entered fallback since it was last read is read at once. When no market is in fallback any more the
 * pass in flight is cancelled. Everything ends, timers included, when the signal aborts.
 */
export class FallbackPoller {
  private readonly pollWake = new Wakeup();
  private readonly initialWake = new Wakeup();
  private passAbort: AbortController | undefined;
  private nextPassAtMs = 0;
  /** After a read that left markets unread, those wait this long before the next try (not in a tight loop). */
  private catchUpAtMs = 0;
  private passes = 0;
  private lastPass: { ms: number; at: number } | undefined;
  /** Mapped markets read in this term, and when; bounded by the mapped markets. */
  private readonly readAt = new Map<string, number>();
  private readonly pendingInitial = new Set<string>();
  private firstReadsInFlight = 0;
  private readonly now: () => number;

  constructor(private readonly options: FallbackPollerOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Both chains, until the term's signal aborts; resolves when they have ended. */
  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.pollChain(signal), this.initialChain(signal)]);
  }

  /** The set of markets in fallback changed: poll the newcomers now, or stop the pass when none is left. */
  marketsChanged(): void {
    if (this.options.markets.size === 0) this.passAbort?.abort();
    this.pollWake.wake();
  }

  /**
   * First prices of markets just mapped or subscribed. A market in fallback is polled at once by the chain (it is
   * unread); the others are read by the first-read chain, ahead of any bulk pass at the limiter.
   */
  readInitial(tickers: readonly string[]): void {
    let polled = false;
    const { quoted } = this.options;
    for (const ticker of tickers) {
      if (quoted?.hasQuote(ticker) === true) continue;
      if (this.options.markets.has(ticker)) polled = true;
      else this.pendingInitial.add(ticker);
    }
    if (polled) this.pollWake.wake();
    if (this.pendingInitial.size > 0) this.initialWake.wake();
  }

  status(): FallbackStatus {
    const { markets } = this.options;
    const mapped = this.options.mapped();
    const missing = mapped.filter((ticker) => !this.readAt.has(ticker));
    let unread = 0;
    for (const ticker of markets.tickers()) if (!this.readAt.has(ticker) && !this.options.inactive.has(ticker)) unread += 1;
    return {
      active: markets.size > 0,
      markets: markets.size,
      unread,
      passes: this.passes,
      lastPassMs: this.lastPass?.ms ?? null,
      lastPassAt: this.lastPass === undefined ? null : new Date(this.lastPass.at).toISOString(),
      readOnce: mapped.length - missing.length,
      missing: missing.length,
      missingSample: missing.slice(0, MISSING_SAMPLE),
      inactive: this.options.inactive.byStatus(),
      firstReads: this.pendingInitial.size + this.firstReadsInFlight,
    };
  }

  private async pollChain(signal: AbortSignal): Promise<void> {
    const { markets, inactive } = this.options;
    while (!signal.aborted) {
      this.prune();
      const polled = markets.tickers().filter((ticker) => !inactive.has(ticker));
      if (polled.length === 0) {
        await this.pollWake.wait(signal); // marketsChanged() or readInitial() wakes it
        continue;
      }
      // Entered fallback since its last read (or never read): read at once, not at the next pass.
      const fresh = polled.filter((ticker) => (this.readAt.get(ticker) ?? -Infinity) < (markets.enteredAt(ticker) ?? 0));
      const now = this.now();
      const dueInMs = this.nextPassAtMs - now;
      if (dueInMs <= 0) await this.pass(polled, true, signal);
      // When every polled market is fresh (the map's first load, all of the book entering), it is a full pass.
      else if (fresh.length > 0 && now >= this.catchUpAtMs) await this.pass(fresh, fresh.length === polled.length, signal);
      else await this.pollWake.wait(signal, Math.max(1, fresh.length > 0 ? Math.min(dueInMs, this.catchUpAtMs - now) : dueInMs));
    }
  }

  private async pass(tickers: readonly string[], full: boolean, signal: AbortSignal): Promise<void> {
    const controller = new AbortController();
    const stop = () => controller.abort();
    signal.addEventListener('abort', stop, { once: true });
    this.passAbort = controller;
    const startedAt = this.now();
    let result: RestPassResult;
    try {
      result = await this.options.rest.readMarkets(tickers, {
        signal: controller.signal,
        priority: PRIORITY_POLL,
        onPage: (page) => this.apply(page, 'poll', controller.signal),
      });
    } finally {
      signal.removeEventListener('abort', stop);
      this.passAbort = undefined;
    }
    // An aborted pass leaves its markets due: the next markets to enter fallback start over at once.
    if (result.aborted) return;
    if (full) {
      this.passes += 1;
      this.lastPass = { ms: this.now() - startedAt, at: startedAt };
      this.nextPassAtMs = startedAt + this.options.intervalMs;
    }
    const leftUnread = result.unread.length > 0 || tickers.some((ticker) => (this.readAt.get(ticker) ?? -Infinity) < startedAt);
    if (leftUnread) this.catchUpAtMs = this.now() + Math.min(this.options.intervalMs, CATCH_UP_RETRY_MS);
    this.logFailures(result, full ? 'pass' : 'first read');
  }

  private async initialChain(signal: AbortSignal): Promise<void> {
    const { inactive } = this.options;
    while (!signal.aborted) {
      if (this.pendingInitial.size === 0) {
        await this.initialWake.wait(signal);
        continue;
      }
      const mapped = new Set(this.options.mapped());
      const tickers = [...this.pendingInitial].filter((t) => mapped.has(t) && !inactive.has(t));
      this.pendingInitial.clear();
      if (tickers.length === 0) continue;
      this.firstReadsInFlight = tickers.length;
      try {
        const result = await this.options.rest.readMarkets(tickers, {
          signal,
          priority: PRIORITY_INITIAL,
          onPage: (page) => this.apply(page, 'initial', signal),
        });
        this.logFailures(result, 'first read');
      } finally {
        this.firstReadsInFlight = 0;
      }
    }
  }

  private apply(page: RestPage, purpose: 'poll' | 'initial', signal: AbortSignal): void {
    // The client already drops pages after an abort; this guards a page handed over in the same tick.
    if (signal.aborted) return;
    const quotes = quotesToApply(page, this.options.inactive, this.options.onInvalid);
    const now = this.now();
    for (const ticker of page.completed) this.readAt.set(ticker, now);
    if (quotes.length > 0) this.options.sink.applyRestQuotes(quotes, purpose);
  }

  private logFailures(result: RestPassResult, what: string): void {
    if (result.unread.length === 0 && result.rateLimited === 0) return;
    const detail = { unread: result.unread.length, rateLimited: result.rateLimited, retries: result.retries, why: result.failures.slice(0, 3) };
    if (result.unread.length === 0) {
      this.options.log.warn(detail, `Kalshi REST ${what}: answered 429 Too Many Requests; those pages were read again after a backoff`);
    } else {
      this.options.log.warn(detail, `Kalshi REST ${what}: some markets could not be read; the next pass tries them again`);
    }
  }

  /** Bounds the term's memory to the markets mapped now (a market read once and unmapped is forgotten). */
  private prune(): void {
    const mapped = this.options.mapped();
    if (this.readAt.size <= mapped.length && this.options.inactive.size <= mapped.length) return;
    const keep = new Set(mapped);
    for (const ticker of this.readAt.keys()) if (!keep.has(ticker)) this.readAt.delete(ticker);
    this.options.inactive.retain(keep);
  }
}
