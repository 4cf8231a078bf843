import { errorCommandId, exchangeTimeOf, isInvalid, okMarketTickers, parseServerFrame, type ErrorMessage } from '../../src/kalshi/protocol';

const ticker = {
  type: 'ticker',
  sid: 11,
  msg: { market_ticker: 'KXNBAGAME-26FEB05CHAHOU-CHA', price_dollars: '0.4800', yes_bid_dollars: '0.4500', yes_ask_dollars: '0.5300', ts: 1669149841, ts_ms: 1669149841000 },
};

describe('parseServerFrame', () => {
  it('accepts every server message of docs/KALSHI.md', () => {
    for (const message of [
      ticker,
      { id: 1, type: 'subscribed', msg: { channel: 'ticker', sid: 7 } },
      { id: 2, sid: 7, seq: 3, type: 'ok', msg: { market_tickers: ['C'] } },
      { id: 4, type: 'ok', msg: [{ channel: 'ticker', sid: 7 }] },
      { id: 3, sid: 7, seq: 4, type: 'unsubscribed' },
      { id: 1, type: 'error', msg: { code: 11, msg: 'Invalid parameter' } },
      { type: 'error', sid: 3, seq: 2, msg: { code: 13, msg: 'Unsupported action' } },
      { type: 'error', sid: 3, seq: 2, msg: { code: 11, market_ticker: 'A' } },
      { type: 'ticker', sid: 1, msg: { market_ticker: 'A' } },
      { type: 'ticker', sid: 1, msg: { market_ticker: 'A', yes_bid_dollars: '0.455000', last_trade_size_fp: '0.09', time: '2026-09-21T05:00:00Z', Clock: 12 } },
    ]) {
      const parsed = parseServerFrame(JSON.stringify(message));
      expect(isInvalid(parsed)).toBe(false);
      expect(parsed).toEqual(message);
    }
  });

  it.each([
    ['{not json', 'invalid_json'],
    ['42', 'invalid_schema'],
    ['null', 'invalid_schema'],
    ['{"type":"ticker_v2","sid":1,"msg":{}}', 'unknown_type'],
    ['{"msg":{}}', 'unknown_type'],
    ['{"type":"ticker","sid":1,"msg":{}}', 'invalid_schema'],
    ['{"type":"ticker","sid":1,"msg":{"market_ticker":"A","time":5}}', 'invalid_schema'],
    ['{"type":"error","sid":1,"msg":{"code":"11"}}', 'invalid_schema'],
    ['{"type":"ticker","sid":1,"msg":{"market_ticker":"A","yes_bid_dollars":0.45}}', 'invalid_schema'],
    ['{"type":"subscribed","id":1,"msg":{"channel":"ticker"}}', 'invalid_schema'],
  ])('refuses %s as %s', (text, reason) => {
    const parsed = parseServerFrame(text);
    expect(isInvalid(parsed) && parsed.invalid).toBe(reason);
  });
});

describe('reply helpers', () => {
  it('reads the whole ticker list of an ok reply, and nothing from a list_subscriptions reply', () => {
    expect(okMarketTickers({ id: 2, type: 'ok', sid: 1, seq: 3, msg: { market_tickers: ['A', 'B'] } })).toEqual(['A', 'B']);
    expect(okMarketTickers({ id: 4, type: 'ok', msg: [{ channel: 'ticker', sid: 7 }] })).toBeUndefined();
    expect(okMarketTickers({ id: 4, type: 'ok', msg: { market_tickers: [1] } })).toBeUndefined();
  });

  it('treats a missing id and id 0 as no command', () => {
    const error = (id?: number): ErrorMessage => ({ ...(id === undefined ? {} : { id }), type: 'error', msg: { code: 13 } });
    expect(errorCommandId(error())).toBeUndefined();
    expect(errorCommandId(error(0))).toBeUndefined();
    expect(errorCommandId(error(5))).toBe(5);
  });
});

describe('exchangeTimeOf', () => {
  it('takes ts_ms, else ts×1000, else the receive time', () => {
    expect(exchangeTimeOf({ market_ticker: 'A', ts: 5, ts_ms: 5123 }, 9)).toBe(5123);
    expect(exchangeTimeOf({ market_ticker: 'A', ts: 5 }, 9)).toBe(5000);
    expect(exchangeTimeOf({ market_ticker: 'A' }, 9)).toBe(9);
  });
});
