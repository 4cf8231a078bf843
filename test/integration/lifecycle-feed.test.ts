import { createPrivateKey } from 'node:crypto';
import pino from 'pino';
import { KalshiFeed } from '../../src/kalshi/feed';
import { KalshiRest } from '../../src/kalshi/rest-client';
import type { MarketStatusUpdate } from '../../src/prices/market-status';
import { KalshiSimulator } from '@kalshi-ingestor/kalshi-sim';
import { TermLifecycle } from '../../src/term/term-lifecycle';
import { testKeys } from '../helpers/harness';
import { waitFor } from '../helpers/wait';

/**
 * The term's lifecycle side against the simulator, over real sockets and the real paced REST client, with a
 * recording status sink in place of the price pipeline (whose own use of statuses is tested with it): what reaches
 * the sink, how fast, and what does not.
 */
interface Rig {
  sim: KalshiSimulator;
  feed: KalshiFeed;
  life: TermLifecycle;
  sunk: (MarketStatusUpdate & { at: number })[];
  counted: { events: string[]; gaps: number; invalid: string[] };
  mapped: Set<string>;
  restRequests: () => number;
}

const running: { rig: Rig; controller: AbortController; done: Promise<void> }[] = [];
afterEach(async () => {
  for (const { rig, controller, done } of running.splice(0)) {
    controller.abort();
    await done;
    await rig.feed.stop();
    await rig.sim.close();
  }
});

const GAME = ['KXLIFE-26DEC06AAABBB-AAA', 'KXLIFE-26DEC06AAABBB-BBB'];

async function rig(): Promise<Rig> {
  const keys = testKeys();
  const sim = new KalshiSimulator({ publicKey: keys.publicPem, keyId: 'life-key', pingIntervalMs: 200 });
  await sim.start();
  sim.addMarkets([
    { ticker: GAME[0], yesBid: 0.55, yesAsk: 0.57 },
    { ticker: GAME[1], yesBid: 0.42, yesAsk: 0.44 },
    { ticker: 'KXOTHER-UNMAPPED', yesBid: 0.1, yesAsk: 0.2 },
  ]);
  let restRequests = 0;
  sim.on('command', () => undefined);
  const rest = new KalshiRest({ baseUrl: sim.restUrl, ratePerS: 20 });
  const counted = { events: [] as string[], gaps: 0, invalid: [] as string[] };
  const sunk: Rig['sunk'] = [];
  const mapped = new Set(GAME);
  const log = pino({ level: 'silent' });
  // eslint-disable-next-line prefer-const -- the feed hands frames to the lifecycle, built after it
  let life: TermLifecycle | undefined;
  const feed = new KalshiFeed({
    url: sim.wsUrl,
    credentials: { keyId: 'life-key', privateKey: createPrivateKey(keys.privatePem) },
    stallTimeoutMs: 5_000,
    log,
    reconnect: { delaysMs: [100], healthyAfterMs: 30_000 },
    quotes: { applyQuote: () => undefined },
    complaints: { report: (reason) => void counted.invalid.push(reason) },
    channels: { handle: (message, connectionId, receivedAtMs) => life?.handle(message, connectionId, receivedAtMs) },
  });
  life = new TermLifecycle({
    feed: { enabled: true, openConnections: () => feed.openConnections(), setMarkets: (tickers) => feed.setMarkets(tickers) },
    rest: {
      readMarkets: (tickers, read) => {
        restRequests += 1;
        return rest.readMarkets(tickers, read);
      },
    },
    sink: { applyStatus: (update, at) => sunk.push({ ...update, at }) },
    mapped: () => mapped,
    counters: { event: (label) => counted.events.push(label), gap: () => void (counted.gaps += 1) },
    onInvalid: (reason) => counted.invalid.push(reason),
    log,
    superviseMs: 100,
  });
  const r: Rig = { sim, feed, life, sunk, counted, mapped, restRequests: () => restRequests };
  const controller = new AbortController();
  running.push({ rig: r, controller, done: life.run(controller.signal) });
  feed.setMarkets(life.subscribable(mapped));
  return r;
}

const lastOf = (r: Rig, ticker: string) => r.sunk.filter((u) => u.ticker === ticker).at(-1);

