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
        '"ticker":"KXNBAGAME-26FEB05CHAHOU-HOU","timestamp":1738772400123}',
    );
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
    });
  });

  it('leaves out the field of a price with no quote', () => {
    const hash = toPriceHash({ ...state, homeTeam: { kalshiBuyPrice: null, kalshiSellPrice: 57 } });
    expect(Object.keys(hash).sort()).toEqual(
      ['awayBuyPrice', 'awaySellPrice', 'homeSellPrice', 'slug', 'ticker', 'timestamp', 'updatedAt'].sort(),
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
    ];
    for (const variant of variants) {
      expect(fromPriceHash(variant.gameId, toPriceHash(variant))).toEqual(
        toPriceMessage({ ...variant, tickTimeMs: variant.updatedAtMs }),
      );
    }
  });

  it('returns null for an empty (expired) or malformed hash', () => {
    expect(fromPriceHash('g', {})).toBeNull();
    expect(fromPriceHash('g', { ...toPriceHash(state), awayBuyPrice: 'abc' })).toBeNull();
    expect(fromPriceHash('g', { ...toPriceHash(state), timestamp: '' })).toBeNull();
  });
});
