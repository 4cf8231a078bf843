import { diffMarketMaps } from '../../src/mapping/market-map';
import { isBelievableExchangeTime, MAX_EXCHANGE_TIME_AGE_MS, MAX_EXCHANGE_TIME_LEAD_MS } from '../../src/prices/exchange-time';
import type { MappedMarket } from '../../src/prices/game-book';
import type { MarketQuote } from '../../src/prices/types';
import { PricePipeline } from '../../src/pipeline/price-pipeline';

const NOW = 1_800_000_000_000;
const home: MappedMarket = { ticker: 'HOU', gameId: 'g1', slug: 'nba-g1', side: 'home' };
const away: MappedMarket = { ticker: 'CHA', gameId: 'g1', slug: 'nba-g1', side: 'away' };
const socket = (ticker: string, yesBid: number | null, yesAsk: number | null, exchangeTimeMs: number): MarketQuote => ({
  ticker,
  yesBid,
  yesAsk,
  exchangeTimeMs,
  source: 'socket',
});
const rest = (ticker: string, yesBid: number | null, yesAsk: number | null, at: number): MarketQuote => ({ ...socket(ticker, yesBid, yesAsk, at), source: 'rest' });

function setup() {
  const events = { queued: 0, unmapped: [] as string[], refused: [] as [string, Record<string, unknown>][] };
  const fallback = new Set<string>();
  const pipeline = new PricePipeline({
    watcher: { queued: () => void (events.queued += 1) },
    complaints: {
      report: (reason, detail = {}) => {
        if (reason === 'unknown_ticker') events.unmapped.push(detail.ticker as string);
        else events.refused.push([reason, detail]);
      },
    },
    fallback,
  });
  const map = (markets: MappedMarket[], before: MappedMarket[] = []) =>
    pipeline.applyMapping(diffMarketMaps(new Map(before.map((m) => [m.ticker, m])), new Map(markets.map((m) => [m.ticker, m]))));
  const drain = () => ({ flush: pipeline.flushQueue.drain(), publish: pipeline.publishQueue.drain() });
  return { pipeline, events, map, drain, fallback };
}

describe('isBelievableExchangeTime', () => {
  it('accepts integer ms within [now − 24 h, now + 60 s], bounds included', () => {
    expect(isBelievableExchangeTime(NOW, NOW)).toBe(true);
    expect(isBelievableExchangeTime(NOW - MAX_EXCHANGE_TIME_AGE_MS, NOW)).toBe(true);
    expect(isBelievableExchangeTime(NOW + MAX_EXCHANGE_TIME_LEAD_MS, NOW)).toBe(true);
    expect(MAX_EXCHANGE_TIME_AGE_MS).toBe(86_400_000);
    expect(MAX_EXCHANGE_TIME_LEAD_MS).toBe(60_000);
  });
  it('refuses a time outside the window, a microsecond ts_ms, a fraction, NaN and infinities', () => {
    expect(isBelievableExchangeTime(NOW - MAX_EXCHANGE_TIME_AGE_MS - 1, NOW)).toBe(false);
    expect(isBelievableExchangeTime(NOW + MAX_EXCHANGE_TIME_LEAD_MS + 1, NOW)).toBe(false);
    expect(isBelievableExchangeTime(NOW * 1000, NOW)).toBe(false);
    expect(isBelievableExchangeTime(NOW + 0.5, NOW)).toBe(false);
    expect(isBelievableExchangeTime(Number.NaN, NOW)).toBe(false);
    expect(isBelievableExchangeTime(Number.POSITIVE_INFINITY, NOW)).toBe(false);
    expect(isBelievableExchangeTime(Math.floor(NOW / 1000), NOW)).toBe(false); // seconds, not ms
  });
});

