import type { TickerMessage } from './protocol';

/**
 * A fast path for the one frame that matters per message: Kalshi's `ticker`. It reads the fields a quote is made of
 * (market_ticker, yes_bid_dollars, yes_ask_dollars, ts, ts_ms) and the envelope (type, sid) in one pass over the
 * text, without building the other ten fields as objects, and says `undefined` ("fall back") for anything it does
 * not fully recognise; the caller then runs the full JSON.parse + schema check (parseServerFrame), so the fast path
 * only ever answers for frames on which both agree (test/unit/ticker-fast-path.test.ts compares them on generated
 * frames).
 *
 * It answers only when the whole text is one JSON object that:
 * - has exactly the keys type (= "ticker"), sid, msg, and optionally seq; msg an object; no key twice;
 * - has in msg only keys of a real ticker frame (below) with the JSON type the schema wants, market_ticker among
 *   them (1–200 characters);
 * - has no backslash or control character in any key or string (no escapes to decode), no nested value inside msg,
 *   integers (sid, seq, ts, ts_ms) as plain digits without sign, fraction, exponent or leading zero (≤ 15 digits:
 *   exact as a double), and other numbers without exponent (always finite);
 * and nothing but JSON whitespace around the tokens. Anything else — another message type, escapes, `yes_bid`/`yes_ask`
 * (the removed cent fields), an unknown key, an odd number — falls back: when in doubt, the full path decides.
 *
 * feed.ts builds a quote from exactly the fields returned here; a consumer that reads another ticker field must
 * be taught here too (or the fast path would hand it `undefined`).
 */
