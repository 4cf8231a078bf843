import fc from 'fast-check';
import { tickerFrame } from '../../bench/common';
import { isInvalid, parseServerFrame, type ParsedFrame, type TickerMessage } from '../../src/kalshi/protocol';
import { readTickerFrame } from '../../src/kalshi/ticker-fast-path';

/**
 * Differential test: the fast path must give, for every text, either "fall back" (undefined) or exactly what the full
 * parse + schema check gives in every field a quote is built from. Fixed seeds: the same frames in every run.
 */

/** Everything feed.ts reads of a ticker message (the quote is a function of these alone). */
function project(frame: ParsedFrame | TickerMessage): unknown {
  if (isInvalid(frame)) return frame;
  if (frame.type !== 'ticker') return { type: frame.type };
  const { msg } = frame;
  return {
    type: frame.type,
    sid: frame.sid,
    // Read for kalshi_exchange_delay_seconds: the fast path must hand on the very value JSON.parse gives.
    sending_ts_ms: frame.sending_ts_ms,
    msg: {
      market_ticker: msg.market_ticker,
      yes_bid_dollars: msg.yes_bid_dollars,
      yes_ask_dollars: msg.yes_ask_dollars,
      yes_bid: msg.yes_bid,
      yes_ask: msg.yes_ask,
      ts: msg.ts,
      ts_ms: msg.ts_ms,
    },
  };
}

/** Fails when the fast path answers something the full path does not; returns whether it answered. */
function agrees(text: string): boolean {
  const fast = readTickerFrame(text);
  if (fast === undefined) return false;
  const full = parseServerFrame(text);
  if (isInvalid(full)) throw new Error(`fast path accepted what the full path refuses (${full.invalid}): ${JSON.stringify(text)}`);
  expect(project(fast)).toStrictEqual(project(full));
  return true;
}

const RECORDED = [
  // demo socket, 2026-08-27 (no dollar_volume, dollar_open_interest or time)
  '{"type":"ticker","sid":4,"msg":{"market_id":"ef793c45-beed-4096-8a3a-1c70af894be7","market_ticker":"KXGOLDH-26AUG2711-T4615.99","price_dollars":"0.0000","yes_bid_dollars":"0.0100","yes_ask_dollars":"0.9800","volume_fp":"0.00","open_interest_fp":"0.00","yes_bid_size_fp":"1410.00","yes_ask_size_fp":"2500.00","last_trade_size_fp":"0.00","ts":1787838990,"ts_ms":1787838990880}}',
  // production tape, 2026-09-21
  '{"type":"ticker","sid":6,"msg":{"market_id":"4ac7cb26-aacc-420e-860e-5e7f054d8aa8","market_ticker":"KXCRYPTOLEAD15M-26SEP210100-XRP","price_dollars":"0.0100","yes_bid_dollars":"0.0000","yes_ask_dollars":"0.0100","volume_fp":"759.86","open_interest_fp":"666.18","dollar_volume":379,"dollar_open_interest":333,"yes_bid_size_fp":"0.00","yes_ask_size_fp":"78.00","last_trade_size_fp":"0.09","ts":1789966800,"ts_ms":1789966800000,"time":"2026-09-21T05:00:00Z"}}',
  // production, 2026-07-19, keys sorted by the recorder
  '{"type":"ticker","sid":1,"msg":{"dollar_open_interest":309350,"dollar_volume":1116743,"last_trade_size_fp":"0.11","market_id":"e8117a18-7e83-40b4-b2e8-116a8fd494f0","market_ticker":"KXBTC15M-26JUL191145-45","open_interest_fp":"618700.14","price_dollars":"0.9990","time":"2026-07-19T15:45:00.544125Z","ts":1784475900,"ts_ms":1784475900544,"volume_fp":"2233487.48","yes_ask_dollars":"1.0000","yes_ask_size_fp":"0.00","yes_bid_dollars":"0.0000","yes_bid_size_fp":"0.00"}}',
];

