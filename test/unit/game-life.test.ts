/**
 * The game book's rules of docs/CONTRACT.md "A game's whole life: status, result, draw", one test per rule:
 * three-way games, the game status and result derived from the markets', prices after trading ends (a closed
 * market's last quote against an emptied book, settlement prices once final, a void), and the version a status
 * change carries.
 */
import fc from 'fast-check';
import { GameBook, type MappedMarket } from '../../src/prices/game-book';
import type { GameResult, GameStatus, MarketResult, MarketStatus } from '../../src/prices/market-status';
import type { GamePrices, MarketQuote, Side } from '../../src/prices/types';

const slug = 'epl-ars-che';
const market = (side: Side, gameId = 'g1'): MappedMarket => ({ ticker: `${gameId}-${side.toUpperCase()}`, gameId, slug, side });
const home = market('home');
const away = market('away');
const draw = market('draw');
const q = (m: MappedMarket, yesBid: number | null, yesAsk: number | null, exchangeTimeMs: number, source: 'socket' | 'rest' = 'socket'): MarketQuote => ({
  ticker: m.ticker,
  yesBid,
  yesAsk,
  exchangeTimeMs,
  source,
});
const cents = (buy: number | null, sell: number | null) => ({ kalshiBuyPrice: buy, kalshiSellPrice: sell });

function bookOf(...markets: MappedMarket[]): GameBook {
  const book = new GameBook();
  for (const m of markets) expect(book.addMarket(m)).toBe(true);
  return book;
}

function applied(book: GameBook, quote: MarketQuote, receivedAtMs = quote.exchangeTimeMs): GamePrices {
  const outcome = book.apply(quote, { receivedAtMs, socketDown: false });
  if (outcome.kind !== 'updated') throw new Error(`expected an update, got ${outcome.kind}`);
  return outcome.prices;
}

function status(book: GameBook, m: MappedMarket, s: MarketStatus, result: MarketResult | null = null, at = 5000) {
  return book.applyStatus({ ticker: m.ticker, status: s, result, source: 'lifecycle' }, at);
}

function statusUpdated(book: GameBook, m: MappedMarket, s: MarketStatus, result: MarketResult | null = null, at = 5000): GamePrices {
  const outcome = status(book, m, s, result, at);
  if (outcome.kind !== 'updated') throw new Error(`expected an update, got ${outcome.kind}`);
  return outcome.prices;
}

const gameOf = (book: GameBook) => book.current('g1') as GamePrices;

