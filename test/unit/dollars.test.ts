import fc from 'fast-check';
import { parseCents, parseDollars, unitsToCents } from '../../src/prices/dollars';
import { makeQuote } from '../../src/prices/quote';

/**
 * The simple version parseDollars is measured against: the grammar as one RegExp, the arithmetic on strings.
 * parseDollars reads char codes instead (it runs twice per ticker frame); the property test below requires the same
 * answer from both on every string.
 */
function referenceDollars(text: string): number | string {
  const match = /^(\d{1,3})(?:\.(\d{1,6}))?$/.exec(text);
  if (match === null) return text.startsWith('-') ? 'price_out_of_range' : 'bad_price';
  const whole = Number(match[1]);
  const digits = (match[2] ?? '').padEnd(6, '0');
  const micro = whole * 1_000_000 + Number(digits);
  if (micro > 1_000_000) return 'price_out_of_range';
  const units = Math.round(micro / 100);
  if (micro > 0 && units === 0) return 1;
  if (micro < 1_000_000 && units === 10_000) return 9_999;
  return units;
}

describe('dollar strings to cents', () => {
  it.each([
    ['0.4550', 4550, 45.5],
    ['0.4537', 4537, 45.37],
    ['0.01', 100, 1],
    ['0.0001', 1, 0.01],
    ['1.00', 10000, 100],
    ['0', 0, 0],
    ['0.5', 5000, 50],
  ])('%s → %i units → %d¢ exactly', (text, units, cents) => {
    expect(parseDollars(text)).toBe(units);
    expect(unitsToCents(units)).toBe(cents);
  });

  it('keeps complements exact where floats drift', () => {
    const bid = parseDollars('0.0804') as number;
    expect(100 - 8.04).not.toBe(91.96); // the float drift this representation avoids
    expect(unitsToCents(10000 - bid)).toBe(91.96);
  });

  it.each([
    ['abc', 'bad_price'],
    ['', 'bad_price'],
    ['0.1234567', 'bad_price'],
    ['1.000001', 'price_out_of_range'],
    ['1e-2', 'bad_price'],
    [' 0.5', 'bad_price'],
    ['-0.10', 'price_out_of_range'],
    ['1.0001', 'price_out_of_range'],
    ['2.00', 'price_out_of_range'],
  ])('refuses %j as %s', (text, problem) => {
    expect(parseDollars(text)).toBe(problem);
  });

  it('accepts up to 6 decimals: exact to the unit, a finer digit rounded without emptying a side', () => {
    expect(parseDollars('0.455000')).toBe(4550);
    expect(parseDollars('0.45500')).toBe(4550);
    expect(parseDollars('1.000000')).toBe(10000);
    expect(parseDollars('0.455049')).toBe(4550);
    expect(parseDollars('0.455050')).toBe(4551);
    expect(parseDollars('0.000001')).toBe(1); // a bid, however small, is still a bid
    expect(parseDollars('0.999999')).toBe(9999); // an ask below $1 is still an ask
    expect(parseDollars('0.000000')).toBe(0);
  });

  it('answers exactly as the simple RegExp version on generated strings', () => {
    const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'), minLength: min, maxLength: max });
    const nearDollar = fc
      .tuple(digits(0, 4), fc.option(digits(0, 8), { nil: undefined }))
      .map(([whole, fraction]) => (fraction === undefined ? whole : `${whole}.${fraction}`));
    const mutated = fc
      .tuple(nearDollar, fc.nat(10), fc.constantFrom('-', '+', '.', ' ', 'e', '0', '9', '/', ':', '\u0660', ''))
      .map(([text, at, insert]) => text.slice(0, at) + insert + text.slice(at));
    const anything = fc.string({ unit: 'binary', maxLength: 12 });
    fc.assert(
      fc.property(fc.oneof(nearDollar, mutated, anything), (text) => {
        expect(parseDollars(text)).toBe(referenceDollars(text));
      }),
      { numRuns: 20_000, seed: 1302 },
    );
  });

  it('agrees with the simple version on every price Kalshi can quote, 0 to $1 in millionths', () => {
    for (let micro = 0; micro <= 1_000_000; micro++) {
      const text = `${Math.floor(micro / 1_000_000)}.${String(micro % 1_000_000).padStart(6, '0')}`;
      const answer = parseDollars(text);
      if (answer !== referenceDollars(text)) throw new Error(`${text}: ${String(answer)} against ${String(referenceDollars(text))}`);
    }
  });

  it('accepts integer cents only as whole cents from 0 to 100', () => {
    expect(parseCents(45)).toBe(4500);
    expect(parseCents(-1)).toBe('price_out_of_range');
    expect(parseCents(101)).toBe('price_out_of_range');
    expect(parseCents(4.5)).toBe('price_out_of_range');
    expect(parseCents(Number.NaN)).toBe('bad_price');
  });
});

describe('makeQuote', () => {
  const none = { dollars: undefined, cents: undefined };
  it('prefers the dollar field over the integer-cent field', () => {
    const quote = makeQuote('T', { dollars: '0.4500', cents: 99 }, { dollars: '0.5300', cents: 1 }, 5, 'socket');
    expect(quote).toEqual({ ticker: 'T', yesBid: 4500, yesAsk: 5300, exchangeTimeMs: 5, source: 'socket' });
  });
  it('falls back to integer cents where the dollar field is missing', () => {
    expect(makeQuote('T', { dollars: undefined, cents: 45 }, { dollars: undefined, cents: 53 }, 5, 'socket')).toMatchObject({ yesBid: 4500, yesAsk: 5300 });
  });
  it('reads a bid of 0 as no bid, and an ask of $1 or none as no ask', () => {
    expect(makeQuote('T', { dollars: '0.0000', cents: undefined }, { dollars: '1.0000', cents: undefined }, 5, 'socket')).toMatchObject({ yesBid: null, yesAsk: null });
    expect(makeQuote('T', { dollars: '0.40', cents: undefined }, none, 5, 'socket')).toMatchObject({ yesBid: 4000, yesAsk: null });
  });
  it('refuses a quote with no price at all, and bad prices', () => {
    expect(makeQuote('T', none, none, 5, 'socket')).toBe('missing_price');
    expect(makeQuote('T', { dollars: 'x', cents: undefined }, none, 5, 'socket')).toBe('bad_price');
    expect(makeQuote('T', { dollars: '0.5', cents: undefined }, { dollars: '1.5', cents: undefined }, 5, 'socket')).toBe('price_out_of_range');
  });
});