/** The documented shapes of October 2026 (kalshi-frames.jsonl): sending_ts_ms second in the envelope, and after msg. */
const SENDING_TS = [
  '{"type":"ticker","sending_ts_ms":1787838990883,"sid":4,"msg":{"market_id":"ef793c45-beed-4096-8a3a-1c70af894be7","market_ticker":"KXGOLDH-26AUG2711-T4615.99","price_dollars":"0.0000","yes_bid_dollars":"0.0100","yes_ask_dollars":"0.9800","volume_fp":"0.00","open_interest_fp":"0.00","yes_bid_size_fp":"1410.00","yes_ask_size_fp":"2500.00","last_trade_size_fp":"0.00","ts":1787838990,"ts_ms":1787838990880}}',
  '{"type":"ticker","sid":4,"msg":{"market_id":"ef793c45-beed-4096-8a3a-1c70af894be7","market_ticker":"KXGOLDH-26AUG2711-T4615.99","price_dollars":"0.0000","yes_bid_dollars":"0.0100","yes_ask_dollars":"0.9800","volume_fp":"0.00","open_interest_fp":"0.00","yes_bid_size_fp":"1410.00","yes_ask_size_fp":"2500.00","last_trade_size_fp":"0.00","ts":1787838990,"ts_ms":1787838990880},"sending_ts_ms":1787838990883}',
];