describe('PricePipeline.applyQuote', () => {
  it('refuses a tick 4 minutes in the future (bad_timestamp), so it cannot freeze its game until our clock catches up', () => {
    const { pipeline, events, map, drain } = setup();
    map([home]);
    pipeline.applyQuote(socket('HOU', 5000, 5200, NOW + 4 * 60_000), NOW);
    expect(events.refused).toEqual([['bad_timestamp', expect.objectContaining({ ticker: 'HOU' })]]);
    drain();
    pipeline.applyQuote(socket('HOU', 6000, 6200, NOW + 1000), NOW + 1000); // the next real tick is applied
    expect(drain().flush).toMatchObject([{ homeTeam: { kalshiBuyPrice: 62, kalshiSellPrice: 60 } }]);
  });

  it('lastQuoteAtMs ages on accepted quotes only: refused, stale and unmapped ones leave it', () => {
    const { pipeline, map } = setup();
    map([home]);
    pipeline.applyQuote(socket('HOU', 5000, 5200, NOW), NOW);
    expect(pipeline.lastQuoteAtMs).toBe(NOW);
    pipeline.applyQuote(socket('HOU', 5000, 5200, NOW * 1000), NOW + 1000); // bad_timestamp
    pipeline.applyQuote(socket('HOU', 5100, 5300, NOW - 1), NOW + 2000); // older than the last applied
    pipeline.applyQuote(socket('NOPE', 5100, 5300, NOW + 3000), NOW + 3000); // unmapped
    expect(pipeline.lastQuoteAtMs).toBe(NOW);
    pipeline.applyQuote(socket('HOU', 5000, 5200, NOW + 4000), NOW + 4000); // same prices, newer: the market is alive
    expect(pipeline.lastQuoteAtMs).toBe(NOW + 4000);
  });

  it('queues a changed game in both queues and says so once', () => {
    const { pipeline, events, map, drain } = setup();
    map([home]);
    pipeline.applyQuote(socket('HOU', 5000, 5200, NOW), NOW + 5);
    expect(events.queued).toBe(1);
    expect(pipeline.lastQuoteAtMs).toBe(NOW + 5);
    const { flush, publish } = drain();
    expect(flush).toEqual(publish);
    expect(flush).toMatchObject([{ gameId: 'g1', homeTeam: { kalshiBuyPrice: 52, kalshiSellPrice: 50 }, updatedAtMs: NOW }]);
  });

  it('drops a tick with a bad exchange time, counts it as bad_timestamp, and keeps no high-water mark from it', () => {
    const { pipeline, events, map, drain } = setup();
    map([home]);
    pipeline.applyQuote(socket('HOU', 5000, 5200, NOW), NOW);
    drain();
    for (const bad of [NOW * 1000, NOW + 0.5, NOW - MAX_EXCHANGE_TIME_AGE_MS - 1, NOW + 10 + MAX_EXCHANGE_TIME_LEAD_MS + 1]) {
      pipeline.applyQuote(socket('HOU', 1000, 1200, bad), NOW + 10);
    }
    expect(events.refused.map(([reason]) => reason)).toEqual(['bad_timestamp', 'bad_timestamp', 'bad_timestamp', 'bad_timestamp']);
    expect(events.refused[0]?.[1]).toEqual({ ticker: 'HOU', exchangeTimeMs: NOW * 1000, source: 'socket' });
    expect(events.queued).toBe(1);
    expect(pipeline.flushQueue.size + pipeline.publishQueue.size).toBe(0);
    // The next good tick applies, and the version is its exchange time.
    pipeline.applyQuote(socket('HOU', 5100, 5200, NOW + 20), NOW + 20);
    expect(drain().flush).toMatchObject([{ updatedAtMs: NOW + 20, homeTeam: { kalshiSellPrice: 51 } }]);
  });

  it('a size-only frame (same bid and ask) queues nothing for publish or flush', () => {
    const { pipeline, events, map, drain } = setup();
    map([home]);
    pipeline.applyQuote(socket('HOU', 5000, 5200, NOW), NOW);
    drain();
    const queued = events.queued;
    pipeline.applyQuote(socket('HOU', 5000, 5200, NOW + 100), NOW + 100);
    expect(events.queued).toBe(queued);
    expect(pipeline.flushQueue.size).toBe(0);
    expect(pipeline.publishQueue.size).toBe(0);
  });

  it('reports an unmapped ticker and ignores stale and outranked quotes quietly', () => {
    const { pipeline, events, map } = setup();
    map([home]);
    pipeline.applyQuote(socket('NOPE', 5000, 5200, NOW), NOW);
    expect(events.unmapped).toEqual(['NOPE']);
    pipeline.applyQuote(socket('HOU', 5000, 5200, NOW), NOW);
    pipeline.applyQuote(socket('HOU', 4000, 4200, NOW - 1), NOW);
    pipeline.applyQuote(rest('HOU', 3000, 3200, NOW + 1), NOW + 1);
    expect(events.queued).toBe(1);
    expect(events.refused).toEqual([]);
  });

  it('REST feeds a socket-quoted market only while that market is in fallback, never its neighbour', () => {
    const { pipeline, events, map, fallback } = setup();
    map([home, away]);
    pipeline.applyQuote(socket('HOU', 5000, 5200, NOW), NOW);
    pipeline.applyQuote(socket('CHA', 4700, 4900, NOW), NOW);
    pipeline.applyQuote(rest('HOU', 3000, 3200, NOW + 1), NOW + 1);
    expect(events.queued).toBe(2);
    fallback.add('HOU');
    pipeline.applyQuote(rest('HOU', 3000, 3200, NOW + 2), NOW + 2);
    expect(events.queued).toBe(3);
    // CHA ticks on a healthy connection: REST leaves it alone.
    pipeline.applyQuote(rest('CHA', 1000, 1200, NOW + 2), NOW + 2);
    expect(events.queued).toBe(3);
    expect(pipeline.book.quoteOf('CHA')).toMatchObject({ yesAsk: 4900, source: 'socket' });
    fallback.delete('HOU');
    pipeline.applyQuote(socket('HOU', 5000, 5300, NOW + 3), NOW + 3);
    pipeline.applyQuote(rest('HOU', 3100, 3200, NOW + 4), NOW + 4);
    expect(events.queued).toBe(4);
    expect(pipeline.book.quoteOf('HOU')).toMatchObject({ yesAsk: 5300, source: 'socket' });
  });

  it('stamps a REST quote with its receive time, whatever the reader put in exchangeTimeMs, and never calls it bad_timestamp', () => {
    const { pipeline, events, map, drain } = setup();
    map([home]);
    pipeline.applyQuote({ ...rest('HOU', 4000, 4200, 0), exchangeTimeMs: 0 }, NOW);
    expect(events.refused).toEqual([]);
    expect(drain().publish).toMatchObject([{ tickTimeMs: NOW, updatedAtMs: NOW, homeTeam: { kalshiBuyPrice: 42 } }]);
    pipeline.applyQuote(rest('HOU', 4100, 4200, NOW + 7), NOW + 7);
    expect(drain().publish).toMatchObject([{ tickTimeMs: NOW + 7 }]);
  });

  it('initial REST quotes fill markets without a quote and leave socket-quoted ones alone', () => {
    const { pipeline, map, drain } = setup();
    map([home, away]);
    pipeline.applyQuote(socket('HOU', 5000, 5200, NOW), NOW);
    drain();
    pipeline.applyRestQuotes([rest('HOU', 1000, 1200, NOW + 1), rest('CHA', 4700, 4900, NOW + 1)]);
    expect(drain().publish).toMatchObject([{ homeTeam: { kalshiBuyPrice: 52 }, awayTeam: { kalshiBuyPrice: 49 }, updatedAtMs: NOW }]);
  });

  it('reset forgets markets and queues', () => {
    const { pipeline, map } = setup();
    map([home]);
    pipeline.applyQuote(socket('HOU', 5000, 5200, NOW), NOW);
    pipeline.reset();
    expect(pipeline.book.marketCount).toBe(0);
    expect(pipeline.flushQueue.size + pipeline.publishQueue.size).toBe(0);
  });

  it('takes nothing more once the term\'s signal has aborted', () => {
    const controller = new AbortController();
    const pipeline = new PricePipeline({ complaints: { report: () => undefined }, signal: controller.signal });
    pipeline.applyMapping(diffMarketMaps(new Map(), new Map([[home.ticker, home]])));
    controller.abort();
    pipeline.applyQuote(socket('HOU', 5000, 5200, NOW), NOW);
    expect(pipeline.book.hasQuote('HOU')).toBe(false);
    expect(pipeline.publishQueue.size).toBe(0);
  });
});