describe('three-way games (a mapped draw market)', () => {
  it('each of home, away and draw takes its prices from its own market', () => {
    const book = bookOf(home, away, draw);
    applied(book, q(home, 4500, 4700, 1000));
    applied(book, q(away, 2800, 3000, 1001));
    const prices = applied(book, q(draw, 2400, 2600, 1002));
    expect(prices.homeTeam).toEqual(cents(47, 45));
    expect(prices.awayTeam).toEqual(cents(30, 28));
    expect(prices.draw).toEqual(cents(26, 24));
  });

  it('derives no complement anywhere: a side whose own market has no quote is null', () => {
    const book = bookOf(home, away, draw);
    const prices = applied(book, q(home, 4500, 4700, 1000));
    expect(prices.homeTeam).toEqual(cents(47, 45));
    expect(prices.awayTeam).toEqual(cents(null, null));
    expect(prices.draw).toEqual(cents(null, null));
  });

  it('is three-way with a draw market even when a team has no market: that team is null, not a complement', () => {
    const book = bookOf(home, draw);
    const prices = applied(book, q(home, 4500, 4700, 1000));
    expect(prices.awayTeam).toEqual(cents(null, null));
    expect(prices.draw).toEqual(cents(null, null));
  });

  it('a two-way game keeps the complement rule and has no draw', () => {
    const book = bookOf(home);
    const prices = applied(book, q(home, 4500, 4700, 1000));
    expect(prices.awayTeam).toEqual(cents(55, 53));
    expect(prices).not.toHaveProperty('draw');
  });

  it('mapping a draw market makes the game three-way; unmapping it brings the complement back', () => {
    const book = bookOf(home);
    applied(book, q(home, 4500, 4700, 1000));
    book.addMarket(draw);
    expect(gameOf(book).awayTeam).toEqual(cents(null, null));
    expect(gameOf(book).draw).toEqual(cents(null, null));
    book.removeMarket(draw.ticker);
    expect(gameOf(book).awayTeam).toEqual(cents(55, 53));
    expect(gameOf(book)).not.toHaveProperty('draw');
  });

  it('one market per side: a second draw market of the game is refused', () => {
    const book = bookOf(home, draw);
    expect(book.addMarket({ ...draw, ticker: 'g1-TIE2' })).toBe(false);
  });

  it('each side depends on its own market only (property)', () => {
    const price = fc.option(fc.integer({ min: 1, max: 9999 }), { nil: null });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(home, away, draw), price, price), { minLength: 1, maxLength: 20 }), (ticks) => {
        const book = bookOf(home, away, draw);
        const last = new Map<string, [number | null, number | null]>();
        ticks.forEach(([m, bid, ask], i) => {
          book.apply(q(m, bid, ask, 1000 + i));
          last.set(m.side, [bid, ask]);
        });
        const game = gameOf(book);
        const expected = (side: Side) => {
          const own = last.get(side);
          if (own === undefined) return cents(null, null);
          return cents(own[1] === null ? null : own[1] / 100, own[0] === null ? null : own[0] / 100);
        };
        expect(game.homeTeam).toEqual(expected('home'));
        expect(game.awayTeam).toEqual(expected('away'));
        expect(game.draw).toEqual(expected('draw'));
      }),
    );
  });
});

