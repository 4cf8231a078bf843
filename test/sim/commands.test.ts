import type { KalshiSimulator, SimulatorOptions } from '../../packages/kalshi-sim/src/simulator';
import { nextEvent, simulators, type Json, type TestClient } from './helpers';

const MARKETS = [
  { ticker: 'KXNBAGAME-26FEB05CHAHOU-CHA', yesBid: 0.455, yesAsk: 0.48 },
  { ticker: 'KXNBAGAME-26FEB05CHAHOU-HOU', yesBid: 0.52, yesAsk: 0.545 },
  { ticker: 'EMPTY-BID', yesBid: null, yesAsk: 0.05 },
  { ticker: 'EMPTY-ASK', yesBid: 0.9, yesAsk: null },
];
const [CHA, HOU, EMPTY_BID, EMPTY_ASK] = MARKETS.map((m) => m.ticker) as [string, string, string, string];

const TICKER_FIELDS = [
  'market_ticker',
  'market_id',
  'price_dollars',
  'yes_bid_dollars',
  'yes_ask_dollars',
  'volume_fp',
  'open_interest_fp',
  'dollar_volume',
  'dollar_open_interest',
  'yes_bid_size_fp',
  'yes_ask_size_fp',
  'last_trade_size_fp',
  'ts',
  'ts_ms',
  'time',
];

function msgOf(message: Json): Json {
  return message.msg as Json;
}