describe('PricePipeline.applyMapping', () => {
  it('a side swap keeps each market\'s own quote and queues the new state at once', () => {
    const { pipeline, events, map, drain } = setup();
    map([home, away]);
    pipeline.applyQuote(socket('HOU', 6000, 6200, NOW), NOW);
    pipeline.applyQuote(socket('CHA', 3000, 3100, NOW + 1), NOW + 1);
    drain();
    const queued = events.queued;
    map([{ ...home, side: 'away' }, { ...away, side: 'home' }], [home, away]);
    expect(events.queued).toBe(queued + 1);
    expect(events.refused).toEqual([]);
    const { flush, publish } = drain();
    expect(publish).toEqual(flush);
    expect(publish).toMatchObject([
      { gameId: 'g1', awayTeam: { kalshiBuyPrice: 62, kalshiSellPrice: 60 }, homeTeam: { kalshiBuyPrice: 31, kalshiSellPrice: 30 }, updatedAtMs: NOW + 1 },
    ]);
  });

  it('a market moved to another game keeps its quote; both games are queued', () => {
    const { pipeline, map, drain } = setup();
    map([home, away]);
    pipeline.applyQuote(socket('HOU', 6000, 6200, NOW), NOW);
    pipeline.applyQuote(socket('CHA', 3000, 3100, NOW + 1), NOW + 1);
    drain();
    map([home, { ...away, gameId: 'g2', slug: 'nba-g2', side: 'home' }], [home, away]);
    const publish = drain().publish.sort((a, b) => a.gameId.localeCompare(b.gameId));
    expect(publish).toMatchObject([
      { gameId: 'g1', homeTeam: { kalshiBuyPrice: 62 }, awayTeam: { kalshiBuyPrice: 40, kalshiSellPrice: 38 } },
      { gameId: 'g2', slug: 'nba-g2', homeTeam: { kalshiBuyPrice: 31, kalshiSellPrice: 30 } },
    ]);
  });

  it('a new slug republishes the game with its quotes under the new slug', () => {
    const { pipeline, map, drain } = setup();
    map([home]);
    pipeline.applyQuote(socket('HOU', 6000, 6200, NOW), NOW);
    drain();
    map([{ ...home, slug: 'renamed' }], [home]);
    expect(drain().publish).toMatchObject([{ slug: 'renamed', homeTeam: { kalshiBuyPrice: 62 } }]);
  });

  it('a removed market republishes the complement; a new one without a quote queues nothing new', () => {
    const { pipeline, events, map, drain } = setup();
    map([home, away]);
    expect(events.queued).toBe(0);
    pipeline.applyQuote(socket('HOU', 6000, 6200, NOW), NOW);
    pipeline.applyQuote(socket('CHA', 3000, 3100, NOW + 1), NOW + 1);
    drain();
    map([home], [home, away]);
    expect(drain().publish).toMatchObject([{ awayTeam: { kalshiBuyPrice: 40, kalshiSellPrice: 38 } }]);
    map([home, { ...away, ticker: 'X', gameId: 'g3' }], [home]);
    expect(drain().publish).toEqual([]);
  });

  it('refuses a second market for a taken side, by add or by move, with duplicate_side', () => {
    const { pipeline, events, map } = setup();
    map([home, away]);
    pipeline.applyMapping({ added: [{ ...home, ticker: 'OTHER' }], removed: [] });
    const moved = { ...away, side: 'home' as const };
    pipeline.applyMapping({ added: [moved], removed: [away], changed: [{ before: away, after: moved }] });
    expect(events.refused).toEqual([
      ['duplicate_side', { ticker: 'OTHER', gameId: 'g1', side: 'home' }],
      ['duplicate_side', { ticker: 'CHA', gameId: 'g1', side: 'home' }],
    ]);
  });

  it('accepts a diff without `changed` (adds and removals only)', () => {
    const { pipeline, map } = setup();
    map([home]);
    pipeline.applyQuote(socket('HOU', 6000, 6200, NOW), NOW);
    pipeline.applyMapping({ added: [], removed: [home] });
    expect(pipeline.book.has('HOU')).toBe(false);
  });
});

