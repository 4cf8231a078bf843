import { GameBook, type MappedMarket } from '../../src/prices/game-book';
import type { MarketQuote } from '../../src/prices/types';

const home: MappedMarket = { ticker: 'G1-HOU', gameId: 'g1', slug: 'nba-cha-hou', side: 'home' };
const away: MappedMarket = { ticker: 'G1-CHA', gameId: 'g1', slug: 'nba-cha-hou', side: 'away' };
const q = (ticker: string, yesBid: number | null, yesAsk: number | null, exchangeTimeMs: number): MarketQuote => ({ ticker, yesBid, yesAsk, exchangeTimeMs, source: 'socket' });

function applied(book: GameBook, quote: MarketQuote) {
  const outcome = book.apply(quote);
  if (outcome.kind !== 'updated') throw new Error(`expected an update, got ${outcome.kind}`);
  return outcome.prices;
}

describe('GameBook', () => {
  it('gives each side its own market: buy = YES ask, sell = YES bid', () => {
    const book = new GameBook();
    book.addMarket(home);
    book.addMarket(away);
    applied(book, q('G1-HOU', 5700, 5800, 1000));
    const prices = applied(book, q('G1-CHA', 4200, 4300, 2000));
    expect(prices.homeTeam).toEqual({ kalshiBuyPrice: 58, kalshiSellPrice: 57 });
    expect(prices.awayTeam).toEqual({ kalshiBuyPrice: 43, kalshiSellPrice: 42 });
    expect(prices).toMatchObject({ gameId: 'g1', slug: 'nba-cha-hou', ticker: 'G1-CHA', tickTimeMs: 2000, updatedAtMs: 2000 });
  });

  it('derives a side with no market of its own from the complement (NO ask, NO bid)', () => {
    const book = new GameBook();
    book.addMarket(home);
    const prices = applied(book, q('G1-HOU', 4550, 4700, 1000));
    expect(prices.homeTeam).toEqual({ kalshiBuyPrice: 47, kalshiSellPrice: 45.5 });
    expect(prices.awayTeam).toEqual({ kalshiBuyPrice: 54.5, kalshiSellPrice: 53 });
  });

  it('shows the complement until the own market quotes, then its own prices', () => {
    const book = new GameBook();
    book.addMarket(home);
    book.addMarket(away);
    expect(applied(book, q('G1-HOU', 6000, 6200, 1000)).awayTeam).toEqual({ kalshiBuyPrice: 40, kalshiSellPrice: 38 });
    expect(applied(book, q('G1-CHA', 3700, 3900, 1100)).awayTeam).toEqual({ kalshiBuyPrice: 39, kalshiSellPrice: 37 });
  });

  it('makes an empty book side null, and its complement too', () => {
    const book = new GameBook();
    book.addMarket(home);
    const prices = applied(book, q('G1-HOU', null, 4700, 1000));
    expect(prices.homeTeam).toEqual({ kalshiBuyPrice: 47, kalshiSellPrice: null });
    expect(prices.awayTeam).toEqual({ kalshiBuyPrice: null, kalshiSellPrice: 53 });
  });

  it('ignores a tick older than the last applied one for its market', () => {
    const book = new GameBook();
    book.addMarket(home);
    applied(book, q('G1-HOU', 5000, 5200, 2000));
    expect(book.apply(q('G1-HOU', 1000, 1200, 1999)).kind).toBe('stale');
    expect(book.current('g1')?.homeTeam).toEqual({ kalshiBuyPrice: 52, kalshiSellPrice: 50 });
  });

  it('keeps the newest exchange time among the game\'s markets as updatedAt', () => {
    const book = new GameBook();
    book.addMarket(home);
    book.addMarket(away);
    applied(book, q('G1-HOU', 5000, 5200, 5000));
    const prices = applied(book, q('G1-CHA', 4700, 4900, 4000));
    expect(prices.tickTimeMs).toBe(4000);
    expect(prices.updatedAtMs).toBe(5000);
  });

  it('reports unmapped tickers and refuses a second market for a taken side', () => {
    const book = new GameBook();
    expect(book.apply(q('NOPE', 1, 2, 1)).kind).toBe('unmapped');
    expect(book.addMarket(home)).toBe(true);
    expect(book.addMarket({ ...home, ticker: 'OTHER' })).toBe(false);
  });

  it('forgets a removed market and falls back to the complement of the other', () => {
    const book = new GameBook();
    book.addMarket(home);
    book.addMarket(away);
    applied(book, q('G1-HOU', 6000, 6200, 1000));
    applied(book, q('G1-CHA', 3000, 3100, 1100));
    book.removeMarket('G1-CHA');
    expect(book.current('g1')?.awayTeam).toEqual({ kalshiBuyPrice: 40, kalshiSellPrice: 38 });
    book.removeMarket('G1-HOU');
    expect(book.current('g1')).toBeUndefined();
    expect(book.gameCount).toBe(0);
  });
});