describe('readTickerFrame on real frames', () => {
  it('reads the recorded Kalshi ticker frames and the simulator’s, as the full parse does', () => {
    const [demo, production, sorted] = RECORDED as [string, string, string];
    const frames = [demo, production, tickerFrame(7, 'KXNBAGAME-26FEB05CHAHOU-HOU', 'id-1', { bid: 4200, ask: 4300 }, 1_738_772_400_123, 17)];
    for (const text of frames) expect(agrees(text)).toBe(true);
    // Keys sorted by a recorder: not Kalshi's order, so the full path reads it.
    expect(agrees(sorted)).toBe(false);
    expect(isInvalid(parseServerFrame(sorted))).toBe(false);
    expect(readTickerFrame(RECORDED[0])).toEqual({
      type: 'ticker',
      sid: 4,
      msg: { market_ticker: 'KXGOLDH-26AUG2711-T4615.99', yes_bid_dollars: '0.0100', yes_ask_dollars: '0.9800', ts: 1787838990, ts_ms: 1787838990880 },
    });
  });

  it('reads frames with sending_ts_ms second and after msg itself (no fall back), with the same msg as without', () => {
    const plain = readTickerFrame(RECORDED[0]);
    for (const text of SENDING_TS) {
      expect(agrees(text)).toBe(true);
      expect(readTickerFrame(text)).toEqual({ ...plain, sending_ts_ms: 1787838990883 });
    }
    expect(readTickerFrame(RECORDED[0])?.sending_ts_ms).toBeUndefined();
    // With seq, as on other channels: after sid and before sending_ts_ms, or after msg and before it.
    const msg = '{"market_ticker":"KX","yes_bid_dollars":"0.1000"}';
    for (const text of [
      `{"type":"ticker","sending_ts_ms":17,"sid":1,"seq":2,"msg":${msg}}`,
      `{"type":"ticker","sid":1,"msg":${msg},"seq":2,"sending_ts_ms":17}`,
      `{"type":"ticker","sid":1,"seq":2,"msg":${msg},"sending_ts_ms":17}`,
    ]) {
      expect(agrees(text)).toBe(true);
      expect(readTickerFrame(text)?.sending_ts_ms).toBe(17);
    }
  });

  it.each([
    ['another type', '{"type":"subscribed","id":1,"msg":{"channel":"ticker","sid":2}}'],
    ['an escape in a string', '{"type":"ticker","sid":1,"msg":{"market_ticker":"K\\u0058","yes_bid_dollars":"0.1000"}}'],
    ['an escape in a key', '{"type":"ticker","sid":1,"msg":{"market_\\u0074icker":"KX","yes_bid_dollars":"0.1000"}}'],
    ['a second msg', '{"type":"ticker","sid":1,"msg":{"market_ticker":"KX","yes_bid_dollars":"0.1000"},"msg":{"market_ticker":"KY"}}'],
    ['a duplicate key', '{"type":"ticker","sid":1,"msg":{"market_ticker":"KX","yes_bid_dollars":"0.1000","yes_bid_dollars":"0.2000"}}'],
    ['a nested object', '{"type":"ticker","sid":1,"msg":{"market_ticker":"KX","price_dollars":{"a":1}}}'],
    ['the cent fields', '{"type":"ticker","sid":1,"msg":{"market_ticker":"KX","yes_bid":10}}'],
    ['a fractional ts_ms', '{"type":"ticker","sid":1,"msg":{"market_ticker":"KX","ts_ms":1.5}}'],
    ['sending_ts_ms in both places', '{"type":"ticker","sending_ts_ms":1,"sid":1,"msg":{"market_ticker":"KX"},"sending_ts_ms":2}'],
    ['sending_ts_ms first', '{"sending_ts_ms":1,"type":"ticker","sid":1,"msg":{"market_ticker":"KX"}}'],
    ['sending_ts_ms between sid and msg', '{"type":"ticker","sid":1,"sending_ts_ms":1,"msg":{"market_ticker":"KX"}}'],
    ['sending_ts_ms before seq after msg', '{"type":"ticker","sid":1,"msg":{"market_ticker":"KX"},"sending_ts_ms":1,"seq":2}'],
    ['a fractional sending_ts_ms', '{"type":"ticker","sending_ts_ms":1787838990883.5,"sid":1,"msg":{"market_ticker":"KX"}}'],
    ['a string sending_ts_ms', '{"type":"ticker","sid":1,"msg":{"market_ticker":"KX"},"sending_ts_ms":"1787838990883"}'],
    ['a negative sending_ts_ms', '{"type":"ticker","sending_ts_ms":-1,"sid":1,"msg":{"market_ticker":"KX"}}'],
    ['a 16-digit sending_ts_ms', '{"type":"ticker","sending_ts_ms":1787838990883000,"sid":1,"msg":{"market_ticker":"KX"}}'],
    ['sending_ts_ms inside msg', '{"type":"ticker","sid":1,"msg":{"market_ticker":"KX","sending_ts_ms":1}}'],
    ['an exponent', '{"type":"ticker","sid":1,"msg":{"market_ticker":"KX","ts_ms":1e3}}'],
    ['a leading zero', '{"type":"ticker","sid":01,"msg":{"market_ticker":"KX"}}'],
    ['an unknown key', '{"type":"ticker","sid":1,"msg":{"market_ticker":"KX","new_field":"x"}}'],
    ['no market_ticker', '{"type":"ticker","sid":1,"msg":{"yes_bid_dollars":"0.1000"}}'],
    ['keys in another order', '{"sid":1,"type":"ticker","msg":{"market_ticker":"KX"}}'],
    ['whitespace', '{"type":"ticker", "sid":1,"msg":{"market_ticker":"KX"}}'],
    ['a number too long to be exact', '{"type":"ticker","sid":1,"msg":{"market_ticker":"KX","ts_ms":1234567890123456}}'],
    ['a huge number', `{"type":"ticker","sid":1,"msg":{"market_ticker":"KX","dollar_volume":1${'0'.repeat(400)}}}`],
    ['trailing text', '{"type":"ticker","sid":1,"msg":{"market_ticker":"KX"}} x'],
    ['a raw control character in the ticker', '{"type":"ticker","sid":1,"msg":{"market_ticker":"KX\u0001","yes_bid_dollars":"0.1000"}}'],
    ['a raw control character in a price', '{"type":"ticker","sid":1,"msg":{"market_ticker":"KX","yes_bid_dollars":"0.1\u001f"}}'],
    ['no comma after a leading market_id', '{"type":"ticker","sid":1,"msg":{"market_id":"m";"market_ticker":"KX"}}'],
    ['a 31-digit integer part', `{"type":"ticker","sid":1,"msg":{"market_ticker":"KX","dollar_volume":${'1'.repeat(31)}}}`],
    ['a 31-digit fraction', `{"type":"ticker","sid":1,"msg":{"market_ticker":"KX","dollar_volume":1.${'1'.repeat(31)}}}`],
  ])('falls back on %s', (_what, text) => {
    expect(readTickerFrame(text)).toBeUndefined();
  });

  it('answers at the limits: 30 digits a side, a 15-digit integer, a 200-character ticker, market_id on both sides', () => {
    const frames = [
      `{"type":"ticker","sid":1,"msg":{"market_ticker":"KX","dollar_volume":-${'9'.repeat(30)}.${'9'.repeat(30)},"ts_ms":123456789012345}}`,
      `{"type":"ticker","sid":1,"seq":2,"msg":{"market_id":"a","market_ticker":"${'K'.repeat(200)}","market_id":"b","yes_ask_dollars":""},"seq":3}`,
    ];
    for (const text of frames) expect(agrees(text)).toBe(true);
  });
});

