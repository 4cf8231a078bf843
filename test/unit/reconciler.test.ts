import pino from 'pino';
import { InactiveMarkets } from '../../src/kalshi/inactive-markets';
import { Reconciler } from '../../src/kalshi/reconciler';
import type { ReadOptions, RestPage, RestPassResult } from '../../src/kalshi/rest-client';
import type { MarketQuote } from '../../src/prices/types';

let clock = 1_000_000;
const q = (ticker: string, yesBid: number, yesAsk: number, source: 'socket' | 'rest' = 'rest'): MarketQuote => ({
  ticker,
  yesBid,
  yesAsk,
  exchangeTimeMs: clock,
  source,
});

/** REST as the exchange has it now; `during` runs while the read is in flight (a socket tick racing it). */
class FakeRest {
  calls: string[][] = [];
  prices = new Map<string, MarketQuote>();
  during: (() => void) | undefined;

  async readMarkets(tickers: readonly string[], read: ReadOptions): Promise<RestPassResult> {
    this.calls.push([...tickers]);
    await Promise.resolve();
    this.during?.();
    const page: RestPage = { quotes: [], inactive: [], invalid: [], completed: tickers };
    for (const ticker of tickers) {
      const price = this.prices.get(ticker);
      if (price !== undefined) page.quotes.push(price);
    }
    if (read.signal.aborted) return { requests: 1, pages: 0, rateLimited: 0, retries: 0, unread: [], failures: [], aborted: true, durationMs: 10 };
    read.onPage(page);
    return { requests: 1, pages: 1, rateLimited: 0, retries: 0, unread: [], failures: [], aborted: false, durationMs: 10 };
  }
}

function setup() {
  const rest = new FakeRest();
  const controller = new AbortController();
  const book = new Map<string, MarketQuote>();
  const socketAt = new Map<string, number>();
  const resubscribed: string[][] = [];
  let corrections = 0;
  const tick = (quote: MarketQuote) => {
    book.set(quote.ticker, quote);
    socketAt.set(quote.ticker, clock);
  };
  const fallback = new Set<string>();
  const reconciler = new Reconciler({
    rest,
    // The loop is the shared `every` helper; here each round is run by hand on a fake clock.
    intervalMs: 3_600_000,
    now: () => clock,
    log: pino({ level: 'silent' }),
    tickers: () => ['A', 'B', 'C'],
    inactive: new InactiveMarkets(),
    book: { quoteOf: (ticker) => book.get(ticker), socketAtOf: (ticker) => socketAt.get(ticker) ?? 0 },
    silentAfterMs: 500,
    socket: { serves: () => true, resubscribe: (tickers) => resubscribed.push([...tickers]) },
    fallback,
    sink: { applyRestQuotes: (quotes) => quotes.forEach((quote) => book.set(quote.ticker, quote)) },
    corrections: { inc: (count) => void (corrections += count) },
    onInvalid: () => undefined,
  });
  const done = reconciler.run(controller.signal);
  const round = () => reconciler.runOnce(controller.signal);
  return { rest, controller, book, tick, reconciler, round, done, fallback, resubscribed, corrections: () => corrections };
}

describe('Reconciler', () => {
  afterEach(() => void (clock += 1_000_000));

  it('reads only markets the socket has been silent on, and corrects only those', async () => {
    const { rest, controller, book, tick, round, done, corrections } = setup();
    for (const t of ['A', 'B', 'C']) tick(q(t, 4000, 4200, 'socket'));
    rest.prices.set('A', q('A', 4500, 4700));
    rest.prices.set('B', q('B', 4500, 4700));
    clock += 600;
    tick(q('B', 4000, 4200, 'socket')); // B is alive
    clock += 400;
    await round();
    expect(rest.calls).toEqual([['A', 'C']]);
    expect(book.get('A')).toMatchObject({ yesBid: 4500, source: 'rest' });
    expect(book.get('B')).toMatchObject({ yesBid: 4000, source: 'socket' });
    expect(corrections()).toBe(1);
    controller.abort();
    await done;
  });

  it('leaves a market the socket ticked while the read was in flight (a race, not a dead subscription)', async () => {
    const { rest, controller, book, tick, round, corrections } = setup();
    tick(q('A', 4000, 4200, 'socket'));
    rest.prices.set('A', q('A', 4500, 4700));
    rest.during = () => tick(q('A', 4100, 4300, 'socket'));
    clock += 1000;
    await round();
    expect(rest.calls).toHaveLength(1);
    expect(book.get('A')).toMatchObject({ yesBid: 4100, source: 'socket' });
    expect(corrections()).toBe(0);
    controller.abort();
  });

  it('subscribes again only the market corrected in two rounds in a row, not one the socket contradicted between', async () => {
    const { rest, controller, tick, round, resubscribed } = setup();
    tick(q('A', 4000, 4200, 'socket'));
    tick(q('B', 4000, 4200, 'socket'));
    // Both drift from REST; each round REST moves on, so both differ again.
    rest.prices.set('A', q('A', 4500, 4700));
    rest.prices.set('B', q('B', 4500, 4700));
    clock += 1000;
    await round(); // round 1: A and B corrected
    expect(resubscribed).toEqual([]);
    tick(q('B', 4000, 4200, 'socket')); // the socket contradicts B's correction: alive
    rest.prices.set('A', q('A', 4600, 4800));
    rest.prices.set('B', q('B', 4600, 4800));
    clock += 1000;
    await round(); // round 2: A silent since round 1 → resubscribe; B spoke → its count starts over
    expect(resubscribed).toEqual([['A']]);
    controller.abort();
  });

  it('leaves a market in fallback alone: REST is already its source', async () => {
    const { rest, controller, tick, round, fallback } = setup();
    for (const t of ['A', 'B', 'C']) tick(q(t, 4000, 4200, 'socket'));
    fallback.add('B');
    clock += 1000;
    await round();
    expect(rest.calls).toEqual([['A', 'C']]);
    controller.abort();
  });

  it('ends with the term: no round after the abort, nothing applied from a read in flight', async () => {
    const { rest, controller, tick, book, round, done } = setup();
    tick(q('A', 4000, 4200, 'socket'));
    rest.prices.set('A', q('A', 4500, 4700));
    rest.during = () => controller.abort();
    clock += 1000;
    await round();
    await done; // the loop ends with the signal
    expect(book.get('A')).toMatchObject({ yesBid: 4000 });
    await round();
    expect(rest.calls).toHaveLength(1);
  });
});
