import type { Logger } from 'pino';
import type { MarketQuote } from '../prices/types';
import type { KalshiRest, RestPage, RestPassResult } from './rest-client';
import { quotesToApply, type InvalidSink, type RestStatuses } from './rest-page';

export interface FallbackPollerOptions {
  rest: Pick<KalshiRest, 'readMarkets'>;
  /** The leader term's: its abort ends the chain, cancels the requests in flight and drops late results. */
  signal: AbortSignal;
  intervalMs: number;
  log: Logger;
  /** The mapped markets, read at every pass. */
  tickers(): readonly string[];
  /** The term's market statuses: REST pages feed them; a determined market is not read again. */
  statuses: RestStatuses;
  /** `initial`: first reads of markets just mapped or subscribed (the socket may already have ticked them). */
  onQuotes(quotes: MarketQuote[], purpose: 'poll' | 'initial'): void;
  onInvalid: InvalidSink;
  onActiveChange?(active: boolean): void;
  now?: () => number;
}

export interface FallbackStatus {
  active: boolean;
  /** Full passes over every mapped market completed in this term. */
  passes: number;
  lastPassMs: number | null;
  lastPassAt: string | null;
  /** Mapped markets read from REST at least once in this term (determined ones included). */
  readOnce: number;
  /**
   * Mapped markets REST has not read in this term, and a few of them by name. While the socket serves, REST reads
   * only markets without a price, so most are "missing" and that is fine; readiness looks at it only while active.
   */
  missing: number;
  missingSample: string[];
  /** Markets not polled any more because they are determined, by REST status (docs/CONTRACT.md, "A game's whole life"). */
  determined: Record<string, number>;
  /** First reads of new markets waiting or in flight (while the socket serves). */
  firstReads: number;
}

const PRIORITY_INITIAL = 3;
const PRIORITY_POLL = 5;
const MISSING_SAMPLE = 10;
const CATCH_UP_RETRY_MS = 5000;

/**
 * REST polling while the socket cannot deliver (or is disabled): one object per leader term and ONE
 * polling chain for its whole life, whatever the socket does. `setActive` only flips the flag the chain
 * reads (an `off` also cancels the pass in flight), so flaps never add chains, and no poll goes out while
 * the socket is subscribed. A pass reads every mapped market once per `intervalMs`, or back to back when
 * the rate makes a pass longer than that. Markets never read yet (just mapped) are read at once.
 */
export class FallbackPoller {
  private activeValue = false;
  private passAbort: AbortController | undefined;
  private wake: (() => void) | undefined;
  private nextPassAtMs = 0;
  /** After a first read that failed, unread markets wait this long before the next try (not in a tight loop). */
  private catchUpAtMs = 0;
  private passes = 0;
  private lastPass: { ms: number; at: number } | undefined;
  private readonly readOnce = new Set<string>();
  private readonly pendingInitial = new Set<string>();
  private initialChain: Promise<void> | undefined;
  private firstReadsInFlight = 0;
  private readonly now: () => number;
  /** Settles when the polling chain has ended (after the term's abort). */
  readonly done: Promise<void>;

  constructor(private readonly options: FallbackPollerOptions) {
    this.now = options.now ?? Date.now;
    options.signal.addEventListener('abort', () => this.poke(), { once: true });
    this.done = this.chain();
  }

  get active(): boolean {
    return this.activeValue;
  }

  setActive(active: boolean, reason: string): void {
    if (this.options.signal.aborted || active === this.activeValue) return;
    this.activeValue = active;
    const { log, intervalMs } = this.options;
    if (active) log.warn({ reason, intervalMs }, 'REST fallback polling on');
    else {
      this.passAbort?.abort();
      log.info({ reason }, 'REST fallback polling off');
    }
    this.options.onActiveChange?.(active);
    this.poke();
  }