describe('the lifecycle channel against the simulator', () => {
  it('subscribes within seconds of the socket, and the first read gives every mapped market\'s status', async () => {
    const r = await rig();
    await waitFor(() => r.sim.lifecycleSubscriptions().length === 1, { message: 'a lifecycle subscription' });
    await waitFor(() => GAME.every((t) => lastOf(r, t)?.status === 'open'), { message: 'both markets open' });
    expect(r.sunk.map((u) => u.source)).toEqual(['rest', 'rest']);
    const subscribes = r.sim.commandLog().filter((e) => JSON.stringify(e.cmd).includes('market_lifecycle_v2'));
    expect(subscribes.map((e) => e.cmd)).toEqual([{ id: expect.any(Number), cmd: 'subscribe', params: { channels: ['market_lifecycle_v2'] } }]);
  });

  it('a pause and a resume reach the sink within a second each (either resume variant)', async () => {
    const r = await rig();
    await waitFor(() => lastOf(r, GAME[0])?.status === 'open', { message: 'open first' });
    for (const flagged of [false, true]) {
      const paused = Date.now();
      r.sim.marketLife(GAME[0], 'pause');
      await waitFor(() => lastOf(r, GAME[0])?.status === 'paused', { timeoutMs: 1000, message: 'paused within a second' });
      expect(lastOf(r, GAME[0])).toMatchObject({ source: 'lifecycle' });
      expect((lastOf(r, GAME[0])?.at ?? Infinity) - paused).toBeLessThan(1000);
      r.sim.marketLife(GAME[0], 'resume', { flagged });
      await waitFor(() => lastOf(r, GAME[0])?.status === 'open', { timeoutMs: 1000, message: 'open again within a second' });
    }
    expect(r.counted.events).toEqual(['deactivated', 'activated', 'deactivated', 'deactivated']);
  });

  it('close and determination: closed, then determined with its result, and the determined market\'s ticker subscription is deleted', async () => {
    const r = await rig();
    await waitFor(() => r.sim.subscribedTickers().has(GAME[1]) && lastOf(r, GAME[1])?.status === 'open', { message: 'subscribed and open' });
    r.sim.marketLife(GAME[1], 'close');
    await waitFor(() => lastOf(r, GAME[1])?.status === 'closed', { timeoutMs: 1000, message: 'closed' });
    expect(r.sim.subscribedTickers().has(GAME[1])).toBe(true);
    r.sim.marketLife(GAME[1], 'determine', { result: 'no' });
    await waitFor(() => lastOf(r, GAME[1])?.status === 'determined', { timeoutMs: 1000, message: 'determined' });
    expect(lastOf(r, GAME[1])).toMatchObject({ result: 'no', source: 'lifecycle' });
    await waitFor(() => !r.sim.subscribedTickers().has(GAME[1]), { message: 'its ticker subscription deleted' });
    const deletes = r.sim.commandLog().filter((e) => JSON.stringify(e.cmd).includes('delete_markets'));
    expect(deletes.map((e) => (e.cmd as { params: { market_tickers: string[] } }).params.market_tickers)).toEqual([[GAME[1]]]);
    expect(r.sim.subscribedTickers().has(GAME[0])).toBe(true);
    r.sim.marketLife(GAME[1], 'settle');
    await waitFor(() => r.counted.events.includes('settled'), { message: 'the settlement seen' });
    expect(lastOf(r, GAME[1])).toMatchObject({ status: 'determined', result: 'no' });
  });

  it('a determination during a seq gap is repaired from REST within seconds', async () => {
    const r = await rig();
    await waitFor(() => r.sim.lifecycleSubscriptions().length === 1 && lastOf(r, GAME[0])?.status === 'open', { message: 'subscribed, statuses read' });
    const readsBefore = r.restRequests();
    r.sim.loseLifecycleEvents(1);
    r.sim.marketLife(GAME[0], 'determine', { result: 'yes' }); // lost: its seq used, its frame never sent
    r.sim.lifecycleEvent({ market_ticker: 'KXOTHER-UNMAPPED', event_type: 'metadata_updated' }); // shows the gap
    await waitFor(() => lastOf(r, GAME[0])?.status === 'determined', { timeoutMs: 3000, message: 'the determination repaired from REST' });
    expect(lastOf(r, GAME[0])).toMatchObject({ result: 'yes', source: 'rest' });
    expect(r.counted.gaps).toBe(1);
    expect(r.restRequests()).toBe(readsBefore + 1);
  });

  it('lifecycle events of unmapped markets reach nothing (counted only)', async () => {
    const r = await rig();
    await waitFor(() => GAME.every((t) => lastOf(r, t)?.status === 'open'), { message: 'statuses read' });
    const before = r.sunk.length;
    for (const action of ['pause', 'resume', 'close'] as const) r.sim.marketLife('KXOTHER-UNMAPPED', action);
    r.sim.marketLife('KXOTHER-UNMAPPED', 'determine', { result: 'yes' });
    r.sim.marketLife(GAME[0], 'pause'); // a mapped one after them, so they have all arrived when it has
    await waitFor(() => lastOf(r, GAME[0])?.status === 'paused', { message: 'the mapped pause' });
    expect(r.sunk.slice(before).map((u) => u.ticker)).toEqual([GAME[0]]);
    expect(r.counted.events).toEqual(['deactivated', 'activated', 'close_date_updated', 'determined', 'deactivated']);
    expect(r.life.statuses.size).toBe(2);
    expect(r.counted.invalid).toEqual([]);
  });

  it('a dropped socket: the subscription is made again on the new socket, and statuses are read again', async () => {
    const r = await rig();
    await waitFor(() => r.sim.lifecycleSubscriptions().length === 1 && lastOf(r, GAME[0])?.status === 'open', { message: 'subscribed' });
    const reads = r.restRequests();
    // While the socket is down, the market is paused: no frame can say so.
    r.sim.dropConnections();
    r.sim.marketLife(GAME[0], 'pause');
    await waitFor(() => lastOf(r, GAME[0])?.status === 'paused', { timeoutMs: 5000, message: 'the pause read from REST after the reconnect' });
    expect(lastOf(r, GAME[0])?.source).toBe('rest');
    expect(r.sim.lifecycleSubscriptions()).toHaveLength(1);
    expect(r.restRequests()).toBeGreaterThan(reads);
  });
});