export function readTickerFrame(text: string): TickerMessage | undefined {
  const n = text.length;
  let i = skipWs(text, 0, n);
  if (i >= n || text.charCodeAt(i) !== OPEN_BRACE) return undefined;
  i = skipWs(text, i + 1, n);

  let seen = 0;
  let sid = -1;
  let marketTicker: string | undefined;
  let bid: string | undefined;
  let ask: string | undefined;
  let ts: number | undefined;
  let tsMs: number | undefined;

  // ---- envelope ----
  if (i < n && text.charCodeAt(i) === CLOSE_BRACE) return undefined;
  for (;;) {
    if (i >= n || text.charCodeAt(i) !== QUOTE) return undefined;
    const keyStart = i + 1;
    const keyEnd = plainStringEnd(text, keyStart, n);
    if (keyEnd < 0) return undefined;
    const top = topKey(text, keyStart, keyEnd - keyStart);
    if (top === 0 || (seen & top) !== 0) return undefined;
    seen |= top;
    i = skipWs(text, keyEnd + 1, n);
    if (i >= n || text.charCodeAt(i) !== COLON) return undefined;
    i = skipWs(text, i + 1, n);
    if (top === TOP_TYPE) {
      if (!text.startsWith('"ticker"', i)) return undefined;
      i += 8;
    } else if (top === TOP_SID || top === TOP_SEQ) {
      const end = intEnd(text, i, n);
      if (end < 0) return undefined;
      if (top === TOP_SID) sid = intValue(text, i, end);
      i = end;
    } else {
      // msg
      if (i >= n || text.charCodeAt(i) !== OPEN_BRACE) return undefined;
      i = skipWs(text, i + 1, n);
      let fields = 0;
      if (i < n && text.charCodeAt(i) === CLOSE_BRACE) return undefined; // no market_ticker
      for (;;) {
        if (i >= n || text.charCodeAt(i) !== QUOTE) return undefined;
        const fStart = i + 1;
        const fEnd = plainStringEnd(text, fStart, n);
        if (fEnd < 0) return undefined;
        const field = msgKey(text, fStart, fEnd - fStart);
        if (field === 0 || (fields & field) !== 0) return undefined;
        fields |= field;
        i = skipWs(text, fEnd + 1, n);
        if (i >= n || text.charCodeAt(i) !== COLON) return undefined;
        i = skipWs(text, i + 1, n);
        if ((field & STRING_FIELDS) !== 0) {
          if (i >= n || text.charCodeAt(i) !== QUOTE) return undefined;
          const vEnd = plainStringEnd(text, i + 1, n);
          if (vEnd < 0) return undefined;
          if (field === F_MARKET_TICKER) {
            const length = vEnd - i - 1;
            if (length < 1 || length > MAX_TICKER_LENGTH) return undefined;
            marketTicker = text.slice(i + 1, vEnd);
          } else if (field === F_YES_BID) bid = text.slice(i + 1, vEnd);
          else if (field === F_YES_ASK) ask = text.slice(i + 1, vEnd);
          i = vEnd + 1;
        } else if ((field & INT_FIELDS) !== 0) {
          const end = intEnd(text, i, n);
          if (end < 0) return undefined;
          if (field === F_TS) ts = intValue(text, i, end);
          else tsMs = intValue(text, i, end);
          i = end;
        } else {
          const end = numberEnd(text, i, n);
          if (end < 0) return undefined;
          i = end;
        }
        i = skipWs(text, i, n);
        if (i >= n) return undefined;
        const c = text.charCodeAt(i);
        if (c === COMMA) {
          i = skipWs(text, i + 1, n);
          continue;
        }
        if (c !== CLOSE_BRACE) return undefined;
        i += 1;
        break;
      }
      if ((fields & F_MARKET_TICKER) === 0) return undefined;
    }
    i = skipWs(text, i, n);
    if (i >= n) return undefined;
    const c = text.charCodeAt(i);
    if (c === COMMA) {
      i = skipWs(text, i + 1, n);
      continue;
    }
    if (c !== CLOSE_BRACE) return undefined;
    i += 1;
    break;
  }
  if (skipWs(text, i, n) !== n) return undefined;
  if ((seen & TOP_REQUIRED) !== TOP_REQUIRED || marketTicker === undefined) return undefined;
  // Always the same five fields (absent = undefined), so every result has one shape.
  return {
    type: 'ticker',
    sid,
    msg: { market_ticker: marketTicker, yes_bid_dollars: bid, yes_ask_dollars: ask, ts, ts_ms: tsMs },
  };
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
/** protocol.ts: market_ticker is 1–200 characters. */
const MAX_TICKER_LENGTH = 200;
/** Digits of an integer read here: ≤ 15 is always below 2^53, so the double is exact. */
const MAX_INT_DIGITS = 15;
/** Digits on either side of the point of a number that is only checked: without exponent it is always finite. */
const MAX_NUMBER_DIGITS = 30;

const TOP_TYPE = 1;
const TOP_SID = 2;
const TOP_MSG = 4;
const TOP_SEQ = 8;
const TOP_REQUIRED = TOP_TYPE | TOP_SID | TOP_MSG;

const F_MARKET_TICKER = 1 << 0;
const F_YES_BID = 1 << 1;
const F_YES_ASK = 1 << 2;
const F_TS = 1 << 3;
const F_TS_MS = 1 << 4;
// Read only to be checked and skipped.
const F_MARKET_ID = 1 << 5;
const F_PRICE = 1 << 6;
const F_VOLUME = 1 << 7;
const F_OPEN_INTEREST = 1 << 8;
const F_BID_SIZE = 1 << 9;
const F_ASK_SIZE = 1 << 10;
const F_LAST_SIZE = 1 << 11;
const F_TIME = 1 << 12;
const F_DOLLAR_VOLUME = 1 << 13;
const F_DOLLAR_OI = 1 << 14;
const F_CLOCK = 1 << 15;

const STRING_FIELDS =
  F_MARKET_TICKER | F_YES_BID | F_YES_ASK | F_MARKET_ID | F_PRICE | F_VOLUME | F_OPEN_INTEREST | F_BID_SIZE | F_ASK_SIZE | F_LAST_SIZE | F_TIME;
const INT_FIELDS = F_TS | F_TS_MS;
// The rest (dollar_volume, dollar_open_interest, Clock) are numbers.

function topKey(text: string, at: number, length: number): number {
  switch (length) {
    case 3:
      if (text.startsWith('sid', at)) return TOP_SID;
      if (text.startsWith('msg', at)) return TOP_MSG;
      if (text.startsWith('seq', at)) return TOP_SEQ;
      return 0;
    case 4:
      return text.startsWith('type', at) ? TOP_TYPE : 0;
    default:
      return 0;
  }
}

/** The keys of a real ticker frame's msg (KALSHI.md, kalshi-frames.jsonl); any other key falls back. */
function msgKey(text: string, at: number, length: number): number {
  switch (length) {
    case 2:
      return text.startsWith('ts', at) ? F_TS : 0;
    case 4:
      return text.startsWith('time', at) ? F_TIME : 0;
    case 5:
      if (text.startsWith('ts_ms', at)) return F_TS_MS;
      return text.startsWith('Clock', at) ? F_CLOCK : 0;
    case 9:
      if (text.startsWith('market_id', at)) return F_MARKET_ID;
      return text.startsWith('volume_fp', at) ? F_VOLUME : 0;
    case 13:
      if (text.startsWith('market_ticker', at)) return F_MARKET_TICKER;
      if (text.startsWith('price_dollars', at)) return F_PRICE;
      return text.startsWith('dollar_volume', at) ? F_DOLLAR_VOLUME : 0;
    case 15:
      if (text.startsWith('yes_bid_dollars', at)) return F_YES_BID;
      if (text.startsWith('yes_ask_dollars', at)) return F_YES_ASK;
      if (text.startsWith('yes_bid_size_fp', at)) return F_BID_SIZE;
      return text.startsWith('yes_ask_size_fp', at) ? F_ASK_SIZE : 0;
    case 16:
      return text.startsWith('open_interest_fp', at) ? F_OPEN_INTEREST : 0;
    case 18:
      return text.startsWith('last_trade_size_fp', at) ? F_LAST_SIZE : 0;
    case 20:
      return text.startsWith('dollar_open_interest', at) ? F_DOLLAR_OI : 0;
    default:
      return 0;
  }
}

function skipWs(text: string, i: number, n: number): number {
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/** Index of the closing quote of a string starting at `i` (after its opening quote); −1 on an escape, control character or no end. */
function plainStringEnd(text: string, i: number, n: number): number {
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i;
    if (c === BACKSLASH || c < 0x20) return -1;
    i++;
  }
  return -1;
}

/** End of a plain non-negative integer at `i` (no sign, fraction, exponent or leading zero, ≤ 15 digits); −1 otherwise. */
function intEnd(text: string, i: number, n: number): number {
  const start = i;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < ZERO || c > NINE) break;
    i++;
  }
  const digits = i - start;
  if (digits === 0 || digits > MAX_INT_DIGITS) return -1;
  if (digits > 1 && text.charCodeAt(start) === ZERO) return -1;
  // A fraction or exponent after the digits is no delimiter: the caller falls back on it.
  return i;
}

function intValue(text: string, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) value = value * 10 + (text.charCodeAt(i) - ZERO);
  return value;
}

/** End of a JSON number without exponent at `i`: -?(0|[1-9]\d*)(\.\d+)?; −1 otherwise. */
function numberEnd(text: string, i: number, n: number): number {
  if (i < n && text.charCodeAt(i) === MINUS) i++;
  const start = i;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < ZERO || c > NINE) break;
    i++;
  }
  const digits = i - start;
  if (digits === 0 || digits > MAX_NUMBER_DIGITS) return -1;
  if (digits > 1 && text.charCodeAt(start) === ZERO) return -1;
  if (i < n && text.charCodeAt(i) === DOT) {
    const fraction = ++i;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c < ZERO || c > NINE) break;
      i++;
    }
    if (i === fraction || i - fraction > MAX_NUMBER_DIGITS) return -1;
  }
  // An exponent is no delimiter: the caller falls back on it (1e400 would be Infinity, which the schema refuses).
  return i;
}