const rest = (ticker: string, yesBid: number | null, yesAsk: number | null, receivedAtMs: number): MarketQuote => ({
  ticker,
  yesBid,
  yesAsk,
  exchangeTimeMs: receivedAtMs,
  source: 'rest',
});
const at = (receivedAtMs: number, socketDown = false) => ({ receivedAtMs, socketDown });

describe('GameBook: a quote with the bid and ask already held (a size-only frame)', () => {
  it('reports no change, yet advances the market\'s exchange time and the game\'s version', () => {
    const book = new GameBook();
    book.addMarket(home);
    applied(book, q('G1-HOU', 5000, 5200, 1000));
    expect(book.apply(q('G1-HOU', 5000, 5200, 2000)).kind).toBe('unchanged');
    // The advanced exchange time is the market's high-water mark: an older frame that did change is stale.
    expect(book.apply(q('G1-HOU', 4000, 4200, 1500)).kind).toBe('stale');
    expect(book.current('g1')?.updatedAtMs).toBe(2000);
    const next = applied(book, q('G1-HOU', 5100, 5200, 2500));
    expect(next.updatedAtMs).toBe(2500);
  });

  it('changes only when the bid or the ask changed', () => {
    const book = new GameBook();
    book.addMarket(home);
    applied(book, q('G1-HOU', 5000, 5200, 1000));
    expect(book.apply(q('G1-HOU', 5000, 5300, 1001)).kind).toBe('updated');
    expect(book.apply(q('G1-HOU', 4900, 5300, 1002)).kind).toBe('updated');
    expect(book.apply(q('G1-HOU', 4900, null, 1003)).kind).toBe('updated');
    expect(book.apply(q('G1-HOU', 4900, null, 1004)).kind).toBe('unchanged');
  });
});

