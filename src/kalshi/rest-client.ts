import { setTimeout as sleep } from 'node:timers/promises';
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import Bottleneck from 'bottleneck';
import type { DropReason } from '../observability/drop-reasons';
import { makeQuote } from '../prices/quote';
import type { MarketQuote } from '../prices/types';
import { DETERMINED_REST_STATUSES } from './lifecycle';
import { readBodyCapped, RestBodyError } from './rest-body';
import { EXCHANGE_STATUS_MAX_BYTES, EXCHANGE_STATUS_PATH, readExchangeTrading } from './exchange-status';
import type { ExchangeTrading } from '../feed-health/feed-state';

export { RestBodyError } from './rest-body';

/** Kalshi publishes no maximum for `tickers`; 100 keeps URLs short and pages small (docs/KALSHI.md). */
export const TICKERS_PER_REQUEST = 100;

const RestMarketSchema = Type.Object({
  ticker: Type.String({ minLength: 1 }),
  status: Type.Optional(Type.String({ maxLength: 100 })),
  result: Type.Optional(Type.Unknown()),
  yes_bid_dollars: Type.Optional(Type.String()),
  yes_ask_dollars: Type.Optional(Type.String()),
  yes_bid: Type.Optional(Type.Number()),
  yes_ask: Type.Optional(Type.Number()),
});
const MarketsPageSchema = Type.Object({
  markets: Type.Array(Type.Unknown()),
  cursor: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});
const checkMarket = TypeCompiler.Compile(RestMarketSchema);
const checkPage = TypeCompiler.Compile(MarketsPageSchema);

export type RestMarket = Static<typeof RestMarketSchema>;

/** What REST said of one market's place in its life (docs/KALSHI.md, "REST market data"). */
export interface RestMarketStatus {
  ticker: string;
  /** Kalshi's word: initialized, active, inactive, closed, determined, disputed, amended, finalized (settled). */
  status: string;
  /** `yes`, `no`, empty, or absent: read only for a determined market. */
  result: unknown;
  /** A determined market's last quote (applied once, when it is first seen determined), if readable. */
  quote?: MarketQuote;
}

export interface RestProblem {
  reason: DropReason;
  ticker?: string;
  detail?: string;
}

/** What one page (or one failed request group) brought: applied by the caller as it arrives. */
export interface RestPage {
  /**
   * Quotes of every market that is not determined (initialized, inactive and closed ones too: what the book makes
   * of them is its own rule), `source: 'rest'`, stamped with the receive time (REST has no exchange time).
   */
  quotes: MarketQuote[];
  /** Every well-formed market's status and result. */
  statuses: RestMarketStatus[];
  /** When the request that brought this page was sent (local ms): a status newer than that is not overruled by it. */
  requestedAtMs: number;
  /** Malformed entries, or a refused body (`bad_rest_body`, `rest_body_too_large`, `rest_page_limit`). */
  invalid: RestProblem[];
  /** Tickers whose read finished with this page: the request group's tickers, on its last page. */
  completed: readonly string[];
}

export interface RestPassResult {
  requests: number;
  pages: number;
  /** Answers 429 Too Many Requests (each retried after a backoff). */
  rateLimited: number;
  /** Requests retried after a 429, an HTTP error, a timeout or a network error. */
  retries: number;
  /** Tickers whose group could not be read in this pass (retries exhausted or body refused); the next pass tries again. */
  unread: string[];
  /** Why groups were left unread (at most one line per group), for the caller's log. */
  failures: string[];
  /** The signal ended the pass: nothing was applied after it. */
  aborted: boolean;
  durationMs: number;
}

export interface ReadOptions {
  signal: AbortSignal;
  onPage(page: RestPage): void;
  /** Lower runs first when requests wait for the rate (Bottleneck's 0–9): first reads go before a bulk pass. */
  priority?: number;
  /** Requests of this read in flight at once, at most the client's own (default: the client's). */
  concurrency?: number;
}

