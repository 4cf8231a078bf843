import { fromPriceHash, isPriceMessage, parsePriceMessage, type PriceMessage } from '../src';

const base: PriceMessage = {
  type: 'kalshi_price_update',
  gameId: '88120',
  slug: 'epl-ars-che-2026-09-27',
  awayTeam: { kalshiBuyPrice: 0, kalshiSellPrice: 0 },
  homeTeam: { kalshiBuyPrice: 100, kalshiSellPrice: 100 },
  ticker: 'KXEPLGAME-26SEP27ARSCHE-ARS',
  timestamp: 1790546400000,
};

describe('the message with status, result and draw', () => {
  it('validates with them, and without them (producers before they existed)', () => {
    const final: PriceMessage = { ...base, draw: { kalshiBuyPrice: 0, kalshiSellPrice: 0 }, status: 'final', result: 'home' };
    expect(isPriceMessage(final)).toBe(true);
    expect(parsePriceMessage(JSON.stringify(final))).toEqual(final);
    expect(isPriceMessage(base)).toBe(true);
    expect(isPriceMessage({ ...base, status: 'open' })).toBe(true);
  });

  it('refuses values the contract does not name', () => {
    expect(isPriceMessage({ ...base, status: 'settled' })).toBe(false);
    expect(isPriceMessage({ ...base, result: 'tie' })).toBe(false);
    expect(isPriceMessage({ ...base, draw: { kalshiBuyPrice: 100 } })).toBe(false);
  });

  it('fromPriceHash rebuilds them from the hash', () => {
    const hash = {
      awayBuyPrice: '0', awaySellPrice: '0', homeBuyPrice: '100', homeSellPrice: '100', drawBuyPrice: '0', drawSellPrice: '0',
      status: 'final', result: 'home', ticker: base.ticker, updatedAt: '1790546400', timestamp: '1790546400000', slug: base.slug,
    };
    expect(fromPriceHash('88120', hash)).toEqual({ ...base, draw: { kalshiBuyPrice: 0, kalshiSellPrice: 0 }, status: 'final', result: 'home' });
    const { drawBuyPrice: _b, drawSellPrice: _s, result: _r, ...twoWay } = hash;
    expect(fromPriceHash('88120', { ...twoWay, status: 'closed' })).toEqual({ ...base, status: 'closed' });
  });
});