  /**
   * First prices of markets just mapped or subscribed. While polling, the chain reads them at once (they are
   * unread); otherwise one first-read chain reads them, ahead of any bulk pass at the limiter.
   */
  readInitial(tickers: readonly string[]): void {
    if (this.options.signal.aborted || tickers.length === 0) return;
    if (this.activeValue) {
      this.poke();
      return;
    }
    for (const ticker of tickers) this.pendingInitial.add(ticker);
    this.initialChain ??= this.readPendingInitial().finally(() => {
      this.initialChain = undefined;
    });
  }

  status(): FallbackStatus {
    const mapped = this.options.tickers();
    const missing = mapped.filter((ticker) => !this.readOnce.has(ticker));
    return {
      active: this.activeValue,
      passes: this.passes,
      lastPassMs: this.lastPass?.ms ?? null,
      lastPassAt: this.lastPass === undefined ? null : new Date(this.lastPass.at).toISOString(),
      readOnce: mapped.length - missing.length,
      missing: missing.length,
      missingSample: missing.slice(0, MISSING_SAMPLE),
      determined: this.options.statuses.byStatus(),
      firstReads: this.pendingInitial.size + this.firstReadsInFlight,
    };
  }

  private async chain(): Promise<void> {
    const { signal } = this.options;
    while (!signal.aborted) {
      if (!this.activeValue) {
        await this.sleep(undefined);
        continue;
      }
      const mapped = this.options.tickers();
      this.prune(mapped);
      const polled = mapped.filter((ticker) => !this.options.statuses.has(ticker));
      const unread = polled.filter((ticker) => !this.readOnce.has(ticker));
      const now = this.now();
      const dueInMs = this.nextPassAtMs - now;
      if (dueInMs <= 0 && polled.length > 0) await this.pass(polled, true);
      // Unread markets are read at once; when that is every market (the map's first load), it is a full pass.
      else if (unread.length > 0 && now >= this.catchUpAtMs) await this.pass(unread, unread.length === polled.length);
      else if (polled.length === 0) await this.sleep(this.options.intervalMs); // nothing mapped: readInitial wakes it
      else await this.sleep(Math.max(1, unread.length > 0 ? Math.min(dueInMs, this.catchUpAtMs - now) : dueInMs));
    }
  }

  private async pass(tickers: readonly string[], full: boolean): Promise<void> {
    const controller = new AbortController();
    const stop = () => controller.abort();
    this.options.signal.addEventListener('abort', stop, { once: true });
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
      this.options.signal.removeEventListener('abort', stop);
      this.passAbort = undefined;
    }
    // An aborted pass leaves its markets due: the next activation starts over at once.
    if (result.aborted) return;
    if (full) {
      this.passes += 1;
      this.lastPass = { ms: this.now() - startedAt, at: startedAt };
      this.nextPassAtMs = startedAt + this.options.intervalMs;
    }
    if (result.unread.length > 0) this.catchUpAtMs = this.now() + Math.min(this.options.intervalMs, CATCH_UP_RETRY_MS);
    this.logFailures(result, full ? 'pass' : 'first read');
  }

  private async readPendingInitial(): Promise<void> {
    const { signal } = this.options;
    while (this.pendingInitial.size > 0 && !signal.aborted) {
      const mapped = new Set(this.options.tickers());
      const tickers = [...this.pendingInitial].filter((t) => mapped.has(t) && !this.options.statuses.has(t));
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
    if (signal.aborted || this.options.signal.aborted) return;
    const quotes = quotesToApply(page, this.options.statuses, this.options.onInvalid);
    for (const ticker of page.completed) this.readOnce.add(ticker);
    if (quotes.length > 0) this.options.onQuotes(quotes, purpose);
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

  /** Bounds the term's memory to the markets mapped now. */
  private prune(mapped: readonly string[]): void {
    if (this.readOnce.size <= mapped.length) return;
    const keep = new Set(mapped);
    for (const ticker of this.readOnce) if (!keep.has(ticker)) this.readOnce.delete(ticker);
    this.options.statuses.retain(keep);
  }

  /** Until `setActive`, `readInitial`, the term's end, or `ms` (undefined: no timeout). */
  private sleep(ms: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => done(), ms);
      const done = () => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      this.wake = done;
    });
  }

  private poke(): void {
    this.wake?.();
  }
}
