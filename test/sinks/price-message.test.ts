import { Value } from '@sinclair/typebox/value';
import {
  fromPriceHash,
  PriceHashSchema,
  PriceMessageSchema,
  toPriceHash,
  toPriceMessage,
} from '../../src/sinks/price-message';
import type { GamePrices } from '../../src/prices/types';

const state: GamePrices = {
  gameId: '193462',
  slug: 'nba-cha-hou-2026-02-05',
  awayTeam: { kalshiBuyPrice: 43, kalshiSellPrice: 42 },
  homeTeam: { kalshiBuyPrice: 58, kalshiSellPrice: 57 },
  status: 'open',
  result: null,
  ticker: 'KXNBAGAME-26FEB05CHAHOU-HOU',
  tickTimeMs: 1738772400123,
  updatedAtMs: 1738772400999,
};

describe('toPriceMessage', () => {
  it('serializes to the contract message exactly (key order included)', () => {
    expect(JSON.stringify(toPriceMessage(state))).toBe(
      '{"type":"kalshi_price_update","gameId":"193462","slug":"nba-cha-hou-2026-02-05",' +
        '"awayTeam":{"kalshiBuyPrice":43,"kalshiSellPrice":42},"homeTeam":{"kalshiBuyPrice":58,"kalshiSellPrice":57},' +
        '"status":"open","ticker":"KXNBAGAME-26FEB05CHAHOU-HOU","timestamp":1738772400123}',
    );
  });

  it('serializes a final three-way game as the contract\'s second example: draw, status and result', () => {
    const final: GamePrices = {
      gameId: '88120',
      slug: 'epl-ars-che-2026-09-27',
      awayTeam: { kalshiBuyPrice: 0, kalshiSellPrice: 0 },
      homeTeam: { kalshiBuyPrice: 100, kalshiSellPrice: 100 },
      draw: { kalshiBuyPrice: 0, kalshiSellPrice: 0 },
      status: 'final',
      result: 'home',
      ticker: 'KXEPLGAME-26SEP27ARSCHE-ARS',
      tickTimeMs: 1790546400000,
      updatedAtMs: 1790546400000,
    };
    expect(JSON.stringify(toPriceMessage(final))).toBe(
      '{"type":"kalshi_price_update","gameId":"88120","slug":"epl-ars-che-2026-09-27",' +
        '"awayTeam":{"kalshiBuyPrice":0,"kalshiSellPrice":0},"homeTeam":{"kalshiBuyPrice":100,"kalshiSellPrice":100},' +
        '"draw":{"kalshiBuyPrice":0,"kalshiSellPrice":0},"status":"final","result":"home",' +
        '"ticker":"KXEPLGAME-26SEP27ARSCHE-ARS","timestamp":1790546400000}',
    );
    expect(Value.Check(PriceMessageSchema, toPriceMessage(final))).toBe(true);
    expect(toPriceHash(final)).toMatchObject({ drawBuyPrice: '0', drawSellPrice: '0', status: 'final', result: 'home' });
    expect(Value.Check(PriceHashSchema, toPriceHash(final))).toBe(true);
  });

  it('has no result until there is one, and no draw for a two-way game', () => {
    const message = toPriceMessage({ ...state, status: 'closed' });
    expect(message).not.toHaveProperty('result');
    expect(message).not.toHaveProperty('draw');
    expect(toPriceHash({ ...state, status: 'final', result: null })).not.toHaveProperty('result');
  });

  it('the schema accepts a message without status, result and draw (older producers) and refuses unknown values', () => {
    const { status: _status, ...older } = toPriceMessage(state);
    expect(Value.Check(PriceMessageSchema, older)).toBe(true);
    expect(Value.Check(PriceMessageSchema, { ...older, status: 'settled' })).toBe(false);
    expect(Value.Check(PriceMessageSchema, { ...older, result: 'tie' })).toBe(false);
    expect(Value.Check(PriceMessageSchema, { ...older, draw: { kalshiBuyPrice: 101, kalshiSellPrice: 1 } })).toBe(false);
  });

  it('validates against PriceMessageSchema, with nulls and sub-cent prices', () => {
    const message = toPriceMessage({ ...state, awayTeam: { kalshiBuyPrice: null, kalshiSellPrice: 45.5 } });
    expect(Value.Check(PriceMessageSchema, message)).toBe(true);
    expect(Value.Check(PriceMessageSchema, JSON.parse(JSON.stringify(message)))).toBe(true);
  });

  it('the schema rejects what the contract does not allow', () => {
    const good = toPriceMessage(state);
    expect(Value.Check(PriceMessageSchema, { ...good, type: 'other' })).toBe(false);
    expect(Value.Check(PriceMessageSchema, { ...good, timestamp: 1.5 })).toBe(false);
    expect(Value.Check(PriceMessageSchema, { ...good, awayTeam: { kalshiBuyPrice: '43', kalshiSellPrice: 42 } })).toBe(false);
    expect(Value.Check(PriceMessageSchema, { ...good, homeTeam: { kalshiBuyPrice: 101, kalshiSellPrice: 42 } })).toBe(false);
    const { ticker: _ticker, ...withoutTicker } = good;
    expect(Value.Check(PriceMessageSchema, withoutTicker)).toBe(false);
  });

  it('schemas carry $id, title and descriptions for JSON Schema export', () => {
    for (const schema of [PriceMessageSchema, PriceHashSchema]) {
      expect(schema.$id).toMatch(/\.json$/);
      expect(schema.title).toEqual(expect.any(String));
      expect(schema.description).toEqual(expect.any(String));
      for (const property of Object.values(schema.properties)) expect(property.description).toEqual(expect.any(String));
    }
  });
});

