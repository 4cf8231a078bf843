import { KalshiRest, type RestPage, type RestPassResult } from '../../src/kalshi/rest-client';
import { Exchange } from '@kalshi-ingestor/kalshi-sim';
import { HUGE_BODY_BYTES, RestGate } from '../helpers/rest-gate';
import { waitFor } from '../helpers/wait';

/** KalshiRest against an exchange that limits its rate, answers slowly or misbehaves (test/helpers/rest-gate.ts). */

function marketsOf(count: number, label: string): string[] {
  return Array.from({ length: count }, (_, i) => `KX${label}-${String(i).padStart(5, '0')}`);
}

async function withGate(
  options: { ratePerS?: number; burst?: number; delayMs?: number },
  tickers: readonly string[],
  run: (gate: RestGate, exchange: Exchange) => Promise<void>,
): Promise<void> {
  const exchange = new Exchange();
  exchange.add(tickers.map((ticker, i) => ({ ticker, yesBid: 0.3 + (i % 50) / 100, yesAsk: 0.35 + (i % 50) / 100 })));
  const gate = new RestGate({ exchange, ...options });
  await gate.start();
  try {
    await run(gate, exchange);
  } finally {
    await gate.close();
  }
}

async function readAll(
  rest: KalshiRest,
  tickers: readonly string[],
  signal: AbortSignal = new AbortController().signal,
  onPage: (page: RestPage) => void = () => undefined,
): Promise<{ pages: RestPage[]; result: RestPassResult }> {
  const pages: RestPage[] = [];
  const result = await rest.readMarkets(tickers, {
    signal,
    onPage: (page) => {
      pages.push(page);
      onPage(page);
    },
  });
  return { pages, result };
}

const quotedTickers = (pages: readonly RestPage[]) => new Set(pages.flatMap((p) => p.quotes.map((q) => q.ticker)));
const reasons = (pages: readonly RestPage[]) => pages.flatMap((p) => p.invalid.map((i) => i.reason));