export interface KalshiRestOptions {
  baseUrl: string;
  /** Requests per second, every use together (KALSHI_REST_RATE_PER_S). */
  ratePerS: number;
  /** One request, headers and body, at most this long (default 10 s). */
  requestTimeoutMs?: number;
  /** A body past this is abandoned unread (default 8 MiB; a page of 100 markets is tens of KiB). */
  maxBodyBytes?: number;
  /** Pages followed for one request group before its cursor is deemed endless (default 10; one page is normal). */
  maxPagesPerGroup?: number;
  /** Attempts of one page before the group is left for the next pass (default 6). */
  maxAttempts?: number;
  /** First retry delay; doubled at each attempt, with full jitter, up to `maxBackoffMs` (defaults 250 ms, 8 s). */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** Groups read at once: enough to keep the rate with slow answers; the limiter still paces every request. */
  concurrency?: number;
  random?: () => number;
}

type PageOutcome =
  | { kind: 'page'; body: Static<typeof MarketsPageSchema>; requestedAtMs: number }
  | { kind: 'retry'; why: string; rateLimited: boolean }
  | { kind: 'refused'; reason: DropReason; detail: string }
  /** An answer retrying cannot change (a 4xx other than 429): the group waits for the next pass. */
  | { kind: 'failed'; why: string };

/** One read of GET /exchange/status: not retried (the next interval reads again). */
export type ExchangeStatusRead =
  | { kind: 'ok'; trading: ExchangeTrading }
  /** A body that is not an exchange status (`bad_rest_body`) or is too large (`rest_body_too_large`). */
  | { kind: 'invalid'; reason: string; detail: string }
  | { kind: 'failed'; why: string }
  | { kind: 'aborted' };

class Aborted extends Error {}

/**
 * Kalshi's public market data over REST, paced by one limiter for every use in the process. Each request
 * waits for its turn (a minimum spacing of 1/rate: never more than the rate in any window), carries at
 * most 100 tickers, can be cancelled by the caller's signal and times out by itself. Pages are handed to
 * `onPage` as they arrive; a failing page is retried alone, with backoff, and the pages already read stay read.
 */
export class KalshiRest {
  private readonly limiter: Bottleneck;
  private readonly requestTimeoutMs: number;
  private readonly maxBodyBytes: number;
  private readonly maxPagesPerGroup: number;
  private readonly maxAttempts: number;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly concurrency: number;
  private readonly random: () => number;

  constructor(private readonly options: KalshiRestOptions) {
    if (!(options.ratePerS > 0)) throw new RangeError(`ratePerS must be above 0, got ${options.ratePerS}`);
    this.limiter = new Bottleneck({ minTime: Math.ceil(1000 / options.ratePerS), maxConcurrent: null });
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.maxBodyBytes = options.maxBodyBytes ?? 8 * 1024 * 1024;
    this.maxPagesPerGroup = options.maxPagesPerGroup ?? 10;
    this.maxAttempts = options.maxAttempts ?? 6;
    this.baseBackoffMs = options.baseBackoffMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 8000;
    // With 500 ms answers, rate/2 groups in flight keep the rate; never fewer than 1 or more than 8.
    this.concurrency = options.concurrency ?? Math.max(1, Math.min(8, Math.ceil(options.ratePerS / 2)));
    this.random = options.random ?? Math.random;
  }