describe('toPriceHash', () => {
  it('has the contract fields as strings: cents as decimals, updatedAt in seconds, timestamp in ms', () => {
    expect(toPriceHash({ ...state, awayTeam: { kalshiBuyPrice: 45.5, kalshiSellPrice: 45.37 } })).toEqual({
      awayBuyPrice: '45.5',
      awaySellPrice: '45.37',
      homeBuyPrice: '58',
      homeSellPrice: '57',
      ticker: 'KXNBAGAME-26FEB05CHAHOU-HOU',
      updatedAt: '1738772400',
      timestamp: '1738772400999',
      slug: 'nba-cha-hou-2026-02-05',
      status: 'open',
    });
  });

  it('leaves out the field of a price with no quote', () => {
    const hash = toPriceHash({ ...state, homeTeam: { kalshiBuyPrice: null, kalshiSellPrice: 57 } });
    expect(Object.keys(hash).sort()).toEqual(
      ['awayBuyPrice', 'awaySellPrice', 'homeSellPrice', 'slug', 'status', 'ticker', 'timestamp', 'updatedAt'].sort(),
    );
    expect(Value.Check(PriceHashSchema, hash)).toBe(true);
  });
});

describe('fromPriceHash', () => {
  it('round-trips toPriceHash (the timestamp is the hash one: updatedAtMs)', () => {
    const variants: GamePrices[] = [
      state,
      { ...state, awayTeam: { kalshiBuyPrice: null, kalshiSellPrice: null }, homeTeam: { kalshiBuyPrice: 45.37, kalshiSellPrice: null } },
      { ...state, tickTimeMs: state.updatedAtMs },
      { ...state, draw: { kalshiBuyPrice: 26, kalshiSellPrice: null }, status: 'paused' },
      { ...state, draw: { kalshiBuyPrice: 0, kalshiSellPrice: 0 }, status: 'final', result: 'away' },
      { ...state, status: 'final', result: null },
    ];
    for (const variant of variants) {
      expect(fromPriceHash(variant.gameId, toPriceHash(variant))).toEqual(
        toPriceMessage({ ...variant, tickTimeMs: variant.updatedAtMs }),
      );
    }
  });

  it('rebuilds a hash written before status existed (no status, result or draw)', () => {
    const { status: _status, ...older } = toPriceHash(state);
    const { status: _s, ...expected } = toPriceMessage({ ...state, tickTimeMs: state.updatedAtMs });
    expect(fromPriceHash(state.gameId, older)).toEqual(expected);
  });

  it('returns null for an empty (expired) or malformed hash', () => {
    expect(fromPriceHash('g', {})).toBeNull();
    expect(fromPriceHash('g', { ...toPriceHash(state), awayBuyPrice: 'abc' })).toBeNull();
    expect(fromPriceHash('g', { ...toPriceHash(state), timestamp: '' })).toBeNull();
    expect(fromPriceHash('g', { ...toPriceHash(state), status: 'settled' })).toBeNull();
  });
});