describe('PricePipeline.applyStatus', () => {
  it('queues the game\'s new state for the flush and, urgently, for the publish', () => {
    const { pipeline, events, map, drain } = setup();
    map([home, away]);
    pipeline.applyQuote(socket('HOU', 6100, 6300, NOW), NOW);
    drain();
    const urgent: string[] = [];
    pipeline.publishQueue.onUrgent = (gameId) => urgent.push(gameId);
    const queuedBefore = events.queued;
    pipeline.applyStatus({ ticker: 'HOU', status: 'determined', result: 'yes', source: 'lifecycle' }, NOW + 5);
    expect(urgent).toEqual(['g1']);
    expect(events.queued).toBe(queuedBefore + 1);
    const { flush, publish } = drain();
    expect(flush).toEqual(publish);
    expect(flush).toEqual([expect.objectContaining({ gameId: 'g1', status: 'final', result: 'home', updatedAtMs: NOW, homeTeam: { kalshiBuyPrice: 100, kalshiSellPrice: 100 } })]);
    expect(pipeline.gamesByStatus().final).toBe(1);
  });

  it('a status of an unmapped market queues and reports nothing', () => {
    const { pipeline, events, map, drain } = setup();
    map([home]);
    drain();
    const queuedBefore = events.queued;
    pipeline.applyStatus({ ticker: 'ELSEWHERE', status: 'closed', result: null, source: 'lifecycle' }, NOW);
    expect(drain()).toEqual({ flush: [], publish: [] });
    expect(events.queued).toBe(queuedBefore);
    expect(events.unmapped).toEqual([]);
  });
});