describe('simulator commands', () => {
  const sims = simulators();
  let sim: KalshiSimulator;
  let client: TestClient;

  async function setup(options: Partial<SimulatorOptions> = {}): Promise<void> {
    sim = await sims.start({ tickerShape: 'full', ...options });
    sim.addMarkets(MARKETS);
    client = await sims.connect(sim);
  }

  async function subscribe(id: number, tickers: string[] | undefined, snapshot = false): Promise<number> {
    client.send({
      id,
      cmd: 'subscribe',
      params: { channels: ['ticker'], ...(tickers === undefined ? {} : { market_tickers: tickers }), send_initial_snapshot: snapshot },
    });
    const reply = await client.next();
    expect(reply).toEqual({ id, type: 'subscribed', msg: { channel: 'ticker', sid: expect.any(Number) } });
    return msgOf(reply).sid as number;
  }

  /** A round trip: everything the server sent before this reply has been read by then. */
  async function listSubscriptions(id = 999): Promise<Json> {
    client.send({ id, cmd: 'list_subscriptions' });
    return client.next();
  }

  describe('subscribe', () => {
    beforeEach(() => setup());

    it('replies subscribed, then a snapshot per market with 4-decimal dollar strings and no integer-cent fields', async () => {
      const sid = await subscribe(1, [CHA, EMPTY_BID, EMPTY_ASK], true);
      expect(sid).toBe(1);
      const cha = await client.next();
      expect(cha).toEqual({ type: 'ticker', sid: 1, msg: expect.any(Object) });
      expect(Object.keys(cha)).toEqual(['type', 'sid', 'msg']); // no seq on ticker
      const m = msgOf(cha);
      expect(Object.keys(m)).toEqual(TICKER_FIELDS);
      expect(m).toMatchObject({ market_ticker: CHA, yes_bid_dollars: '0.4550', yes_ask_dollars: '0.4800' });
      expect(m.market_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(m.price_dollars).toMatch(/^\d\.\d{4}$/);
      expect(m.volume_fp).toMatch(/^\d+\.\d{2}$/);
      expect(m.ts).toBe(Math.floor((m.ts_ms as number) / 1000));
      expect(Number.isInteger(m.dollar_volume)).toBe(true);

      expect(msgOf(await client.next())).toMatchObject({ market_ticker: EMPTY_BID, yes_bid_dollars: '0.0000', yes_ask_dollars: '0.0500' });
      expect(msgOf(await client.next())).toMatchObject({ market_ticker: EMPTY_ASK, yes_bid_dollars: '0.9000', yes_ask_dollars: '1.0000' });
      expect(sim.stats.tickersSent).toBe(3);
    });

    it('renders the recorded frame shapes in turn (full, lean, Clock), and 6-decimal dollar strings when asked', async () => {
      await sims.start({}).then(async (mixed) => {
        mixed.addMarkets(MARKETS);
        const c = await sims.connect(mixed);
        c.send({ id: 1, cmd: 'subscribe', params: { channels: ['ticker'], market_tickers: [CHA, HOU, EMPTY_BID], send_initial_snapshot: true } });
        await c.next();
        const keys = [await c.next(), await c.next(), await c.next()].map((f) => Object.keys(msgOf(f)).join(','));
        expect(new Set(keys)).toEqual(
          new Set([
            TICKER_FIELDS.join(','),
            TICKER_FIELDS.filter((k) => !['dollar_volume', 'dollar_open_interest', 'time'].includes(k)).join(','),
            [...TICKER_FIELDS, 'Clock'].join(','),
          ]),
        );
      });
      const six = await sims.start({ priceDecimals: 6 });
      six.addMarkets(MARKETS);
      const c6 = await sims.connect(six);
      c6.send({ id: 1, cmd: 'subscribe', params: { channels: ['ticker'], market_tickers: [CHA], send_initial_snapshot: true } });
      await c6.next();
      expect(msgOf(await c6.next())).toMatchObject({ yes_bid_dollars: '0.455000', yes_ask_dollars: '0.480000' });
    });

    it('stamps every frame with sending_ts_ms (Unix ms, now): second in the envelope by default, after msg or not at all by the switch', async () => {
      const before = Date.now();
      await subscribe(1, [CHA], true);
      await client.next(); // the snapshot
      sim.setQuote(CHA, { yesBid: 0.46 });
      await client.next();
      client.send({ id: 2, cmd: 'unknown' });
      await client.next(); // error 5
      await listSubscriptions(); // ok
      expect(client.sendingTs).toHaveLength(5); // subscribed, snapshot, tick, error, ok
      for (const seen of client.sendingTs) {
        expect(seen.index).toBe(1);
        expect(Number.isInteger(seen.value)).toBe(true);
        expect(seen.value as number).toBeGreaterThanOrEqual(before);
        expect(seen.value as number).toBeLessThanOrEqual(Date.now());
      }

      sim.setSendingTs('after');
      sim.setQuote(CHA, { yesBid: 0.47 });
      await client.next();
      await listSubscriptions();
      expect(client.sendingTs.slice(5).map((seen) => seen.index === seen.keys - 1)).toEqual([true, true]);

      sim.setSendingTs('none');
      sim.setQuote(CHA, { yesBid: 0.48 });
      await client.next();
      expect(client.sendingTs.slice(7).map((seen) => seen.index)).toEqual([-1]);
    });

    it('sends no snapshot without send_initial_snapshot', async () => {
      await subscribe(1, [CHA]);
      expect(await listSubscriptions()).toEqual({ id: 999, type: 'ok', msg: [{ channel: 'ticker', sid: 1 }] });
    });

    it('merges a second subscribe into the connection subscription: ok with the whole list, snapshots only for new tickers', async () => {
      expect(await subscribe(1, [CHA], true)).toBe(1);
      expect(msgOf(await client.next())).toMatchObject({ market_ticker: CHA });
      client.send({ id: 2, cmd: 'subscribe', params: { channels: ['ticker'], market_tickers: [CHA, HOU], send_initial_snapshot: true } });
      expect(await client.next()).toEqual({ id: 2, sid: 1, seq: 1, type: 'ok', msg: { market_tickers: [CHA, HOU] } });
      expect(await client.next()).toMatchObject({ type: 'ticker', sid: 1, msg: { market_ticker: HOU } }); // no second CHA snapshot
      expect(await listSubscriptions()).toEqual({ id: 999, type: 'ok', msg: [{ channel: 'ticker', sid: 1 }] });
      expect(sim.connections()).toEqual([{ id: 1, subscriptions: [{ sid: 1, tickers: [CHA, HOU] }] }]);
    });

    it('starts sids again at 1 on a new socket, and gives a new sid after unsubscribe', async () => {
      expect(await subscribe(1, [CHA])).toBe(1);
      client.send({ id: 2, cmd: 'unsubscribe', params: { sids: [1] } });
      expect(await client.next()).toMatchObject({ id: 2, type: 'unsubscribed', sid: 1 });
      expect(await subscribe(3, [HOU])).toBe(2);
      client = await sims.connect(sim);
      expect(await subscribe(1, [HOU])).toBe(1);
    });

    it('subscribes to every market when market_tickers is left out', async () => {
      await subscribe(1, undefined, true);
      const snapshots = [await client.next(), await client.next(), await client.next(), await client.next()];
      expect(snapshots.map((s) => msgOf(s).market_ticker)).toEqual([CHA, HOU, EMPTY_BID, EMPTY_ASK]);
      expect(sim.subscribedTickers()).toEqual(new Set([CHA, HOU, EMPTY_BID, EMPTY_ASK]));
    });

    it('leaves an unlisted ticker out silently by default: subscribed, no data, absent from the next ok list', async () => {
      const sid = await subscribe(5, [CHA, 'NOPE'], true);
      expect(msgOf(await client.next())).toMatchObject({ market_ticker: CHA });
      client.send({ id: 6, cmd: 'update_subscription', params: { sids: [sid], market_tickers: [HOU, 'NOPE2'], action: 'add_markets' } });
      expect(await client.next()).toEqual({ id: 6, sid, seq: 1, type: 'ok', msg: { market_tickers: [CHA, HOU] } });
      expect(sim.subscribedTickers()).toEqual(new Set([CHA, HOU]));
    });

    it.each([
      ['error11', 11],
      ['error14', 14],
    ] as const)('refuses the whole command with %s when one ticker is unlisted', async (mode, code) => {
      sim.setUnlistedMode(mode);
      client.send({ id: 5, cmd: 'subscribe', params: { channels: ['ticker'], market_tickers: [CHA, 'NOPE'], send_initial_snapshot: true } });
      expect(await client.next()).toEqual({ id: 5, type: 'error', msg: { code, msg: expect.any(String) } });
      expect(await listSubscriptions()).toEqual({ id: 999, type: 'ok', msg: [] });
      const sid = await subscribe(6, [CHA]);
      client.send({ id: 7, cmd: 'update_subscription', params: { sids: [sid], market_tickers: [HOU, 'NOPE'], action: 'add_markets' } });
      expect(await client.next()).toEqual({ id: 7, type: 'error', msg: { code, msg: expect.any(String) } });
      expect(sim.subscribedTickers()).toEqual(new Set([CHA]));
    });

    it('sends subscription errors without id, with sid and seq, when switched on', async () => {
      sim.setUnlistedMode('error11');
      sim.setSubscriptionErrorsWithoutId(true);
      const sid = await subscribe(1, [CHA]);
      client.send({ id: 2, cmd: 'update_subscription', params: { sids: [sid], market_tickers: ['NOPE'], action: 'add_markets' } });
      expect(await client.next()).toEqual({ type: 'error', sid, seq: 1, msg: { code: 11, msg: expect.any(String) } });
      client.send({ id: 3, cmd: 'update_subscription', params: { sids: [sid], market_tickers: [HOU], action: 'replace_markets' } });
      expect(await client.next()).toMatchObject({ id: 3, type: 'error', msg: { code: 13 } }); // not tied to the sid yet
      client.send({ id: 4, cmd: 'update_subscription', params: { sids: [sid], market_tickers: [HOU], action: 'add_markets' } });
      expect(await client.next()).toEqual({ id: 4, sid, seq: 2, type: 'ok', msg: { market_tickers: [CHA, HOU] } });
    });

    it('refuses every delete_markets with a fault code while the switch is set', async () => {
      const sid = await subscribe(1, [CHA, HOU]);
      sim.setDeleteRefusal(13);
      client.send({ id: 2, cmd: 'update_subscription', params: { sids: [sid], market_tickers: [CHA], action: 'delete_markets' } });
      expect(await client.next()).toMatchObject({ id: 2, type: 'error', msg: { code: 13 } });
      sim.setDeleteRefusal(null);
      client.send({ id: 3, cmd: 'update_subscription', params: { sids: [sid], market_tickers: [CHA], action: 'delete_markets' } });
      expect(await client.next()).toEqual({ id: 3, sid, seq: 1, type: 'ok', msg: { market_tickers: [HOU] } });
    });

    it('never sends the retired codes 6, 16 and 17, not even by injection', () => {
      for (const code of [6, 16, 17]) {
        expect(() => sim.failNextCommand(code)).toThrow(/retired/);
        expect(() => sim.setDeleteRefusal(code)).toThrow(/retired/);
      }
    });

    it('answers malformed commands with Kalshi error codes', async () => {
      client.send('{not json');
      expect(await client.next()).toEqual({ type: 'error', msg: { code: 1, msg: expect.any(String) } });
      client.send({ id: 2, cmd: 'subscribe' });
      expect(await client.next()).toMatchObject({ id: 2, type: 'error', msg: { code: 2 } });
      client.send({ id: 3, cmd: 'subscribe', params: { market_tickers: [CHA] } });
      expect(await client.next()).toMatchObject({ id: 3, type: 'error', msg: { code: 3 } });
      client.send({ id: 4, cmd: 'subscribe', params: { channels: ['ticker_v2'], market_tickers: [CHA] } });
      expect(await client.next()).toMatchObject({ id: 4, type: 'error', msg: { code: 8 } });
      client.send({ id: 5, cmd: 'frobnicate', params: {} });
      expect(await client.next()).toMatchObject({ id: 5, type: 'error', msg: { code: 5 } });
      expect(sim.stats.commandsReceived).toBe(4); // the invalid JSON frame is not a command
    });

    it('logs every parsed command in order and emits a command event', async () => {
      const seen = nextEvent(sim, 'command');
      await subscribe(7, [CHA]);
      expect(await seen).toEqual([1, expect.objectContaining({ id: 7, cmd: 'subscribe' })]);
      await listSubscriptions(8);
      expect(sim.commandLog().map((e) => [e.connectionId, (e.cmd as Json).id])).toEqual([
        [1, 7],
        [1, 8],
      ]);
      expect(sim.commandLog()[0]?.at).toEqual(expect.any(Number));
    });

    it('fails the next command with an injected error, once, without executing it', async () => {
      sim.failNextCommand(18, 'boom');
      client.send({ id: 1, cmd: 'subscribe', params: { channels: ['ticker'], market_tickers: [CHA] } });
      expect(await client.next()).toEqual({ id: 1, type: 'error', msg: { code: 18, msg: 'boom' } });
      expect(sim.subscribedTickers().size).toBe(0);
      await subscribe(2, [CHA]);
    });
  });

  describe('market limit', () => {
    beforeEach(() => setup({ maxMarketsPerSubscription: 2 }));

    it('answers 26 beyond maxMarketsPerSubscription, on subscribe, on add_markets and on a merging subscribe', async () => {
      client.send({ id: 1, cmd: 'subscribe', params: { channels: ['ticker'], market_tickers: [CHA, HOU, EMPTY_BID] } });
      expect(await client.next()).toMatchObject({ id: 1, type: 'error', msg: { code: 26 } });
      const sid = await subscribe(2, [CHA, HOU]);
      client.send({ id: 3, cmd: 'update_subscription', params: { sids: [sid], market_tickers: [EMPTY_BID], action: 'add_markets' } });
      expect(await client.next()).toMatchObject({ id: 3, type: 'error', msg: { code: 26 } });
      client.send({ id: 4, cmd: 'subscribe', params: { channels: ['ticker'], market_tickers: [EMPTY_BID] } });
      expect(await client.next()).toMatchObject({ id: 4, type: 'error', msg: { code: 26 } });
      // Re-adding what it holds is no growth.
      client.send({ id: 5, cmd: 'update_subscription', params: { sids: [sid], market_tickers: [CHA], action: 'add_markets' } });
      expect(await client.next()).toMatchObject({ id: 5, type: 'ok', msg: { market_tickers: [CHA, HOU] } });
      expect(sim.connections()[0]?.subscriptions).toEqual([{ sid, tickers: [CHA, HOU] }]);
      // The limit is per subscription, so per connection: another socket takes as many again.
      const other = await sims.connect(sim);
      other.send({ id: 1, cmd: 'subscribe', params: { channels: ['ticker'], market_tickers: [EMPTY_BID, EMPTY_ASK] } });
      expect(await other.next()).toMatchObject({ id: 1, type: 'subscribed' });
    });
  });

  describe('streaming', () => {
    beforeEach(() => setup());

    it('streams setQuote to the subscription holding the market, on every connection that holds it', async () => {
      await subscribe(1, [CHA, HOU]);
      const other = await sims.connect(sim);
      other.send({ id: 1, cmd: 'subscribe', params: { channels: ['ticker'], market_tickers: [HOU] } });
      expect(await other.next()).toMatchObject({ type: 'subscribed', msg: { sid: 1 } });

      sim.setQuote(HOU, { yesBid: 0.5, yesAsk: 0.5025, tsMs: 1_770_000_000_123 });
      const tick = await client.next();
      expect(tick).toEqual({ type: 'ticker', sid: 1, msg: expect.objectContaining({ market_ticker: HOU }) });
      expect(msgOf(tick)).toMatchObject({ yes_bid_dollars: '0.5000', yes_ask_dollars: '0.5025', ts_ms: 1_770_000_000_123, ts: 1_770_000_000 });
      expect(msgOf(tick).time).toBe(new Date(1_770_000_000_123).toISOString());
      expect(await other.next()).toMatchObject({ type: 'ticker', sid: 1, msg: { market_ticker: HOU } });

      sim.setQuote(CHA, { yesBid: 0.46 });
      sim.setQuote(HOU, { yesAsk: null });
      expect(await client.next()).toMatchObject({ sid: 1, msg: { market_ticker: CHA, yes_bid_dollars: '0.4600', yes_ask_dollars: '0.4800' } });
      expect(await client.next()).toMatchObject({ sid: 1, msg: { market_ticker: HOU, yes_bid_dollars: '0.5000', yes_ask_dollars: '1.0000' } });
      // `other` does not hold CHA: its next message is HOU's.
      expect(await other.next()).toMatchObject({ sid: 1, msg: { market_ticker: HOU, yes_ask_dollars: '1.0000' } });
      expect(sim.stats.tickersSent).toBe(5);
    });

    it('sends size-only frames with the same bid and ask', async () => {
      await subscribe(1, [CHA]);
      sim.changeSizes(CHA, 1_770_000_000_500);
      const m = msgOf(await client.next());
      expect(m).toMatchObject({ market_ticker: CHA, yes_bid_dollars: '0.4550', yes_ask_dollars: '0.4800', ts_ms: 1_770_000_000_500 });
      sim.changeSizes(CHA);
      const again = msgOf(await client.next());
      expect(again).toMatchObject({ yes_bid_dollars: '0.4550', yes_ask_dollars: '0.4800' });
      expect([again.yes_bid_size_fp, again.yes_ask_size_fp]).not.toEqual([m.yes_bid_size_fp, m.yes_ask_size_fp]);
    });

    it('throws on setQuote for an unknown market and on prices out of range', () => {
      expect(() => sim.setQuote('NOPE', { yesBid: 0.5 })).toThrow(/unknown market/);
      expect(() => sim.setQuote(CHA, { yesBid: 1.5 })).toThrow(RangeError);
      expect(() => sim.setQuote(CHA, { yesBid: 0.12345 })).toThrow(RangeError);
    });

    it('ends the subscription holding a market with an error carrying its sid and seq, without id', async () => {
      const doomed = await subscribe(1, [CHA, EMPTY_BID]);
      const other = await sims.connect(sim);
      other.send({ id: 1, cmd: 'subscribe', params: { channels: ['ticker'], market_tickers: [HOU] } });
      expect(await other.next()).toMatchObject({ type: 'subscribed' });
      sim.endSubscription(CHA, 25);
      expect(await client.next()).toEqual({ type: 'error', sid: doomed, seq: 1, msg: { code: 25, msg: expect.any(String) } });
      expect(sim.connections().map((c) => c.subscriptions)).toEqual([[], [{ sid: 1, tickers: [HOU] }]]);
      sim.setQuote(CHA, { yesBid: 0.3 });
      expect(await listSubscriptions()).toEqual({ id: 999, type: 'ok', msg: [] });
    });

    it('silences a market on the socket while REST keeps its true price', async () => {
      await subscribe(1, [CHA, HOU]);
      sim.silenceMarket(CHA, true);
      sim.setQuote(CHA, { yesBid: 0.4, yesAsk: 0.41 });
      sim.setQuote(HOU, { yesBid: 0.59 });
      expect(await client.next()).toMatchObject({ msg: { market_ticker: HOU } });
      const rest = (await (await fetch(`${sim.restUrl}/markets/${CHA}`)).json()) as { market: Json };
      expect(rest.market).toMatchObject({ yes_bid_dollars: '0.4000', yes_ask_dollars: '0.4100' });
      expect(sim.subscribedTickers().has(CHA)).toBe(true); // still subscribed, just dead
      sim.silenceMarket(CHA, false);
      sim.setQuote(CHA, { yesBid: 0.42 });
      expect(await client.next()).toMatchObject({ msg: { market_ticker: CHA, yes_bid_dollars: '0.4200' } });
    });

    it('streams a re-added market to the subscriptions that hold it', async () => {
      await subscribe(1, [CHA]);
      sim.addMarkets([{ ticker: CHA, yesBid: 0.1, yesAsk: 0.2 }]);
      expect(await client.next()).toMatchObject({ msg: { market_ticker: CHA, yes_bid_dollars: '0.1000', yes_ask_dollars: '0.2000' } });
    });
  });

  describe('update_subscription, list_subscriptions, unsubscribe', () => {
    beforeEach(() => setup());

    it('adds markets with a snapshot of the added ones when asked, and deletes markets, seq increasing per sid', async () => {
      const sid = await subscribe(1, [CHA], true);
      await client.next(); // CHA snapshot
      client.send({ id: 2, cmd: 'update_subscription', params: { sids: [sid], market_tickers: [HOU, CHA], action: 'add_markets', send_initial_snapshot: true } });
      expect(await client.next()).toEqual({ id: 2, sid, seq: 1, type: 'ok', msg: { market_tickers: [CHA, HOU] } });
      expect(await client.next()).toMatchObject({ type: 'ticker', sid, msg: { market_ticker: HOU, yes_bid_dollars: '0.5200', yes_ask_dollars: '0.5450' } });

      client.send({ id: 3, cmd: 'update_subscription', params: { sids: [sid], market_tickers: [CHA], action: 'delete_markets' } });
      expect(await client.next()).toEqual({ id: 3, sid, seq: 2, type: 'ok', msg: { market_tickers: [HOU] } });
      expect(sim.subscribedTickers()).toEqual(new Set([HOU]));
      sim.setQuote(CHA, { yesBid: 0.3 });
      sim.setQuote(HOU, { yesBid: 0.53 });
      expect(await client.next()).toMatchObject({ sid, msg: { market_ticker: HOU, yes_bid_dollars: '0.5300' } });

      client.send({ id: 4, cmd: 'unsubscribe', params: { sids: [sid] } });
      expect(await client.next()).toEqual({ id: 4, sid, seq: 3, type: 'unsubscribed' });
    });

    it('sends no snapshot on add_markets unless asked (Kalshi defaults to false there, even after a subscribe that asked)', async () => {
      const sid = await subscribe(1, [CHA], true);
      await client.next();
      client.send({ id: 2, cmd: 'update_subscription', params: { sids: [sid], market_tickers: [HOU], action: 'add_markets' } });
      expect(await client.next()).toMatchObject({ id: 2, type: 'ok' });
      client.send({ id: 3, cmd: 'update_subscription', params: { sids: [sid], market_tickers: [EMPTY_BID], action: 'add_markets', send_initial_snapshot: false } });
      expect(await client.next()).toMatchObject({ id: 3, type: 'ok' });
      expect(await listSubscriptions()).toMatchObject({ id: 999, type: 'ok' });
    });

    it('answers 7, 12, 13 and 15 and leaves the subscription unchanged', async () => {
      const sid = await subscribe(1, [CHA]);
      const update = (id: number, params: Json): Promise<Json> => {
        client.send({ id, cmd: 'update_subscription', params });
        return client.next();
      };
      expect(await update(3, { sids: [42], market_tickers: [HOU], action: 'add_markets' })).toMatchObject({ id: 3, type: 'error', msg: { code: 7 } });
      expect(await update(4, { sids: [sid, 42], market_tickers: [HOU], action: 'add_markets' })).toMatchObject({ id: 4, msg: { code: 12 } });
      expect(await update(5, { sids: [], market_tickers: [HOU], action: 'add_markets' })).toMatchObject({ id: 5, msg: { code: 12 } });
      expect(await update(6, { sids: [sid], market_tickers: [HOU], action: 'replace_markets' })).toMatchObject({ id: 6, msg: { code: 13 } });
      expect(await update(7, { sids: [sid], market_tickers: [HOU] })).toMatchObject({ id: 7, msg: { code: 15 } });
      expect(sim.connections()[0]?.subscriptions).toEqual([{ sid, tickers: [CHA] }]);
    });

    it('lists the subscription and unsubscribes it', async () => {
      const a = await subscribe(1, [CHA, HOU]);
      expect(await listSubscriptions(3)).toEqual({ id: 3, type: 'ok', msg: [{ channel: 'ticker', sid: a }] });
      client.send({ id: 4, cmd: 'unsubscribe', params: { sids: [a] } });
      expect(await client.next()).toEqual({ id: 4, sid: a, seq: 1, type: 'unsubscribed' });
      sim.setQuote(CHA, { yesBid: 0.3 });
      expect(await listSubscriptions(5)).toEqual({ id: 5, type: 'ok', msg: [] });
      client.send({ id: 6, cmd: 'unsubscribe', params: { sids: [a] } });
      expect(await client.next()).toMatchObject({ id: 6, type: 'error', msg: { code: 7 } });
      expect(sim.subscribedTickers().size).toBe(0);
    });
  });
});