describe('KalshiRest', () => {
  it('reads 2,000 markets in requests of at most 100 tickers, each page handed over as it arrives, paced at the rate', async () => {
    const tickers = marketsOf(2000, 'PACE');
    await withGate({ ratePerS: 20 }, tickers, async (gate) => {
      const rest = new KalshiRest({ baseUrl: gate.url, ratePerS: 10 });
      const seenAtPage: number[] = [];
      const { pages, result } = await readAll(rest, tickers, undefined, () => seenAtPage.push(gate.requests.length));
      expect(result).toMatchObject({ requests: 20, pages: 20, rateLimited: 0, unread: [], aborted: false });
      expect(gate.requests.every((r) => r.tickers.length <= 100)).toBe(true);
      expect(quotedTickers(pages).size).toBe(2000);
      expect(pages.every((p) => p.quotes.every((q) => q.source === 'rest'))).toBe(true);
      // Applied as they arrive: the first page was handed over before the last request went out.
      expect(seenAtPage[0]).toBeLessThan(20);
      // Never more than the rate in any window (one extra at a window's edge: half-open windows, start-to-start spacing).
      expect(gate.maxInWindow(1000)).toBeLessThanOrEqual(11);
      expect(gate.rateLimited).toBe(0);
    });
  });

  it('in a deliberate burst over the exchange limit, retries only the 429ed pages and loses none', async () => {
    const tickers = marketsOf(2000, 'BURST');
    await withGate({ ratePerS: 5, burst: 5 }, tickers, async (gate) => {
      const rest = new KalshiRest({ baseUrl: gate.url, ratePerS: 20, baseBackoffMs: 100, maxAttempts: 10 });
      const { pages, result } = await readAll(rest, tickers);
      expect(gate.rateLimited).toBeGreaterThan(0);
      expect(result.rateLimited).toBe(gate.rateLimited);
      expect(result.unread).toEqual([]);
      expect(quotedTickers(pages).size).toBe(2000);
      // Each group was answered exactly once: a 429 repeated its own page, never the pages already read.
      const answered = gate.requests.filter((r) => r.status === 200).map((r) => r.tickers[0]);
      expect(answered).toHaveLength(20);
      expect(new Set(answered).size).toBe(20);
    });
  });

  it.each([
    ['endless-cursor', 'rest_page_limit'],
    ['huge-body', 'rest_body_too_large'],
    ['not-json', 'bad_rest_body'],
  ] as const)('refuses a %s answer (counted as %s), keeps the other groups, and the next read goes on', async (fault, reason) => {
    const tickers = marketsOf(300, `F${fault.length}`);
    const bad = tickers[150];
    await withGate({}, tickers, async (gate) => {
      const rest = new KalshiRest({ baseUrl: gate.url, ratePerS: 100 });
      gate.setFault(fault, (list) => list.includes(bad));
      const first = await readAll(rest, tickers);
      expect(reasons(first.pages)).toEqual([reason]);
      expect(first.result.unread).toHaveLength(100);
      expect(first.result.unread).toContain(bad);
      expect(quotedTickers(first.pages).size).toBe(200);
      if (fault === 'huge-body') expect(gate.hugeBytesSent).toBeLessThan(HUGE_BODY_BYTES / 2);
      if (fault === 'endless-cursor') expect(gate.requestsFor(bad)).toHaveLength(10);
      gate.setFault(undefined);
      const next = await readAll(rest, tickers);
      expect(next.result.unread).toEqual([]);
      expect(quotedTickers(next.pages).size).toBe(300);
    });
  });

  it('retries a 500 with backoff, a bounded number of times, then leaves the group to the next pass', async () => {
    const tickers = marketsOf(200, 'E500');
    await withGate({}, tickers, async (gate) => {
      const rest = new KalshiRest({ baseUrl: gate.url, ratePerS: 100, baseBackoffMs: 10, maxAttempts: 3 });
      gate.setFault('http-500', (list) => list.includes(tickers[0]));
      const { pages, result } = await readAll(rest, tickers);
      expect(gate.requestsFor(tickers[0])).toHaveLength(3);
      expect(result).toMatchObject({ retries: 2, unread: tickers.slice(0, 100) });
      expect(result.failures).toEqual(['HTTP 500 after 3 attempts']);
      expect(quotedTickers(pages).size).toBe(100);
    });
  });

  it('reports markets that are not active, with the final quote of a settled one', async () => {
    const tickers = marketsOf(3, 'STAT');
    await withGate({}, tickers, async (gate, exchange) => {
      exchange.add([
        { ticker: tickers[1], yesBid: 0.99, yesAsk: 0.995, status: 'finalized' },
        { ticker: tickers[2], yesBid: 0.4, yesAsk: 0.45, status: 'closed' },
      ]);
      const rest = new KalshiRest({ baseUrl: gate.url, ratePerS: 100 });
      const { pages } = await readAll(rest, tickers);
      expect(pages).toHaveLength(1);
      expect(pages[0]?.quotes.map((q) => q.ticker)).toEqual([tickers[0]]);
      expect(pages[0]?.inactive).toEqual([
        { ticker: tickers[1], status: 'finalized', finalQuote: expect.objectContaining({ yesBid: 9900, yesAsk: 9950, source: 'rest' }) },
        { ticker: tickers[2], status: 'closed' },
      ]);
      expect(pages[0]?.completed).toEqual(tickers);
    });
  });

  it('aborted mid-pass: what was read so far was handed over, nothing after the abort, no request after it', async () => {
    const tickers = marketsOf(1000, 'ABORT');
    await withGate({ delayMs: 30 }, tickers, async (gate) => {
      const rest = new KalshiRest({ baseUrl: gate.url, ratePerS: 50, concurrency: 2 });
      const controller = new AbortController();
      let handed = 0;
      let requestsAtAbort = -1;
      const { pages, result } = await readAll(rest, tickers, controller.signal, () => {
        handed += 1;
        if (handed !== 3) return;
        controller.abort();
        requestsAtAbort = gate.requests.length;
      });
      expect(result.aborted).toBe(true);
      expect(pages).toHaveLength(3);
      expect(quotedTickers(pages).size).toBe(300);
      await waitFor(() => gate.inFlight === 0, { message: 'requests in flight cancelled' });
      expect(gate.requests.length).toBe(requestsAtAbort);
    });
  });

  it('a black-holed request ends at its timeout (bounded), and at once when the signal aborts', async () => {
    const tickers = marketsOf(100, 'HOLE');
    await withGate({}, tickers, async (gate) => {
      gate.setFault('black-hole');
      const bounded = new KalshiRest({ baseUrl: gate.url, ratePerS: 100, requestTimeoutMs: 100, maxAttempts: 2, baseBackoffMs: 10 });
      const timedOut = await readAll(bounded, tickers);
      expect(timedOut.result.unread).toHaveLength(100);
      expect(timedOut.result.failures).toEqual(['no answer in 100 ms after 2 attempts']);

      const patient = new KalshiRest({ baseUrl: gate.url, ratePerS: 100, requestTimeoutMs: 600_000 });
      const controller = new AbortController();
      const reading = readAll(patient, tickers, controller.signal);
      await waitFor(() => gate.inFlight === 1, { message: 'the request is held' });
      controller.abort();
      const aborted = await reading;
      expect(aborted.result).toMatchObject({ aborted: true, unread: [] });
      expect(aborted.pages).toEqual([]);
      await waitFor(() => gate.inFlight === 0, { message: 'the held request cancelled' });
    });
  });
});