describe('GameBook: source precedence (REST has no exchange time)', () => {
  it('REST fills a market with no quote yet', () => {
    const book = new GameBook();
    book.addMarket(home);
    const outcome = book.apply(rest('G1-HOU', 4000, 4200, 10_000), at(10_000));
    expect(outcome).toMatchObject({ kind: 'updated', prices: { homeTeam: { kalshiBuyPrice: 42, kalshiSellPrice: 40 }, tickTimeMs: 10_000 } });
    expect(book.quoteOf('G1-HOU')).toEqual({ ticker: 'G1-HOU', yesBid: 4000, yesAsk: 4200, exchangeTimeMs: 10_000, source: 'rest' });
  });

  it('a later REST read replaces a REST quote', () => {
    const book = new GameBook();
    book.addMarket(home);
    book.apply(rest('G1-HOU', 4000, 4200, 10_000), at(10_000));
    expect(book.apply(rest('G1-HOU', 4100, 4200, 10_001), at(10_001)).kind).toBe('updated');
  });

  it('the socket outranks REST while it is not silent on the market; REST corrects after the silence', () => {
    const book = new GameBook({ restCorrectsAfterMs: 60_000 });
    book.addMarket(home);
    book.apply(q('G1-HOU', 5000, 5200, 1_000_000), at(1_000_050));
    expect(book.apply(rest('G1-HOU', 3000, 3200, 1_060_049), at(1_060_049)).kind).toBe('outranked');
    expect(book.current('g1')?.homeTeam).toEqual({ kalshiBuyPrice: 52, kalshiSellPrice: 50 });
    const corrected = book.apply(rest('G1-HOU', 3000, 3200, 1_060_050), at(1_060_050));
    expect(corrected).toMatchObject({ kind: 'updated', prices: { homeTeam: { kalshiBuyPrice: 32, kalshiSellPrice: 30 } } });
  });

  it('silence is measured from the last socket frame, a size-only one included', () => {
    const book = new GameBook({ restCorrectsAfterMs: 60_000 });
    book.addMarket(home);
    book.apply(q('G1-HOU', 5000, 5200, 1_000_000), at(1_000_000));
    expect(book.apply(q('G1-HOU', 5000, 5200, 1_050_000), at(1_050_000)).kind).toBe('unchanged');
    expect(book.apply(rest('G1-HOU', 3000, 3200, 1_100_000), at(1_100_000)).kind).toBe('outranked');
    expect(book.apply(rest('G1-HOU', 3000, 3200, 1_110_000), at(1_110_000)).kind).toBe('updated');
  });

  it('a stale socket frame still ends the silence (socketAtOf, read by the reconciler, says when it came)', () => {
    const book = new GameBook({ restCorrectsAfterMs: 60_000 });
    book.addMarket(home);
    expect(book.socketAtOf('G1-HOU')).toBe(0);
    book.apply(q('G1-HOU', 5000, 5200, 1_000_000), at(1_000_000));
    expect(book.apply(q('G1-HOU', 4000, 4200, 999_000), at(1_050_000)).kind).toBe('stale');
    expect(book.socketAtOf('G1-HOU')).toBe(1_050_000);
    expect(book.apply(rest('G1-HOU', 3000, 3200, 1_100_000), at(1_100_000)).kind).toBe('outranked');
    expect(book.socketAtOf('G1-CHA')).toBe(0);
  });

  it('REST feeds every market while the socket is down', () => {
    const book = new GameBook();
    book.addMarket(home);
    book.apply(q('G1-HOU', 5000, 5200, 1_000_000), at(1_000_000));
    expect(book.apply(rest('G1-HOU', 3000, 3200, 1_000_001), at(1_000_001)).kind).toBe('outranked');
    expect(book.apply(rest('G1-HOU', 3000, 3200, 1_000_002), at(1_000_002, true)).kind).toBe('updated');
  });

  it('a REST quote never moves the exchange-time high-water mark: the next socket tick applies whatever the clocks say', () => {
    const book = new GameBook();
    book.addMarket(home);
    book.apply(q('G1-HOU', 5000, 5200, 1_000_000), at(1_000_000));
    // Read while the socket was down, stamped by a local clock far ahead of the exchange's.
    book.apply(rest('G1-HOU', 3000, 3200, 9_000_000), at(9_000_000, true));
    const tick = book.apply(q('G1-HOU', 5100, 5300, 1_000_500), at(9_000_001));
    expect(tick).toMatchObject({ kind: 'updated', prices: { homeTeam: { kalshiBuyPrice: 53 }, updatedAtMs: 1_000_500 } });
  });

  it('the version stays an exchange time: REST does not raise it where a market has a socket time', () => {
    const book = new GameBook();
    book.addMarket(home);
    book.addMarket(away);
    book.apply(q('G1-HOU', 5000, 5200, 1_000_000), at(1_000_000));
    const filled = book.apply(rest('G1-CHA', 4700, 4900, 5_000_000), at(5_000_000));
    expect(filled).toMatchObject({ kind: 'updated', prices: { updatedAtMs: 1_000_000, tickTimeMs: 5_000_000, ticker: 'G1-CHA' } });
    const fed = book.apply(rest('G1-HOU', 4000, 4200, 6_000_000), at(6_000_000, true));
    expect(fed).toMatchObject({ kind: 'updated', prices: { updatedAtMs: 1_000_000 } });
  });

  it('a REST state is stamped no newer than its market\'s last socket exchange time (fallback, silence correction, a late answer)', () => {
    const book = new GameBook({ restCorrectsAfterMs: 60_000 });
    book.addMarket(home);
    book.apply(q('G1-HOU', 5000, 5200, 1_000_000), at(1_000_100));
    // While the socket is down: REST feeds the market, its receive time is far ahead of the exchange time.
    const fed = book.apply(rest('G1-HOU', 6000, 6200, 1_090_000), at(1_090_000, true));
    expect(fed).toMatchObject({ kind: 'updated', prices: { homeTeam: { kalshiBuyPrice: 62 }, tickTimeMs: 1_000_000, updatedAtMs: 1_000_000 } });
    expect(book.quoteOf('G1-HOU')?.exchangeTimeMs).toBe(1_000_000);
    expect(book.current('g1')?.tickTimeMs).toBe(1_000_000);
    // After a silence: the correction too.
    const corrected = book.apply(rest('G1-HOU', 5000, 5200, 1_200_000), at(1_200_000));
    expect(corrected).toMatchObject({ kind: 'updated', prices: { tickTimeMs: 1_000_000 } });
    // The next socket tick is newer than any REST state of the market, whatever our clock said.
    expect(book.apply(q('G1-HOU', 5100, 5300, 1_000_001), at(1_200_001))).toMatchObject({ kind: 'updated', prices: { tickTimeMs: 1_000_001 } });
  });

  it('a REST state of a market with no socket time keeps its receive time', () => {
    const book = new GameBook();
    book.addMarket(home);
    expect(book.apply(rest('G1-HOU', 4000, 4200, 7000), at(7000))).toMatchObject({ prices: { tickTimeMs: 7000 } });
  });

  it('a game with no socket time takes its REST reads\' receive times as its version, never going back', () => {
    const book = new GameBook();
    book.addMarket(home);
    expect(book.apply(rest('G1-HOU', 4000, 4200, 7000), at(7000))).toMatchObject({ prices: { updatedAtMs: 7000 } });
    expect(book.apply(rest('G1-HOU', 4100, 4200, 8000), at(8000))).toMatchObject({ prices: { updatedAtMs: 8000 } });
    expect(book.apply(rest('G1-HOU', 4000, 4200, 7500), at(7500))).toMatchObject({ prices: { updatedAtMs: 8000 } });
    // Then the socket: its tick applies (no REST high-water mark), the version does not go back.
    expect(book.apply(q('G1-HOU', 4200, 4400, 6000), at(9000))).toMatchObject({ kind: 'updated', prices: { updatedAtMs: 8000 } });
    expect(book.apply(q('G1-HOU', 4300, 4400, 8500), at(9500))).toMatchObject({ kind: 'updated', prices: { updatedAtMs: 8500 } });
  });

  it('an unchanged REST read changes nothing, not even the version', () => {
    const book = new GameBook();
    book.addMarket(home);
    book.apply(rest('G1-HOU', 4000, 4200, 7000), at(7000));
    expect(book.apply(rest('G1-HOU', 4000, 4200, 8000), at(8000)).kind).toBe('unchanged');
    expect(book.current('g1')?.updatedAtMs).toBe(7000);
    expect(book.apply(rest('NOPE', 1, 2, 1), at(1)).kind).toBe('unmapped');
  });

  it('quoteOf is undefined before the first quote; hasQuote says whether one arrived', () => {
    const book = new GameBook();
    book.addMarket(home);
    expect(book.quoteOf('G1-HOU')).toBeUndefined();
    expect(book.quoteOf('NOPE')).toBeUndefined();
    expect(book.hasQuote('G1-HOU')).toBe(false);
    applied(book, q('G1-HOU', 1, 2, 3));
    expect(book.hasQuote('G1-HOU')).toBe(true);
    expect(book.quoteOf('G1-HOU')).toEqual({ ticker: 'G1-HOU', yesBid: 1, yesAsk: 2, exchangeTimeMs: 3, source: 'socket' });
  });
});

