import type { KalshiSimulator } from '../../packages/kalshi-sim/src/simulator';
import { authHeaders, refusedStatus, simulators, type Json } from './helpers';

const MARKETS = [
  { ticker: 'KXNBAGAME-26FEB05CHAHOU-CHA', yesBid: 0.455, yesAsk: 0.48 },
  { ticker: 'KXNBAGAME-26FEB05CHAHOU-HOU', yesBid: 0.52, yesAsk: 0.545, status: 'closed' },
  { ticker: 'EMPTY', yesBid: null, yesAsk: null },
];
const [CHA, HOU, EMPTY] = MARKETS.map((m) => m.ticker) as [string, string, string];

async function get(url: string): Promise<{ status: number; body: Json }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Json };
}

async function post(url: string, body: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Json };
}

describe('simulator REST market data', () => {
  const sims = simulators();
  let sim: KalshiSimulator;

  beforeEach(async () => {
    sim = await sims.start();
    sim.addMarkets(MARKETS);
  });

  it('lists the known markets among the requested tickers with Kalshi fields', async () => {
    const { status, body } = await get(`${sim.restUrl}/markets?tickers=${CHA},NOPE,${EMPTY}&limit=1000`);
    expect(status).toBe(200);
    expect(body.cursor).toBe('');
    const markets = body.markets as Json[];
    expect(markets.map((m) => m.ticker)).toEqual([CHA, EMPTY]);
    expect(markets[0]).toEqual({
      ticker: CHA,
      event_ticker: 'KXNBAGAME-26FEB05CHAHOU',
      market_type: 'binary',
      status: 'active',
      yes_bid_dollars: '0.4550',
      yes_ask_dollars: '0.4800',
      no_bid_dollars: '0.5200',
      no_ask_dollars: '0.5450',
      last_price_dollars: '0.4550',
      volume_fp: expect.stringMatching(/^\d+\.00$/),
      open_interest_fp: expect.stringMatching(/^\d+\.00$/),
      close_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(markets[1]).toMatchObject({ yes_bid_dollars: '0.0000', yes_ask_dollars: '1.0000', no_bid_dollars: '0.0000', no_ask_dollars: '1.0000' });
  });

  it('refuses more than 100 tickers with 400', async () => {
    const tickers = Array.from({ length: 101 }, (_, i) => `T${i}`).join(',');
    expect((await get(`${sim.restUrl}/markets?tickers=${tickers}`)).status).toBe(400);
    const hundred = Array.from({ length: 99 }, (_, i) => `T${i}`).concat(CHA).join(',');
    expect((await get(`${sim.restUrl}/markets?tickers=${hundred}`)).body.markets).toHaveLength(1);
  });

  it('pages with limit and cursor', async () => {
    const first = await get(`${sim.restUrl}/markets?limit=2`);
    expect((first.body.markets as Json[]).map((m) => m.ticker)).toEqual([CHA, HOU]);
    expect(first.body.cursor).not.toBe('');
    const second = await get(`${sim.restUrl}/markets?limit=2&cursor=${String(first.body.cursor)}`);
    expect((second.body.markets as Json[]).map((m) => m.ticker)).toEqual([EMPTY]);
    expect(second.body.cursor).toBe('');
    expect((await get(`${sim.restUrl}/markets?limit=1001`)).status).toBe(400);
  });

  it('serves one market, 404 for an unknown one, and reflects setQuote and removal', async () => {
    expect(await get(`${sim.restUrl}/markets/${HOU}`)).toEqual({
      status: 200,
      body: { market: expect.objectContaining({ ticker: HOU, status: 'closed', yes_bid_dollars: '0.5200' }) },
    });
    sim.setQuote(HOU, { yesBid: 0.5, yesAsk: 0.5125 });
    expect((await get(`${sim.restUrl}/markets/${HOU}`)).body.market).toMatchObject({ yes_ask_dollars: '0.5125', no_bid_dollars: '0.4875' });
    expect((await get(`${sim.restUrl}/markets/NOPE`)).status).toBe(404);
    sim.removeMarket(HOU);
    expect((await get(`${sim.restUrl}/markets/${HOU}`)).status).toBe(404);
  });
});

describe('simulator control API', () => {
  const sims = simulators();

  it('drives quotes, markets, stats and the fault switches over HTTP', async () => {
    const sim = await sims.start();
    const control = sim.controlUrl;
    expect(control).toBe(sim.restUrl.replace('/trade-api/v2', '/_sim'));
    expect(await post(`${control}/markets`, [{ ticker: 'X', yesBid: 0.2, yesAsk: 0.25 }])).toEqual({ status: 200, body: { ok: true } });
    const client = await sims.connect(sim);
    client.send({ id: 1, cmd: 'subscribe', params: { channels: ['ticker'], market_tickers: ['X'] } });
    await client.next();

    expect((await post(`${control}/quote`, { ticker: 'X', yesBid: 0.21, yesAsk: null })).status).toBe(200);
    expect(await client.next()).toMatchObject({ type: 'ticker', sid: 1, msg: { yes_bid_dollars: '0.2100', yes_ask_dollars: '1.0000' } });
    expect((await post(`${control}/quote`, { ticker: 'NOPE', yesBid: 0.2 })).status).toBe(404);
    expect((await post(`${control}/quote`, { ticker: 'X', yesBid: 2 })).status).toBe(400);
    expect((await post(`${control}/markets`, [{ ticker: 'Y', yesBid: 0.123456, yesAsk: 0.2 }])).status).toBe(400);

    const stats = await get(`${control}/stats`);
    expect(stats.body).toMatchObject({ connectionsOpen: 1, authenticatedTotal: 1, tickersSent: 1, subscribedTickers: ['X'] });

    await post(`${control}/garbage`, { data: 'not json' });
    expect(await client.next()).toEqual({ raw: 'not json', binary: false });

    expect((await post(`${control}/reject`, { status: 403 })).status).toBe(200);
    expect(await refusedStatus(sim.wsUrl, authHeaders())).toBe(403);
    await post(`${control}/reject`, { status: null });
    expect((await post(`${control}/reject`, { status: 500 })).status).toBe(400);

    await post(`${control}/drop`, {});
    expect((await client.closed).code).toBe(1006);
  });
});