// ---- generated frames ----

interface Raw { raw: string }
type Value = string | number | boolean | null | Raw | Value[] | Entry[] | { object: Entry[] };
type Entry = [key: string, value: Value];

const isRaw = (v: unknown): v is Raw => typeof v === 'object' && v !== null && 'raw' in v;
const isObject = (v: unknown): v is { object: Entry[] } => typeof v === 'object' && v !== null && 'object' in v;

/** Renders a model as JSON text with chosen whitespace and, where asked, \u-escapes (valid JSON either way). */
function render(value: Value, style: { ws: string[]; escape: number }, counter = { n: 0 }): string {
  const ws = () => style.ws[counter.n++ % style.ws.length] ?? '';
  const str = (s: string) => {
    const json = JSON.stringify(s);
    // Every escape-th string gets its first plain character written as \uXXXX.
    if (style.escape === 0 || counter.n++ % style.escape !== 0 || s.length === 0) return json;
    const code = s.charCodeAt(0);
    if (code === 0x22 || code === 0x5c || code < 0x20) return json;
    return `"\\u${code.toString(16).padStart(4, '0')}${json.slice(2)}`;
  };
  if (isRaw(value)) return value.raw;
  if (typeof value === 'string') return str(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return JSON.stringify(value);
  if (isObject(value)) {
    const parts = value.object.map(([k, v]) => `${ws()}${str(k)}${ws()}:${ws()}${render(v, style, counter)}${ws()}`);
    return `{${parts.join(',')}${parts.length === 0 ? ws() : ''}}`;
  }
  return `[${value.map((v) => `${ws()}${render(v, style, counter)}${ws()}`).join(',')}]`;
}

/** Mostly JSON whitespace; sometimes a character that only looks like it (U+00A0, form feed): invalid JSON. */
const wsArb = fc.oneof(
  { weight: 8, arbitrary: fc.constant<string[]>(['']) },
  { weight: 8, arbitrary: fc.array(fc.constantFrom('', '', '', ' ', '\n', '\t', '\r\n  '), { minLength: 1, maxLength: 6 }) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom('', ' ', '\u00a0', '\f', '\v'), { minLength: 1, maxLength: 6 }) },
);
const unicode = fc.string({ unit: 'binary', maxLength: 12 });
const dollars = fc.oneof(
  { weight: 1, arbitrary: fc.constant('0.4550') },
  fc.integer({ min: 0, max: 10_000 }).map((u) => `${Math.floor(u / 10_000)}.${String(u % 10_000).padStart(4, '0')}`),
  fc.integer({ min: 0, max: 1_000_000 }).map((u) => `0.${String(u).padStart(6, '0')}`),
  fc.constantFrom('1.0000', '0.0000', '0.5', '.5', '-0.1000', '1.00001', ''),
  unicode,
);
const rawNumber = fc.constantFrom('1.0', '1e3', '1E+3', '-0', '-1', '01', '00', '1.', '.5', '123456789012345678', '9007199254740993', '1e400', `1${'0'.repeat(400)}`, '0.0', '-', '+1', 'NaN', 'Infinity');
const intLike: fc.Arbitrary<Value> = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 2_000_000_000_000 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 100 }) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: rawNumber.map((raw) => ({ raw })) },
  { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 4 }), fc.constant(null)) },
);
const ticker = fc.oneof(
  { weight: 12, arbitrary: fc.stringMatching(/^KX[A-Z0-9.-]{1,40}$/) },
  unicode,
  fc.constant(''),
  fc.constant('K'.repeat(200)),
  fc.constant('K'.repeat(201)),
  fc.constant('KX\u2028\u00e9\ud83d\ude00'),
  fc.constant('KX\ud800'), // a lone surrogate
);
const scalar: fc.Arbitrary<Value> = fc.oneof(unicode, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
const nested: fc.Arbitrary<Value> = fc.oneof(
  fc.constant<Value>([]),
  fc.constant<Value>({ object: [] }),
  fc.array(scalar, { maxLength: 2 }),
  fc.record({ object: fc.array(fc.tuple(fc.string({ maxLength: 3 }), scalar), { maxLength: 2 }) }),
);
const anyValue: fc.Arbitrary<Value> = fc.oneof({ weight: 4, arbitrary: scalar }, { weight: 1, arbitrary: nested }, { weight: 1, arbitrary: rawNumber.map((raw) => ({ raw })) });

/** A field of msg: usually well-typed, sometimes any value at all. */
const field = (key: string, good: fc.Arbitrary<Value>): fc.Arbitrary<Entry[]> =>
  fc.oneof(
    { weight: 24, arbitrary: good.map((v): Entry[] => [[key, v]]) },
    { weight: 4, arbitrary: fc.constant<Entry[]>([]) },
    { weight: 1, arbitrary: anyValue.map((v): Entry[] => [[key, v]]) },
  );

const msgEntries: fc.Arbitrary<Entry[]> = fc
  .tuple(
    field('market_ticker', ticker),
    field('market_id', fc.uuid()),
    field('price_dollars', dollars),
    field('yes_bid_dollars', dollars),
    field('yes_ask_dollars', dollars),
    field('volume_fp', fc.constantFrom('0.00', '759.86')),
    field('open_interest_fp', fc.constantFrom('0.00', '666.18')),
    field('dollar_volume', fc.oneof(fc.integer({ min: 0 }), fc.double({ min: 0, max: 1e9, noNaN: true }))),
    field('dollar_open_interest', fc.integer({ min: 0 })),
    field('yes_bid_size_fp', fc.constantFrom('1410.00', '0.00')),
    field('yes_ask_size_fp', fc.constantFrom('2500.00')),
    field('last_trade_size_fp', fc.constantFrom('0.09')),
    field('ts', intLike),
    field('ts_ms', intLike),
    field('time', fc.constantFrom('2026-09-21T05:00:00Z')),
    field('Clock', fc.integer({ min: 0 })),
    fc.oneof({ weight: 8, arbitrary: fc.constant<Entry[]>([]) }, { weight: 1, arbitrary: fc.tuple(fc.constantFrom('yes_bid', 'yes_ask'), intLike).map((e): Entry[] => [e]) }),
    fc.oneof(
      { weight: 8, arbitrary: fc.constant<Entry[]>([]) },
      { weight: 1, arbitrary: fc.tuple(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', 'market_ticker ', 'Market_ticker')), anyValue).map((e): Entry[] => [e]) },
    ),
  )
  .map((groups) => groups.flat());

/** Reorders entries and sometimes repeats one (a duplicate key, with another value). */
const arranged = (entries: fc.Arbitrary<Entry[]>): fc.Arbitrary<Entry[]> =>
  entries.chain((list) =>
    fc
      .tuple(
        // Often the given order (Kalshi's), else any.
        fc.oneof(fc.constant(list), fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length })),
        fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.tuple(fc.nat(), fc.nat(), anyValue) }),
      )
      .map(([order, dup]) => {
        if (dup === null || order.length === 0) return order;
        const [which, where, value] = dup;
        const copy = [...order];
        copy.splice(where % (copy.length + 1), 0, [(order[which % order.length])[0], value]);
        return copy;
      }),
  );