describe('game status and result', () => {
  it('is open while no market has a known status', () => {
    const book = bookOf(home, away);
    expect(applied(book, q(home, 4500, 4700, 1000))).toMatchObject({ status: 'open', result: null });
  });

  it('is scheduled when all mapped markets are scheduled, open when one of them is not known or open', () => {
    const book = bookOf(home, away);
    expect(status(book, home, 'scheduled').kind).toBe('unchanged'); // away unknown: still open
    expect(gameOf(book).status).toBe('open');
    expect(statusUpdated(book, away, 'scheduled')).toMatchObject({ status: 'scheduled', result: null });
    expect(statusUpdated(book, home, 'open').status).toBe('open');
  });

  it('is paused when any market is paused', () => {
    const book = bookOf(home, away);
    status(book, home, 'open');
    expect(statusUpdated(book, away, 'paused').status).toBe('paused');
    expect(statusUpdated(book, away, 'open').status).toBe('open');
  });

  it('is closed when any market is closed, over paused', () => {
    const book = bookOf(home, away);
    status(book, home, 'paused');
    expect(statusUpdated(book, away, 'closed').status).toBe('closed');
  });

  it('is closed when a market is determined NO and another is not determined', () => {
    const book = bookOf(home, away, draw);
    expect(statusUpdated(book, draw, 'determined', 'no')).toMatchObject({ status: 'closed', result: null });
    const two = bookOf(home, away);
    expect(statusUpdated(two, home, 'determined', 'no')).toMatchObject({ status: 'closed', result: null });
  });

  it('is final when a market is determined YES: its side is the result', () => {
    const book = bookOf(home, away, draw);
    expect(statusUpdated(book, draw, 'determined', 'yes')).toMatchObject({ status: 'final', result: 'draw' });
    const two = bookOf(home, away);
    expect(statusUpdated(two, away, 'determined', 'yes')).toMatchObject({ status: 'final', result: 'away' });
  });

  it('a two-way game whose only mapped market is determined NO is final, the other side the result', () => {
    expect(statusUpdated(bookOf(home), home, 'determined', 'no')).toMatchObject({ status: 'final', result: 'away' });
    expect(statusUpdated(bookOf(away), away, 'determined', 'no')).toMatchObject({ status: 'final', result: 'home' });
  });

  it('a three-way game whose only mapped markets are determined NO has no result', () => {
    const book = bookOf(home, away, draw);
    status(book, home, 'determined', 'no');
    status(book, away, 'determined', 'no');
    expect(statusUpdated(book, draw, 'determined', 'no')).toMatchObject({ status: 'final', result: null });
  });

  it('is final with no result when every market is determined and none names a side (a void)', () => {
    const book = bookOf(home, away);
    expect(statusUpdated(bookOf(home), home, 'determined', null)).toMatchObject({ status: 'final', result: null });
    status(book, home, 'determined', null);
    expect(statusUpdated(book, away, 'determined', null)).toMatchObject({ status: 'final', result: null });
  });

  it('ignores a result sent with a status that is not determined', () => {
    const book = bookOf(home);
    expect(statusUpdated(book, home, 'closed', 'yes')).toMatchObject({ status: 'closed', result: null });
    expect(book.statusOf(home.ticker)).toEqual({ status: 'closed', result: null });
  });

  it('publishes nothing for the same status again, nor for a market change that leaves the game as it was', () => {
    const book = bookOf(home, away);
    statusUpdated(book, home, 'closed');
    expect(status(book, home, 'closed').kind).toBe('unchanged');
    expect(status(book, away, 'paused').kind).toBe('unchanged'); // the game stays closed
    expect(gameOf(book).status).toBe('closed');
  });

  it('a status of an unmapped market does nothing', () => {
    const book = bookOf(home);
    expect(book.applyStatus({ ticker: 'ELSEWHERE', status: 'closed', result: null, source: 'lifecycle' }, 1).kind).toBe('unmapped');
    expect(book.gamesByStatus()).toEqual({ scheduled: 0, open: 1, paused: 0, closed: 0, final: 0 });
  });

  it('counts games by status', () => {
    const book = bookOf(home, away, market('home', 'g2'), market('home', 'g3'));
    status(book, home, 'paused');
    status(book, market('home', 'g2'), 'determined', 'yes');
    expect(book.gamesByStatus()).toEqual({ scheduled: 0, open: 1, paused: 1, closed: 0, final: 1 });
  });

  it('a game whose markets have only a status (no quote) has a state to show, naming such a market', () => {
    const book = bookOf(home, away);
    expect(book.current('g1')).toBeUndefined();
    const prices = statusUpdated(book, away, 'paused', null, 7000);
    expect(prices).toMatchObject({ ticker: away.ticker, status: 'paused', homeTeam: cents(null, null), awayTeam: cents(null, null) });
    expect(book.current('g1')).toMatchObject({ ticker: away.ticker, status: 'paused' });
  });

  it('matches the contract\'s derivation for every combination of statuses (property)', () => {
    const marketStatus = fc.option(
      fc.oneof(
        fc.constantFrom<[MarketStatus, MarketResult | null]>(['scheduled', null], ['open', null], ['paused', null], ['closed', null]),
        fc.tuple(fc.constant<MarketStatus>('determined'), fc.constantFrom<MarketResult | null>('yes', 'no', null)),
      ),
      { nil: undefined },
    );
    fc.assert(
      fc.property(
        fc.subarray(['home', 'away', 'draw'] as Side[], { minLength: 1 }),
        fc.array(fc.tuple(fc.constantFrom<Side>('home', 'away', 'draw'), marketStatus), { maxLength: 12 }),
        (sides, updates) => {
          const book = bookOf(...sides.map((side) => market(side)));
          const held = new Map<Side, [MarketStatus, MarketResult | null]>();
          for (const [side, update] of updates) {
            if (!sides.includes(side) || update === undefined) continue;
            status(book, market(side), update[0], update[1]);
            held.set(side, update);
          }
          expect(derived(book)).toEqual(reference(sides, held));
        },
      ),
    );
  });
});

/** The game's status and result as its state shows them (every market quoted, so a state exists whatever the statuses). */
function derived(book: GameBook): { status: GameStatus; result: GameResult | null } {
  for (const side of ['home', 'away', 'draw'] as Side[]) if (book.has(market(side).ticker)) book.apply(q(market(side), 100, 200, 1));
  const { status: game, result } = gameOf(book);
  return { status: game, result };
}

