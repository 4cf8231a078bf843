import pino from 'pino';
import type { FallbackView } from '../../src/kalshi/fallback-markets';
import { FallbackPoller } from '../../src/kalshi/fallback-poller';
import { InactiveMarkets } from '../../src/kalshi/inactive-markets';
import type { InactiveMarket, ReadOptions, RestPage, RestPassResult } from '../../src/kalshi/rest-client';
import type { MarketQuote } from '../../src/prices/types';

/** A stand-in for KalshiRest under fake timers: one page per 100 tickers, each `pageMs` apart. */
class FakeRest {
  calls: string[][] = [];
  /** Pages read, each one request to Kalshi. */
  pages = 0;
  running = 0;
  maxRunning = 0;
  statuses = new Map<string, InactiveMarket>();

  constructor(private readonly pageMs = 10) {}

  async readMarkets(tickers: readonly string[], read: ReadOptions): Promise<RestPassResult> {
    this.calls.push([...tickers]);
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    const result: RestPassResult = { requests: 0, pages: 0, rateLimited: 0, retries: 0, unread: [], failures: [], aborted: false, durationMs: 0 };
    try {
      for (let i = 0; i < tickers.length; i += 100) {
        await new Promise((resolve) => setTimeout(resolve, this.pageMs));
        if (read.signal.aborted) return { ...result, aborted: true };
        const group = tickers.slice(i, i + 100);
        const page: RestPage = { quotes: [], inactive: [], invalid: [], completed: group };
        for (const ticker of group) {
          const inactive = this.statuses.get(ticker);
          if (inactive !== undefined) page.inactive.push(inactive);
          else page.quotes.push(quote(ticker));
        }
        result.pages += 1;
        this.pages += 1;
        read.onPage(page);
      }
      return result;
    } finally {
      this.running -= 1;
    }
  }
}

const quote = (ticker: string): MarketQuote => ({ ticker, yesBid: 4000, yesAsk: 4200, exchangeTimeMs: Date.now(), source: 'rest' });
const tickersOf = (count: number) => Array.from({ length: count }, (_, i) => `KX-${i}`);

function setup(options: { count?: number; intervalMs?: number; pageMs?: number } = {}) {
  const rest = new FakeRest(options.pageMs);
  const controller = new AbortController();
  let mapped = tickersOf(options.count ?? 250);
  const applied: { tickers: string[]; purpose: string }[] = [];
  const invalid: { reason: string; detail?: Record<string, unknown> }[] = [];
  const inactive = new InactiveMarkets();
  let looks = 0;
  // The markets in fallback: every mapped market while "the socket is down", none otherwise.
  let active = false;
  let activatedAt = 0;
  const markets: FallbackView = {
    get size() {
      return active ? mapped.length : 0;
    },
    has: (ticker) => active && mapped.includes(ticker),
    tickers: () => {
      looks += 1;
      return active ? [...mapped] : [];
    },
    enteredAt: (ticker) => (active && mapped.includes(ticker) ? activatedAt : undefined),
  };
  const poller = new FallbackPoller({
    rest,
    intervalMs: options.intervalMs ?? 1000,
    log: pino({ level: 'silent' }),
    mapped: () => {
      looks += 1;
      return mapped;
    },
    markets,
    inactive,
    sink: { applyRestQuotes: (quotes, purpose) => void applied.push({ tickers: quotes.map((q) => q.ticker), purpose }) },
    onInvalid: (reason, detail) => invalid.push({ reason, detail }),
  });
  const done = poller.run(controller.signal);
  const setActive = (on: boolean) => {
    if (on !== active) activatedAt = Date.now();
    active = on;
    poller.marketsChanged();
  };
  return {
    rest,
    poller,
    done,
    setActive,
    controller,
    applied,
    invalid,
    inactive,
    setMapped: (list: string[]) => void (mapped = list),
    /** How often the poller has read the mapped markets: a spinning chain reads them thousands of times. */
    looks: () => looks,
  };
}

