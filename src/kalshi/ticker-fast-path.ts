import type { TickerMessage } from './protocol';

/**
 * A fast path for the one frame that matters per message: Kalshi's `ticker`, in the form Kalshi sends it (compact
 * JSON, its own key order). One compiled regular expression is the whole grammar it accepts; it checks the frame and
 * captures the fields a quote is made of (sid, market_ticker, yes_bid_dollars, yes_ask_dollars, ts, ts_ms) in one
 * native pass, about a fifth of the cost of JSON.parse on a ~390-byte frame, without building the other ten fields.
 * Anything it does not match returns `undefined` ("fall back"), and the caller runs the full JSON.parse + schema check
 * (parseServerFrame). It only ever answers for frames on which both agree: test/unit/ticker-fast-path.test.ts
 * compares them on generated, reordered and mutated frames.
 *
 * What matches, and nothing else:
 * - `{"type":"ticker","sid":N,"msg":{…}}`, optionally with `"seq":N` after sid or after msg; no whitespace anywhere;
 * - in msg, in Kalshi's order (docs/KALSHI.md, kalshi-frames.jsonl): market_id (before or after market_ticker),
 *   market_ticker (1–200 characters, required), price_dollars, yes_bid_dollars, yes_ask_dollars, volume_fp,
 *   open_interest_fp, dollar_volume, dollar_open_interest, yes_bid_size_fp, yes_ask_size_fp, last_trade_size_fp,
 *   ts, ts_ms, time, Clock — each at most once, every one but market_ticker optional;
 * - strings without backslash or control character (nothing to unescape: the text between the quotes is the value);
 * - integers (sid, seq, ts, ts_ms) as plain digits, no sign, fraction, exponent or leading zero, ≤ 15 digits (exact
 *   as doubles); the other numbers without exponent and ≤ 30 digits a side (always finite).
 * Another type, another key order, an unknown or repeated key, escapes, whitespace, the removed cent fields
 * (yes_bid/yes_ask), a nested value: all fall back. When in doubt, the full path decides.
 *
 * feed.ts builds a quote from exactly the fields returned here; a consumer that reads another ticker field must be
 * taught here too (the fast path would hand it `undefined`).
 */
export function readTickerFrame(text: string): TickerMessage | undefined {
  const m = TICKER_FRAME.exec(text);
  if (m === null) return undefined;
  const ts = m[5];
  const tsMs = m[6];
  // Always the same five fields (absent = undefined), so every result has one shape.
  return {
    type: 'ticker',
    sid: Number(m[1]),
    msg: {
      market_ticker: m[2],
      yes_bid_dollars: m[3],
      yes_ask_dollars: m[4],
      ts: ts === undefined ? undefined : Number(ts),
      ts_ms: tsMs === undefined ? undefined : Number(tsMs),
    },
  };
}

/** A JSON string's body with nothing to unescape (no `"`, `\` or control character). */
const PLAIN = '[^"\\\\\\x00-\\x1f]*';
/** A plain non-negative integer that is exact as a double. */
const INT = '(?:0|[1-9][0-9]{0,14})';
/** A JSON number without exponent (never Infinity). */
const NUM = '-?(?:0|[1-9][0-9]{0,29})(?:\\.[0-9]{1,30})?';

const str = (key: string, capture = false) => `(?:,"${key}":"(${capture ? '' : '?:'}${PLAIN})")?`;
const int = (key: string, capture = false) => `(?:,"${key}":(${capture ? '' : '?:'}${INT}))?`;
const num = (key: string) => `(?:,"${key}":${NUM})?`;

const MSG =
  `(?:"market_id":"${PLAIN}",)?` +
  `"market_ticker":"([^"\\\\\\x00-\\x1f]{1,200})"` +
  str('market_id') +
  str('price_dollars') +
  str('yes_bid_dollars', true) +
  str('yes_ask_dollars', true) +
  str('volume_fp') +
  str('open_interest_fp') +
  num('dollar_volume') +
  num('dollar_open_interest') +
  str('yes_bid_size_fp') +
  str('yes_ask_size_fp') +
  str('last_trade_size_fp') +
  int('ts', true) +
  int('ts_ms', true) +
  str('time') +
  num('Clock');

/** Groups: 1 sid, 2 market_ticker, 3 yes_bid_dollars, 4 yes_ask_dollars, 5 ts, 6 ts_ms. */
const TICKER_FRAME = new RegExp(`^\\{"type":"ticker","sid":(${INT})(?:,"seq":${INT})?,"msg":\\{${MSG}\\}(?:,"seq":${INT})?\\}$`);
