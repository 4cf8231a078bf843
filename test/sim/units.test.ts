import { Exchange, randomSimMarket } from '../../packages/kalshi-sim/src/exchange';
import { dollarsToUnits, formatDollars } from '../../packages/kalshi-sim/src/money';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { optionsFromEnv } from '../../packages/kalshi-sim/src/main';

/** mulberry32: a small seeded PRNG so the walk is reproducible. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('sim money', () => {
  it('formats integer ten-thousandths exactly', () => {
    expect(formatDollars(4550)).toBe('0.4550');
    expect(formatDollars(5)).toBe('0.0005');
    expect(formatDollars(10_000)).toBe('1.0000');
    expect(formatDollars(0)).toBe('0.0000');
  });

  it('converts dollars to units without float drift and refuses bad prices', () => {
    expect(dollarsToUnits(0.455)).toBe(4550);
    expect(dollarsToUnits(0.1 + 0.2)).toBe(3000);
    expect(dollarsToUnits(0.0001)).toBe(1);
    expect(() => dollarsToUnits(0.12345)).toThrow(RangeError);
    expect(() => dollarsToUnits(-0.01)).toThrow(RangeError);
    expect(() => dollarsToUnits(1.01)).toThrow(RangeError);
    expect(() => dollarsToUnits(Number.NaN)).toThrow(RangeError);
  });
});

describe('sim exchange random walk', () => {
  it('keeps 0 < bid < ask < 1 on half-cent steps and moves about 10% of the markets a step', () => {
    const random = seeded(42);
    const exchange = new Exchange({ random });
    const markets = Array.from({ length: 50 }, (_, i) => randomSimMarket(`M${i}`, random));
    markets.push({ ticker: 'EDGE', yesBid: 0.01, yesAsk: 0.02 }, { ticker: 'ONE-SIDED', yesBid: null, yesAsk: 0.99 });
    exchange.add(markets);
    let halfCentSteps = 0;
    const last = new Map(exchange.tickers().map((t) => [t, exchange.payload(t)]));
    for (let step = 0; step < 2_000; step++) {
      const moved = exchange.tick();
      expect(moved).toHaveLength(5); // 10% of 52 markets, and every picked market can move

      for (const payload of moved) {
        const bid = Math.round(Number(payload.yes_bid_dollars) * 10_000);
        const ask = Math.round(Number(payload.yes_ask_dollars) * 10_000);
        const before = last.get(payload.market_ticker);
        if (payload.market_ticker === 'ONE-SIDED') {
          expect(bid).toBe(0); // an empty side stays empty
        } else {
          expect(bid).toBeGreaterThan(0);
        }
        expect(ask).toBeGreaterThan(bid);
        expect(ask).toBeLessThan(10_000);
        const previousBid = Math.round(Number(before?.yes_bid_dollars) * 10_000);
        const previousAsk = Math.round(Number(before?.yes_ask_dollars) * 10_000);
        const change = Math.max(Math.abs(bid - previousBid), Math.abs(ask - previousAsk));
        expect([50, 100]).toContain(change);
        if (change === 50) halfCentSteps++;
        last.set(payload.market_ticker, payload);
      }
    }
    expect(halfCentSteps).toBeGreaterThan(0);
    // Spreads stay plausible (the walk only narrows a spread wider than 5¢ when it moves one side).
    for (const ticker of exchange.tickers().filter((t) => t !== 'ONE-SIDED')) {
      const payload = exchange.payload(ticker);
      const spread = Math.round((Number(payload?.yes_ask_dollars) - Number(payload?.yes_bid_dollars)) * 10_000);
      expect(spread).toBeLessThanOrEqual(600);
    }
  });

  it('moves exactly the requested number of markets with tick(count), only active ones', () => {
    const exchange = new Exchange({ random: seeded(7) });
    exchange.add([
      { ticker: 'A', yesBid: 0.01, yesAsk: 0.02 },
      { ticker: 'B', yesBid: 0.98, yesAsk: 0.99 },
      { ticker: 'C', yesBid: 0.4, yesAsk: 0.5, status: 'closed' },
    ]);
    expect(exchange.tick(2).map((p) => p.market_ticker).sort()).toEqual(['A', 'B']);
    for (let i = 0; i < 200; i++) expect(exchange.tick(10)).toHaveLength(2); // a market in a corner still moves
  });

  it('refuses invalid markets atomically', () => {
    const exchange = new Exchange();
    expect(() =>
      exchange.add([
        { ticker: 'OK', yesBid: 0.1, yesAsk: 0.2 },
        { ticker: 'BAD', yesBid: 0.1, yesAsk: 0.2, status: 'open' },
      ]),
    ).toThrow(/unknown status/);
    expect(exchange.size).toBe(0);
  });
});

describe('sim CLI configuration', () => {
  it('names every bad variable, the missing public key first', () => {
    expect(() => optionsFromEnv({ SIM_PORT: 'abc' })).toThrow(/SIM_PUBLIC_KEY_PATH is required[\s\S]*SIM_KEY_ID is required[\s\S]*SIM_PORT/);
    expect(() => optionsFromEnv({ SIM_PUBLIC_KEY_PATH: '/nonexistent/key.pem', SIM_KEY_ID: 'k' })).toThrow(/cannot read \/nonexistent\/key.pem/);
  });

  it('reads the switches for Kalshi\'s open questions, and names a bad one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-key-'));
    const keyPath = join(dir, 'key.pem');
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    writeFileSync(keyPath, publicKey.export({ type: 'spki', format: 'pem' }));
    const base = { SIM_PUBLIC_KEY_PATH: keyPath, SIM_KEY_ID: 'k' };
    expect(optionsFromEnv(base).options).toMatchObject({ unlistedTickers: 'accept', subscriptionErrorsWithoutId: false, tickerShape: 'mixed', priceDecimals: 4 });
    const env = { ...base, SIM_UNLISTED_TICKERS: 'error14', SIM_ERRORS_WITHOUT_ID: 'true', SIM_TICKER_SHAPE: 'lean', SIM_PRICE_DECIMALS: '6' };
    expect(optionsFromEnv(env).options).toMatchObject({ unlistedTickers: 'error14', subscriptionErrorsWithoutId: true, tickerShape: 'lean', priceDecimals: 6 });
    expect(() => optionsFromEnv({ ...base, SIM_UNLISTED_TICKERS: 'error16' })).toThrow(/SIM_UNLISTED_TICKERS must be one of accept, error11, error14/);
  });

  it('sends sending_ts_ms second by default, as Kalshi does today; SIM_SENDING_TS moves it after msg or leaves it out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-key-'));
    const keyPath = join(dir, 'key.pem');
    writeFileSync(keyPath, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    const base = { SIM_PUBLIC_KEY_PATH: keyPath, SIM_KEY_ID: 'k' };
    expect(optionsFromEnv(base).options).toMatchObject({ sendingTs: 'second' });
    expect(optionsFromEnv({ ...base, SIM_SENDING_TS: 'after' }).options).toMatchObject({ sendingTs: 'after' });
    expect(optionsFromEnv({ ...base, SIM_SENDING_TS: 'none' }).options).toMatchObject({ sendingTs: 'none' });
    expect(() => optionsFromEnv({ ...base, SIM_SENDING_TS: 'first' })).toThrow(/SIM_SENDING_TS must be one of second, after, none/);
  });

  it('takes an RSA or Ed25519 public key, and names the two when given another', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-key-'));
    const edPath = join(dir, 'ed.pem');
    writeFileSync(edPath, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    expect(optionsFromEnv({ SIM_PUBLIC_KEY_PATH: edPath, SIM_KEY_ID: 'k' }).options.publicKey).toMatchObject({ asymmetricKeyType: 'ed25519' });
    const ecPath = join(dir, 'ec.pem');
    writeFileSync(ecPath, generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' }));
    expect(() => optionsFromEnv({ SIM_PUBLIC_KEY_PATH: ecPath, SIM_KEY_ID: 'k' })).toThrow(/SIM_PUBLIC_KEY_PATH: needs an RSA or Ed25519 key .* holds a ec key/);
  });
});