/** DESIGN's sentence, read as plainly as possible. */
function reference(sides: Side[], held: Map<Side, [MarketStatus, MarketResult | null]>): { status: GameStatus; result: GameResult | null } {
  const of = (side: Side) => held.get(side);
  const yes = sides.find((side) => of(side)?.[0] === 'determined' && of(side)?.[1] === 'yes');
  if (yes !== undefined) return { status: 'final', result: yes };
  const threeWay = sides.includes('draw');
  if (!threeWay && sides.length === 1 && of(sides[0])?.[0] === 'determined' && of(sides[0])?.[1] === 'no') {
    return { status: 'final', result: sides[0] === 'home' ? 'away' : 'home' };
  }
  if (sides.every((side) => of(side)?.[0] === 'determined')) return { status: 'final', result: null };
  if (sides.some((side) => of(side)?.[0] === 'closed' || of(side)?.[0] === 'determined')) return { status: 'closed', result: null };
  if (sides.some((side) => of(side)?.[0] === 'paused')) return { status: 'paused', result: null };
  if (sides.every((side) => of(side)?.[0] === 'scheduled')) return { status: 'scheduled', result: null };
  return { status: 'open', result: null };
}

describe('prices after trading ends', () => {
  it('a closed market keeps its last quote when a ticker frame empties its book', () => {
    const book = bookOf(home, away);
    applied(book, q(home, 6100, 6300, 1000));
    statusUpdated(book, home, 'closed');
    expect(book.apply(q(home, null, null, 2000)).kind).toBe('after_close');
    expect(gameOf(book).homeTeam).toEqual(cents(63, 61));
    expect(gameOf(book).awayTeam).toEqual(cents(39, 37));
  });

  it('a market whose emptied book arrived before its close event shows its last live quote once closed', () => {
    const book = bookOf(home, away);
    applied(book, q(home, 6100, 6300, 1000));
    applied(book, q(away, 3600, 3800, 1001));
    status(book, away, 'closed'); // the game is closed already: only the restored quote makes this one visible
    expect(applied(book, q(home, null, null, 2000)).homeTeam).toEqual(cents(null, null)); // still open: applies
    const prices = statusUpdated(book, home, 'closed');
    expect(prices.homeTeam).toEqual(cents(63, 61));
    expect(book.apply(q(home, null, null, 3000)).kind).toBe('after_close');
    // Reopened and closed again with a quote standing: nothing to restore, the game's status alone decides.
    status(book, home, 'open');
    expect(status(book, home, 'closed').kind).toBe('unchanged');
    expect(gameOf(book).homeTeam).toEqual(cents(63, 61));
  });

  it('a market that never had a live quote has nothing to restore at its close', () => {
    const book = bookOf(home);
    applied(book, q(home, null, null, 1000));
    expect(statusUpdated(book, home, 'closed').homeTeam).toEqual(cents(null, null));
  });

  it('a closed market keeps its last quote when a REST read empties its book, even with the socket down', () => {
    const book = bookOf(home);
    applied(book, q(home, 6100, 6300, 1000));
    statusUpdated(book, home, 'closed');
    expect(book.apply(q(home, null, null, 90_000, 'rest'), { receivedAtMs: 90_000, socketDown: true }).kind).toBe('after_close');
    expect(gameOf(book).homeTeam).toEqual(cents(63, 61));
  });

  it('a determined market (game not final yet) keeps its last quote too', () => {
    const book = bookOf(home, away, draw);
    applied(book, q(draw, 2000, 2200, 1000));
    statusUpdated(book, draw, 'determined', 'no');
    expect(book.apply(q(draw, null, null, 2000)).kind).toBe('after_close');
    expect(gameOf(book).draw).toEqual(cents(22, 20));
  });

  it('an open market\'s emptied book is null as before', () => {
    const book = bookOf(home);
    applied(book, q(home, 6100, 6300, 1000));
    statusUpdated(book, home, 'paused');
    expect(applied(book, q(home, null, null, 2000)).homeTeam).toEqual(cents(null, null));
  });

  it('a quote with a bid or an ask after the close still applies (only the emptied book is ignored)', () => {
    const book = bookOf(home);
    applied(book, q(home, 6100, 6300, 1000));
    statusUpdated(book, home, 'closed');
    expect(applied(book, q(home, null, 6400, 2000)).homeTeam).toEqual(cents(64, null));
  });

  it('a final game shows settlement prices: the result side 100, every other side 0 (two-way)', () => {
    const book = bookOf(home, away);
    applied(book, q(home, 6100, 6300, 1000));
    applied(book, q(away, 3600, 3800, 1001));
    const prices = statusUpdated(book, home, 'determined', 'yes');
    expect(prices.homeTeam).toEqual(cents(100, 100));
    expect(prices.awayTeam).toEqual(cents(0, 0));
    expect(prices).not.toHaveProperty('draw');
    // What comes later from the market does not move a settled price.
    expect(applied(book, q(away, 100, 9000, 3000)).awayTeam).toEqual(cents(0, 0));
  });

  it('settles a two-way game with one mapped market determined NO consistently with the complement', () => {
    const book = bookOf(home);
    applied(book, q(home, 6100, 6300, 1000));
    const prices = statusUpdated(book, home, 'determined', 'no');
    expect(prices).toMatchObject({ status: 'final', result: 'away', homeTeam: cents(0, 0), awayTeam: cents(100, 100) });
  });

  it('settles a three-way game: the draw wins, both teams 0', () => {
    const book = bookOf(home, away, draw);
    applied(book, q(home, 4000, 4200, 1000));
    const prices = statusUpdated(book, draw, 'determined', 'yes');
    expect(prices).toMatchObject({ status: 'final', result: 'draw', homeTeam: cents(0, 0), awayTeam: cents(0, 0), draw: cents(100, 100) });
  });

  it('a final game with no result (a void) leaves the prices as they were', () => {
    const book = bookOf(home, away);
    applied(book, q(home, 6100, 6300, 1000));
    applied(book, q(away, 3600, 3800, 1001));
    status(book, home, 'determined', null);
    const prices = statusUpdated(book, away, 'determined', null);
    expect(prices).toMatchObject({ status: 'final', result: null, homeTeam: cents(63, 61), awayTeam: cents(38, 36) });
  });
});