  /** Reads these markets in groups of at most 100, handing every page to `onPage` as it arrives. Never throws. */
  async readMarkets(tickers: readonly string[], given: ReadOptions): Promise<RestPassResult> {
    const started = Date.now();
    const groups = chunk([...new Set(tickers)], TICKERS_PER_REQUEST);
    const result: RestPassResult = { requests: 0, pages: 0, rateLimited: 0, retries: 0, unread: [], failures: [], aborted: false, durationMs: 0 };
    // One listener on the caller's (long-lived, shared) signal per read whatever its concurrency: the workers'
    // turns, requests and backoffs listen to this read's own signal, aborted with it.
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    if (given.signal.aborted) controller.abort();
    else given.signal.addEventListener('abort', onAbort, { once: true });
    const read: ReadOptions = { ...given, signal: controller.signal };
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < groups.length && !read.signal.aborted) {
        const group = groups[next++];
        const ok = await this.readGroup(group, read, result);
        if (!ok && !read.signal.aborted) result.unread.push(...group);
      }
    };
    const concurrency = Math.max(1, Math.min(read.concurrency ?? this.concurrency, this.concurrency));
    try {
      await Promise.all(Array.from({ length: Math.min(concurrency, groups.length) }, () => worker()));
    } finally {
      given.signal.removeEventListener('abort', onAbort);
    }
    result.aborted = read.signal.aborted;
    result.durationMs = Date.now() - started;
    return result;
  }

  /** Kalshi's exchange status, paced like every other request of the process. Never throws. */
  async readExchangeStatus(read: { signal: AbortSignal; priority?: number }): Promise<ExchangeStatusRead> {
    const { signal } = read;
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    let timer: NodeJS.Timeout | undefined;
    try {
      await this.turn({ signal, priority: read.priority, onPage: () => undefined });
      signal.addEventListener('abort', onAbort, { once: true });
      timer = setTimeout(() => controller.abort(), this.requestTimeoutMs);
      const response = await fetch(`${this.options.baseUrl}${EXCHANGE_STATUS_PATH}`, { signal: controller.signal, headers: { accept: 'application/json' } });
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        return { kind: 'failed', why: `HTTP ${response.status}` };
      }
      const text = await readBodyCapped(response, EXCHANGE_STATUS_MAX_BYTES);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return { kind: 'invalid', reason: 'bad_rest_body', detail: 'exchange status: not JSON' };
      }
      const trading = readExchangeTrading(body);
      if (trading === null) return { kind: 'invalid', reason: 'bad_rest_body', detail: 'not an exchange status' };
      return signal.aborted ? { kind: 'aborted' } : { kind: 'ok', trading };
    } catch (error) {
      if (error instanceof Aborted || signal.aborted) return { kind: 'aborted' };
      if (error instanceof RestBodyError) return { kind: 'invalid', reason: 'rest_body_too_large', detail: error.message };
      return { kind: 'failed', why: controller.signal.aborted ? `no answer in ${this.requestTimeoutMs} ms` : (error as Error).message };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** One group: its pages until the cursor ends. False when the group could not be read whole. */
  private async readGroup(group: readonly string[], read: ReadOptions, result: RestPassResult): Promise<boolean> {
    let cursor = '';
    for (let pageNo = 1; ; pageNo++) {
      if (pageNo > this.maxPagesPerGroup) {
        deliver(read, refusedPage('rest_page_limit', `cursor still not empty after ${this.maxPagesPerGroup} pages`));
        return false;
      }
      const pageRead = await this.readPageWithRetries(group, cursor, read, result);
      if (pageRead === undefined) return false;
      const { body, requestedAtMs } = pageRead;
      const nextCursor = body.cursor ?? '';
      result.pages += 1;
      deliver(read, this.toPage(body, new Set(group), nextCursor === '' ? group : [], requestedAtMs));
      if (nextCursor === '') return true;
      if (nextCursor === cursor) {
        // The same cursor again can only repeat the same page forever.
        deliver(read, refusedPage('rest_page_limit', 'the cursor did not move'));
        return false;
      }
      cursor = nextCursor;
    }
  }

  private async readPageWithRetries(
    group: readonly string[],
    cursor: string,
    read: ReadOptions,
    result: RestPassResult,
  ): Promise<{ body: Static<typeof MarketsPageSchema>; requestedAtMs: number } | undefined> {
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      let outcome: PageOutcome;
      try {
        await this.turn(read);
        result.requests += 1;
        outcome = await this.fetchPage(group, cursor, read.signal);
      } catch (error) {
        if (error instanceof Aborted || read.signal.aborted) return undefined;
        throw error;
      }
      if (outcome.kind === 'page') return outcome;
      if (outcome.kind === 'refused') {
        deliver(read, refusedPage(outcome.reason, outcome.detail));
        return undefined;
      }
      if (outcome.kind === 'failed') {
        result.failures.push(outcome.why);
        return undefined;
      }
      if (outcome.rateLimited) result.rateLimited += 1;
      if (attempt === this.maxAttempts) {
        result.failures.push(`${outcome.why} after ${attempt} attempts`);
        return undefined;
      }
      result.retries += 1;
      // Exponential backoff with full jitter: retries of many pages spread out instead of colliding again.
      const ceiling = Math.min(this.maxBackoffMs, this.baseBackoffMs * 2 ** (attempt - 1));
      try {
        await sleep(ceiling / 2 + this.random() * (ceiling / 2), undefined, { signal: read.signal });
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  /** Waits for this request's turn at the process-wide rate; an abort while waiting gives the turn up. */
  private async turn(read: ReadOptions): Promise<void> {
    if (read.signal.aborted) throw new Aborted();
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new Aborted());
      read.signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      // A job that only marks the start of a request: the request itself runs outside the limiter, so an
      // aborted caller leaves nothing running in it (a waiting turn still costs one slot of 1/rate).
      await Promise.race([this.limiter.schedule({ priority: read.priority ?? 5 }, () => Promise.resolve()), aborted]);
    } finally {
      if (onAbort !== undefined) read.signal.removeEventListener('abort', onAbort);
    }
    if (read.signal.aborted) throw new Aborted();
  }

  private async fetchPage(group: readonly string[], cursor: string, signal: AbortSignal): Promise<PageOutcome> {
    const requestedAtMs = Date.now();
    const url = new URL(`${this.options.baseUrl}/markets`);
    url.searchParams.set('tickers', group.join(','));
    url.searchParams.set('limit', '1000');
    if (cursor !== '') url.searchParams.set('cursor', cursor);
    // One controller for the caller's signal and this request's timeout, unlinked afterwards (no listener
    // piles up on the term's long-lived signal).
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => controller.abort(), this.requestTimeoutMs);
    try {
      const response = await fetch(url, { signal: controller.signal, headers: { accept: 'application/json' } });
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        const why = `HTTP ${response.status}`;
        if (response.status >= 400 && response.status < 500 && response.status !== 429) return { kind: 'failed', why };
        return { kind: 'retry', why, rateLimited: response.status === 429 };
      }
      let text: string;
      try {
        text = await readBodyCapped(response, this.maxBodyBytes);
      } catch (error) {
        if (error instanceof RestBodyError) return { kind: 'refused', reason: 'rest_body_too_large', detail: error.message };
        throw error;
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return { kind: 'refused', reason: 'bad_rest_body', detail: 'not JSON' };
      }
      if (!checkPage.Check(body)) return { kind: 'refused', reason: 'bad_rest_body', detail: 'not a markets page' };
      return { kind: 'page', body, requestedAtMs };
    } catch (error) {
      if (signal.aborted) throw new Aborted();
      const why = controller.signal.aborted ? `no answer in ${this.requestTimeoutMs} ms` : (error as Error).message;
      return { kind: 'retry', why, rateLimited: false };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  private toPage(body: Static<typeof MarketsPageSchema>, requested: ReadonlySet<string>, completed: readonly string[], requestedAtMs: number): RestPage {
    const page: RestPage = { quotes: [], statuses: [], requestedAtMs, invalid: [], completed };
    const receivedAt = Date.now();
    for (const market of body.markets) {
      if (!checkMarket.Check(market) || !requested.has(market.ticker)) {
        page.invalid.push({ reason: 'bad_rest_market' });
        continue;
      }
      const quote = makeQuote(
        market.ticker,
        { dollars: market.yes_bid_dollars, cents: market.yes_bid },
        { dollars: market.yes_ask_dollars, cents: market.yes_ask },
        receivedAt,
        'rest',
      );
      // Kalshi always sends a status; a body without one is read as trading, as before statuses were read.
      const status: RestMarketStatus = { ticker: market.ticker, status: market.status ?? 'active', result: market.result };
      page.statuses.push(status);
      if (DETERMINED_REST_STATUSES.has(status.status)) {
        if (typeof quote !== 'string') status.quote = quote;
        continue;
      }
      if (typeof quote === 'string') page.invalid.push({ reason: quote, ticker: market.ticker });
      else page.quotes.push(quote);
    }
    return page;
  }
}

/** A result that arrives after the caller's signal ended is dropped, never applied. */
function deliver(read: ReadOptions, page: RestPage): void {
  if (!read.signal.aborted) read.onPage(page);
}

function refusedPage(reason: DropReason, detail: string): RestPage {
  return { quotes: [], statuses: [], requestedAtMs: 0, invalid: [{ reason, detail }], completed: [] };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