/** The envelope's sending_ts_ms (Kalshi since 2026-10): absent, or a Unix-ms integer, or sometimes anything at all. */
const sendingTs: fc.Arbitrary<Entry[]> = fc.oneof(
  { weight: 8, arbitrary: fc.constant<Entry[]>([]) },
  { weight: 6, arbitrary: fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 }).map((v): Entry[] => [['sending_ts_ms', v]]) },
  { weight: 1, arbitrary: intLike.map((v): Entry[] => [['sending_ts_ms', v]]) },
);

const envelope: fc.Arbitrary<Value> = fc
  .tuple(
    fc.oneof({ weight: 9, arbitrary: fc.constant<Entry[]>([['type', 'ticker']]) }, { weight: 1, arbitrary: fc.constantFrom<Entry[]>([], [['type', 'Ticker']], [['type', 'ok']], [['type', 1]]) }),
    // Second, as in Kalshi's docs…
    sendingTs,
    fc.oneof({ weight: 9, arbitrary: fc.nat({ max: 1000 }).map((sid): Entry[] => [['sid', sid]]) }, { weight: 1, arbitrary: fc.oneof(fc.constant<Entry[]>([]), intLike.map((v): Entry[] => [['sid', v]])) }),
    fc.oneof(
      { weight: 9, arbitrary: arranged(msgEntries).map((entries): Entry[] => [['msg', { object: entries }]]) },
      { weight: 1, arbitrary: fc.oneof(fc.constant<Entry[]>([]), anyValue.map((v): Entry[] => [['msg', v]])) },
    ),
    fc.oneof({ weight: 6, arbitrary: fc.constant<Entry[]>([]) }, { weight: 1, arbitrary: fc.tuple(fc.constantFrom('seq', 'id', 'extra'), anyValue).map((e): Entry[] => [e]) }),
    // …and after msg, as in a live frame (both at once sometimes: a repeated key).
    sendingTs,
  )
  .chain((groups) => arranged(fc.constant(groups.flat())))
  .map((entries) => ({ object: entries }));