describe('the version of a status change', () => {
  it('is the game\'s current version, never lower; its timestamp the newest the game has shown', () => {
    const book = bookOf(home, away);
    applied(book, q(home, 6100, 6300, 1000));
    applied(book, q(away, 3600, 3800, 4000));
    const prices = statusUpdated(book, home, 'closed', null, 9_999_999);
    expect(prices).toMatchObject({ updatedAtMs: 4000, tickTimeMs: 4000, ticker: home.ticker });
  });

  it('a game with no socket exchange time takes the receive time, as a REST quote would', () => {
    const book = bookOf(home);
    applied(book, q(home, 6100, 6300, 1000, 'rest'), 1000);
    expect(statusUpdated(book, home, 'paused', null, 5000)).toMatchObject({ updatedAtMs: 5000, tickTimeMs: 5000 });
    expect(statusUpdated(book, home, 'open', null, 4000)).toMatchObject({ updatedAtMs: 5000 }); // never back
  });

  it('a status follows its market when the market is re-mapped', () => {
    const book = bookOf(home, away);
    status(book, home, 'paused');
    book.remap([{ ...home, side: 'away' }, { ...away, side: 'home' }]);
    expect(book.statusOf(home.ticker)?.status).toBe('paused');
    expect(book.gamesByStatus().paused).toBe(1);
    book.removeMarket(home.ticker);
    expect(book.gamesByStatus()).toEqual({ scheduled: 0, open: 1, paused: 0, closed: 0, final: 0 });
  });
});
