import { GameBook, type MappedMarket } from '../../src/prices/game-book';
import type { MarketQuote } from '../../src/prices/types';

const home: MappedMarket = { ticker: 'G1-HOU', gameId: 'g1', slug: 'nba-cha-hou', side: 'home' };
const away: MappedMarket = { ticker: 'G1-CHA', gameId: 'g1', slug: 'nba-cha-hou', side: 'away' };
const q = (ticker: string, yesBid: number | null, yesAsk: number | null, exchangeTimeMs: number): MarketQuote => ({ ticker, yesBid, yesAsk, exchangeTimeMs });

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