const frameText = fc.tuple(envelope, wsArb, fc.constantFrom(0, 0, 0, 0, 0, 1, 3, 7)).map(([model, ws, escape]) => render(model, { ws, escape }));

/** A rendered frame with a few bytes replaced, deleted or inserted. */
const mutated = fc
  .tuple(
    frameText,
    fc.array(
      fc.record({
        at: fc.nat(),
        op: fc.constantFrom('replace', 'delete', 'insert'),
        ch: fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '\\', ' ', '0', '9', '.', '-', 'e', 'a', '\u0000', '\u001f', '\u00a0', '\u000b', '\u00e9', '\u2028', '\ud800'),
      }),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([text, edits]) => {
    let out = text;
    for (const { at, op, ch } of edits) {
      const i = at % (out.length + 1);
      if (op === 'insert') out = out.slice(0, i) + ch + out.slice(i);
      else if (op === 'delete') out = out.slice(0, i) + out.slice(i + 1);
      else out = out.slice(0, i) + ch + out.slice(i + 1);
    }
    return out;
  });

describe('readTickerFrame against the full parse (generated frames)', () => {
  it('agrees or falls back on frames with reordered keys, escapes, unicode, extra, missing and duplicate fields, odd numbers and whitespace', () => {
    let answered = 0;
    let answeredStamped = 0;
    fc.assert(
      fc.property(frameText, (text) => {
        if (!agrees(text)) return;
        answered++;
        if (readTickerFrame(text)?.sending_ts_ms !== undefined) answeredStamped++;
      }),
      { seed: 1301, numRuns: 10000 },
    );
    // The generator makes mostly well-formed frames: the fast path must have taken a good share of them, with and
    // without sending_ts_ms.
    expect(answered).toBeGreaterThan(60);
    expect(answeredStamped).toBeGreaterThan(20);
    expect(answered - answeredStamped).toBeGreaterThan(20);
  });

  it('agrees or falls back on frames with mutated bytes', () => {
    fc.assert(
      fc.property(mutated, (text) => {
        agrees(text);
      }),
      { seed: 1302, numRuns: 6000 },
    );
  });

  it('agrees or falls back on arbitrary JSON and arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string({ unit: 'binary' })), (text) => {
        agrees(text);
      }),
      { seed: 1303, numRuns: 2000 },
    );
  });

  it('answers every frame in Kalshi’s form: its key order, any subset of the optional fields, plain values, sending_ts_ms second, after msg or absent', () => {
    const ORDER = ['market_id', 'market_ticker', 'price_dollars', 'yes_bid_dollars', 'yes_ask_dollars', 'volume_fp', 'open_interest_fp', 'dollar_volume', 'dollar_open_interest', 'yes_bid_size_fp', 'yes_ask_size_fp', 'last_trade_size_fp', 'ts', 'ts_ms', 'time', 'Clock'];
    const plain = fc
      .record({
        sid: fc.nat({ max: 10_000 }),
        ticker: fc.stringMatching(/^KX[A-Z0-9.-]{1,40}$/),
        bid: fc.integer({ min: 0, max: 10_000 }),
        ask: fc.integer({ min: 0, max: 10_000 }),
        tsMs: fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 }),
        n: fc.nat({ max: 1_000_000 }),
        keep: fc.array(fc.boolean(), { minLength: ORDER.length, maxLength: ORDER.length }),
        seq: fc.option(fc.nat(), { nil: undefined }),
        sent: fc.option(fc.record({ at: fc.constantFrom<'second' | 'after'>('second', 'after'), ms: fc.integer({ min: 1_700_000_000_000, max: 1_900_000_000_000 }) }), { nil: undefined }),
      })
      .map((r) => {
        const full = JSON.parse(tickerFrame(r.sid, r.ticker, 'ef793c45', { bid: r.bid, ask: r.ask }, r.tsMs, r.n)) as { msg: Record<string, unknown> };
        const values: Record<string, unknown> = { ...full.msg, last_trade_size_fp: '0.09', time: '2026-09-21T05:00:00Z', Clock: 1234 };
        const msg: Record<string, unknown> = {};
        ORDER.forEach((key, i) => {
          if (key === 'market_ticker' || r.keep[i]) msg[key] = values[key];
        });
        const second = r.sent?.at === 'second' ? { sending_ts_ms: r.sent.ms } : {};
        const after = r.sent?.at === 'after' ? { sending_ts_ms: r.sent.ms } : {};
        const seq = r.seq === undefined ? {} : { seq: r.seq };
        return JSON.stringify({ type: 'ticker', ...second, sid: r.sid, ...seq, msg, ...after });
      });
    let stamped = 0;
    fc.assert(
      fc.property(plain, (text) => {
        expect(agrees(text)).toBe(true);
        if (text.includes('"sending_ts_ms"')) stamped++;
      }),
      { seed: 1304, numRuns: 1000 },
    );
    expect(stamped).toBeGreaterThan(300);
  });
});