describe('GameBook: re-mapping keeps each market\'s quote', () => {
  it('swapping sides moves each market with its own quote and times', () => {
    const book = new GameBook();
    book.addMarket(home);
    book.addMarket(away);
    applied(book, q('G1-HOU', 6000, 6200, 1000));
    applied(book, q('G1-CHA', 3000, 3100, 2000));
    expect(book.remap([{ ...home, side: 'away' }, { ...away, side: 'home' }])).toEqual([]);
    const prices = book.current('g1');
    expect(prices?.awayTeam).toEqual({ kalshiBuyPrice: 62, kalshiSellPrice: 60 });
    expect(prices?.homeTeam).toEqual({ kalshiBuyPrice: 31, kalshiSellPrice: 30 });
    expect(prices?.updatedAtMs).toBe(2000);
    // The exchange-time mark moved too: an older tick is still stale after the move.
    expect(book.apply(q('G1-HOU', 1000, 1100, 999)).kind).toBe('stale');
    expect(book.gameCount).toBe(1);
    expect(book.marketCount).toBe(2);
  });

  it('a market moved to another game takes its quote; the old game shows what is left', () => {
    const book = new GameBook();
    book.addMarket(home);
    book.addMarket(away);
    applied(book, q('G1-HOU', 6000, 6200, 1000));
    applied(book, q('G1-CHA', 3000, 3100, 2000));
    expect(book.addMarket({ ticker: 'G1-CHA', gameId: 'g2', slug: 'nba-g2', side: 'home' })).toBe(true);
    expect(book.current('g2')).toMatchObject({
      slug: 'nba-g2',
      homeTeam: { kalshiBuyPrice: 31, kalshiSellPrice: 30 },
      awayTeam: { kalshiBuyPrice: 70, kalshiSellPrice: 69 },
      ticker: 'G1-CHA',
      tickTimeMs: 2000,
      updatedAtMs: 2000,
    });
    expect(book.current('g1')?.awayTeam).toEqual({ kalshiBuyPrice: 40, kalshiSellPrice: 38 });
    book.removeMarket('G1-HOU');
    expect(book.current('g1')).toBeUndefined();
    expect(book.gameCount).toBe(1);
  });

  it('a new slug keeps the quotes and the game\'s version', () => {
    const book = new GameBook();
    book.addMarket(home);
    book.addMarket(away);
    applied(book, q('G1-HOU', 6000, 6200, 5000));
    applied(book, q('G1-CHA', 3000, 3100, 2000));
    book.remap([{ ...home, slug: 'renamed' }, { ...away, slug: 'renamed' }]);
    expect(book.current('g1')).toMatchObject({ slug: 'renamed', homeTeam: { kalshiBuyPrice: 62 }, awayTeam: { kalshiBuyPrice: 31 }, updatedAtMs: 5000 });
  });

  it('an unchanged mapping is a no-op; a move onto a side held by a market that stays is refused', () => {
    const book = new GameBook();
    book.addMarket(home);
    book.addMarket(away);
    applied(book, q('G1-HOU', 6000, 6200, 1000));
    expect(book.addMarket(home)).toBe(true);
    expect(book.current('g1')?.homeTeam).toEqual({ kalshiBuyPrice: 62, kalshiSellPrice: 60 });
    expect(book.remap([{ ...away, side: 'home' }])).toEqual([{ ...away, side: 'home' }]);
    expect(book.has('G1-CHA')).toBe(false);
    expect(book.current('g1')?.homeTeam).toEqual({ kalshiBuyPrice: 62, kalshiSellPrice: 60 });
    expect(book.marketCount).toBe(1);
  });

  it('remap adds markets it does not hold', () => {
    const book = new GameBook();
    expect(book.remap([home])).toEqual([]);
    expect(book.has('G1-HOU')).toBe(true);
    book.addMarket(away);
    expect(book.remap([{ ...home, ticker: 'X' }])).toEqual([{ ...home, ticker: 'X' }]);
    expect([...book.tickers()].sort()).toEqual(['G1-CHA', 'G1-HOU']);
    expect([...book.gameIds()]).toEqual(['g1']);
  });

  it('current() names the market with the latest quote', () => {
    const book = new GameBook();
    book.addMarket(home);
    book.addMarket(away);
    applied(book, q('G1-CHA', 3000, 3100, 2000));
    applied(book, q('G1-HOU', 6000, 6200, 1000));
    expect(book.current('g1')).toMatchObject({ ticker: 'G1-CHA', tickTimeMs: 2000 });
    expect(book.current('nope')).toBeUndefined();
  });
});