describe('FallbackPoller', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('keeps ONE polling chain through three flaps in a row, and polls nothing once the socket is back', async () => {
    const { rest, controller, setActive, done } = setup({ count: 1000 });
    for (let flap = 0; flap < 3; flap++) {
      setActive(true);
      await jest.advanceTimersByTimeAsync(25); // mid-pass
      setActive(false);
      await jest.advanceTimersByTimeAsync(1);
    }
    setActive(true);
    await jest.advanceTimersByTimeAsync(5000);
    expect(rest.maxRunning).toBe(1);
    // Mid-pass again ('off' stops the pass in flight too): step to the next pass, then two pages into it.
    for (let step = 0; step < 300 && rest.running === 0; step++) await jest.advanceTimersByTimeAsync(5);
    await jest.advanceTimersByTimeAsync(25);
    expect(rest.running).toBe(1);
    setActive(false);
    const pages = rest.pages;
    const calls = rest.calls.length;
    await jest.advanceTimersByTimeAsync(60_000);
    expect(rest.calls.length).toBe(calls);
    expect(rest.pages).toBe(pages);
    expect(rest.running).toBe(0);
    controller.abort();
    await done;
  });

  it('reads every mapped market once per interval, or back to back when a pass is longer', async () => {
    const quick = setup({ count: 200, intervalMs: 1000, pageMs: 10 });
    quick.setActive(true);
    await jest.advanceTimersByTimeAsync(2500);
    expect(quick.rest.calls.map((c) => c.length)).toEqual([200, 200, 200]); // at 0, 1000, 2000
    quick.controller.abort();

    const slow = setup({ count: 1000, intervalMs: 100, pageMs: 100 }); // a pass takes 1000 ms
    slow.setActive(true);
    await jest.advanceTimersByTimeAsync(3050);
    expect(slow.rest.calls).toHaveLength(4); // at 0, 1000, 2000, 3000: never two at once
    expect(slow.rest.maxRunning).toBe(1);
    expect(slow.poller.status()).toMatchObject({ active: true, passes: 3, lastPassMs: 1000 });
    slow.controller.abort();
    await jest.advanceTimersByTimeAsync(200); // the fake read notices the abort at its next page
    await Promise.all([quick.done, slow.done]);
  });

  it('says which markets are not read yet, until every one has been read once', async () => {
    const { poller, controller, setMapped, setActive, done } = setup({ count: 250, pageMs: 10 });
    setActive(true);
    expect(poller.status()).toMatchObject({ missing: 250, readOnce: 0, missingSample: tickersOf(10) });
    await jest.advanceTimersByTimeAsync(15);
    expect(poller.status()).toMatchObject({ missing: 150, readOnce: 100 });
    await jest.advanceTimersByTimeAsync(20);
    expect(poller.status()).toMatchObject({ missing: 0, readOnce: 250, passes: 1 });
    // A market mapped later is read at once, not at the next pass.
    setMapped([...tickersOf(250), 'KX-NEW']);
    poller.readInitial(['KX-NEW']);
    await jest.advanceTimersByTimeAsync(15);
    expect(poller.status()).toMatchObject({ missing: 0, readOnce: 251, passes: 1 });
    controller.abort();
    await done;
  });

  it('stops polling a market REST says is not active, applies a settled one\'s final quote once, and reads it again after a re-map', async () => {
    const { rest, poller, controller, applied, invalid, inactive, setActive, done } = setup({ count: 3, intervalMs: 1000 });
    rest.statuses.set('KX-1', { ticker: 'KX-1', status: 'finalized', finalQuote: quote('KX-1') });
    rest.statuses.set('KX-2', { ticker: 'KX-2', status: 'closed' });
    setActive(true);
    await jest.advanceTimersByTimeAsync(2500);
    expect(rest.calls).toEqual([['KX-0', 'KX-1', 'KX-2'], ['KX-0'], ['KX-0']]);
    expect(applied.filter((a) => a.tickers.includes('KX-1'))).toHaveLength(1);
    expect(applied.some((a) => a.tickers.includes('KX-2'))).toBe(false);
    expect(invalid.map((i) => [i.reason, i.detail?.ticker, i.detail?.status])).toEqual([
      ['rest_market_inactive', 'KX-1', 'finalized'],
      ['rest_market_inactive', 'KX-2', 'closed'],
    ]);
    expect(poller.status()).toMatchObject({ missing: 0, inactive: { finalized: 1, closed: 1 } });
    inactive.forget(['KX-2']);
    await jest.advanceTimersByTimeAsync(1000);
    expect(rest.calls.at(-1)).toEqual(['KX-0', 'KX-2']);
    controller.abort();
    await done;
  });

  it('ends with the term: the pass in flight stops, and nothing read after the abort is applied', async () => {
    const { rest, poller, controller, applied, setActive, done } = setup({ count: 1000, pageMs: 10 });
    setActive(true);
    await jest.advanceTimersByTimeAsync(35);
    controller.abort();
    const appliedAtAbort = applied.length;
    expect(appliedAtAbort).toBe(3);
    await jest.advanceTimersByTimeAsync(10_000);
    await done;
    expect(applied).toHaveLength(appliedAtAbort);
    expect(rest.calls).toHaveLength(1);
    setActive(true);
    poller.readInitial(['KX-1']);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(rest.calls).toHaveLength(1);
  });

  it('with nothing mapped yet, waits (no spinning) and starts as soon as markets are mapped', async () => {
    const { rest, poller, controller, setMapped, looks, setActive, done } = setup({ count: 0, intervalMs: 1000 });
    setActive(true);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(looks()).toBeLessThan(50);
    expect(rest.calls).toEqual([]);
    setMapped(['KX-A', 'KX-B']);
    poller.readInitial(['KX-A', 'KX-B']);
    await jest.advanceTimersByTimeAsync(15);
    expect(rest.calls).toEqual([['KX-A', 'KX-B']]);
    expect(poller.status()).toMatchObject({ passes: 1, missing: 0 });
    controller.abort();
    await done;
  });

  it('while the socket serves, reads first prices of new markets on one chain, marked initial', async () => {
    const { rest, poller, controller, applied, done } = setup({ count: 300 });
    poller.readInitial(['KX-1', 'KX-2']);
    await jest.advanceTimersByTimeAsync(1); // the first read is in flight
    poller.readInitial(['KX-3']);
    await jest.advanceTimersByTimeAsync(50);
    expect(rest.calls).toEqual([['KX-1', 'KX-2'], ['KX-3']]);
    expect(rest.maxRunning).toBe(1);
    expect(applied.map((a) => a.purpose)).toEqual(['initial', 'initial']);
    controller.abort();
    await done;
  });

  it('polls only the markets in fallback, reads a newcomer at once, and forgets what is no longer mapped', async () => {
    const rest = new FakeRest(10);
    const controller = new AbortController();
    let mapped = ['KX-A1', 'KX-A2', 'KX-B1', 'KX-B2'];
    const fallback = new Map<string, number>();
    const markets: FallbackView = {
      get size() {
        return fallback.size;
      },
      has: (ticker) => fallback.has(ticker),
      tickers: () => [...fallback.keys()],
      enteredAt: (ticker) => fallback.get(ticker),
    };
    const poller = new FallbackPoller({
      rest,
      intervalMs: 1000,
      log: pino({ level: 'silent' }),
      mapped: () => mapped,
      markets,
      inactive: new InactiveMarkets(),
      sink: { applyRestQuotes: () => undefined },
      onInvalid: () => undefined,
    });
    const done = poller.run(controller.signal);
    // Connection B is down: its markets, and only those, are polled.
    fallback.set('KX-B1', Date.now()).set('KX-B2', Date.now());
    poller.marketsChanged();
    await jest.advanceTimersByTimeAsync(2050);
    expect(rest.calls).toEqual([['KX-B1', 'KX-B2'], ['KX-B1', 'KX-B2'], ['KX-B1', 'KX-B2']]);
    expect(poller.status()).toMatchObject({ active: true, markets: 2, unread: 0 });
    // A market of A enters fallback between passes: read at once, not at the next pass.
    fallback.set('KX-A1', Date.now());
    poller.marketsChanged();
    await jest.advanceTimersByTimeAsync(15);
    expect(rest.calls.at(-1)).toEqual(['KX-A1']);
    // A first read of a market the socket serves goes to the first-read chain, not into the polling.
    poller.readInitial(['KX-A2']);
    await jest.advanceTimersByTimeAsync(15);
    expect(rest.calls.at(-1)).toEqual(['KX-A2']);
    expect(poller.status()).toMatchObject({ readOnce: 4, missing: 0 });
    // The socket serves everything again: nothing more is polled.
    fallback.clear();
    poller.marketsChanged();
    const calls = rest.calls.length;
    await jest.advanceTimersByTimeAsync(10_000);
    expect(rest.calls).toHaveLength(calls);
    expect(poller.status()).toMatchObject({ active: false, markets: 0 });
    // Markets read once and then unmapped are forgotten (the memory is bounded by the mapped markets).
    mapped = ['KX-A1'];
    fallback.set('KX-A1', Date.now());
    poller.marketsChanged();
    await jest.advanceTimersByTimeAsync(15);
    expect(poller.status()).toMatchObject({ readOnce: 1, missing: 0 });
    expect((poller as unknown as { readAt: Map<string, number> }).readAt.size).toBe(1);
    controller.abort();
    await done;
  });
});