describe('GameBook: edges of the precedence rules', () => {
  it('the silence clock never goes back, even if a later frame carries an earlier receive time', () => {
    const book = new GameBook({ restCorrectsAfterMs: 60_000 });
    book.addMarket(home);
    book.apply(q('G1-HOU', 5000, 5200, 1_000_000), at(1_100_000));
    book.apply(q('G1-HOU', 5100, 5200, 1_000_001), at(1_050_000));
    expect(book.apply(rest('G1-HOU', 3000, 3200, 1_150_000), at(1_150_000)).kind).toBe('outranked');
  });

  it('a socket time on the away market also keeps REST from raising the version', () => {
    const book = new GameBook();
    book.addMarket(home);
    book.addMarket(away);
    book.apply(q('G1-CHA', 5000, 5200, 1_000_000), at(1_000_000));
    expect(book.apply(rest('G1-HOU', 4000, 4200, 5_000_000), at(5_000_000))).toMatchObject({ prices: { updatedAtMs: 1_000_000 } });
  });

  it('a market\'s version never goes back, so a move carries the highest one', () => {
    const book = new GameBook();
    book.addMarket(home);
    book.apply(rest('G1-HOU', 4000, 4200, 8000), at(8000));
    book.apply(rest('G1-HOU', 4100, 4200, 7500), at(7500));
    book.remap([{ ...home, gameId: 'g9' }]);
    expect(book.current('g9')?.updatedAtMs).toBe(8000);
  });
});
