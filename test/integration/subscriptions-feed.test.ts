import { createPrivateKey } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { KalshiFeed } from '../../src/kalshi/feed';
import type { MarketQuote } from '../../src/prices/types';
import { KalshiSimulator, type SimulatorOptions } from '@kalshi-ingestor/kalshi-sim';
import { testKeys } from '../helpers/harness';
import { waitFor } from '../helpers/wait';

/**
 * The feed alone against the simulator (no Postgres or Redis needed: nothing here reaches a store), for what the
 * service-level tests cannot steer: the refused market's retry policy and Kalshi keeping a subscription it said
 * had ended.
 */
interface Rig {
  sim: KalshiSimulator;
  feed: KalshiFeed;
  quotes: MarketQuote[];
  logs: Record<string, unknown>[];
}

const rigs: Rig[] = [];
afterEach(async () => {
  for (const rig of rigs.splice(0)) {
    await rig.feed.stop();
    await rig.sim.close();
  }
});

async function rig(sim: Partial<SimulatorOptions>, refusedRetry = { firstMs: 60_000, maxMs: 60_000 }): Promise<Rig> {
  const keys = testKeys();
  const simulator = new KalshiSimulator({ publicKey: keys.publicPem, keyId: 'feed-key', pingIntervalMs: 200, ...sim });
  await simulator.start();
  const quotes: MarketQuote[] = [];
  const logs: Record<string, unknown>[] = [];
  const log = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    }),
  );
  const feed = new KalshiFeed({
    url: simulator.wsUrl,
    credentials: { keyId: 'feed-key', privateKey: createPrivateKey(keys.privatePem) },
    stallTimeoutMs: 5_000,
    log,
    reconnect: { delaysMs: [100], healthyAfterMs: 30_000 },
    refusedRetry,
    quotes: { applyQuote: (quote) => void quotes.push(quote) },
    complaints: { report: () => undefined },
  });
  const made = { sim: simulator, feed, quotes, logs };
  rigs.push(made);
  return made;
}

const mentions = (sim: KalshiSimulator, ticker: string): number =>
  sim.commandLog().filter((e) => JSON.stringify(e.cmd).includes(`"${ticker}"`)).length;

describe('a refused market', () => {
  it('is tried again at every reconnect, whatever its backoff says, and stays out of the subscribed count', async () => {
    const { sim, feed } = await rig({ unlistedTickers: 'error14' });
    sim.addMarkets([
      { ticker: 'A', yesBid: 0.4, yesAsk: 0.42 },
      { ticker: 'B', yesBid: 0.5, yesAsk: 0.52 },
    ]);
    feed.setMarkets(new Set(['A', 'B', 'GHOST']));
    await waitFor(() => feed.status().refusedMarkets === 1 && feed.status().allSubscribed, { message: 'GHOST refused, A and B subscribed' });
    expect(feed.status()).toMatchObject({ subscribedMarkets: 2, desiredMarkets: 3, refusedMarkets: 1, refusedExamples: ['GHOST'] });
    const tries = mentions(sim, 'GHOST');
    const opened = sim.stats.authenticatedTotal;

    sim.dropConnections();
    await waitFor(() => sim.stats.authenticatedTotal > opened && mentions(sim, 'GHOST') > tries, { message: 'GHOST tried on the new socket' });
    // Its backoff (60 s here) has not run out: the reconnect alone brought the retry; still refused, still reported.
    await waitFor(() => feed.status().allSubscribed && feed.status().subscribedMarkets === 2);
    expect(feed.status().refusedMarkets).toBe(1);

    // Listed now, and the socket replaced again: subscribed at once.
    sim.addMarkets([{ ticker: 'GHOST', yesBid: 0.1, yesAsk: 0.2 }]);
    sim.dropConnections();
    await waitFor(() => feed.status().subscribedMarkets === 3 && feed.status().refusedMarkets === 0, { message: 'GHOST subscribed after the reconnect' });
  });

  it('is retried on its own after its backoff, without taking good markets down with it', async () => {
    const { sim, feed } = await rig({ unlistedTickers: 'error11' }, { firstMs: 300, maxMs: 1_000 });
    sim.addMarkets([{ ticker: 'A', yesBid: 0.4, yesAsk: 0.42 }]);
    feed.setMarkets(new Set(['A', 'GHOST']));
    await waitFor(() => mentions(sim, 'GHOST') >= 4, { message: 'three retries after the first refusal' });
    const retries = sim.commandLog().filter((e) => JSON.stringify(e.cmd).includes('"GHOST"')).slice(2);
    for (const retry of retries) expect((retry.cmd as { params: { market_tickers: string[] } }).params.market_tickers).toEqual(['GHOST']);
    expect(feed.status()).toMatchObject({ subscribedMarkets: 1, refusedMarkets: 1 });
    expect(sim.stats.authenticatedTotal).toBe(1);
  });
});

describe('an ok after subscribe', () => {
  it('is recorded as a merge into the existing subscription (Kalshi kept the subscription it said had ended)', async () => {
    const { sim, feed, logs, quotes } = await rig({});
    sim.addMarkets([
      { ticker: 'A', yesBid: 0.4, yesAsk: 0.42 },
      { ticker: 'B', yesBid: 0.5, yesAsk: 0.52 },
    ]);
    feed.setMarkets(new Set(['A']));
    await waitFor(() => feed.status().subscribedMarkets === 1 && feed.status().allSubscribed);
    // A channel error answering the add_markets, while the exchange keeps the subscription: the client subscribes again.
    sim.failNextCommand(10);
    feed.setMarkets(new Set(['A', 'B']));
    await waitFor(() => logs.some((l) => l.msg === 'Kalshi merged a subscribe into the existing subscription'), { message: 'the merge logged' });
    await waitFor(() => feed.status().subscribedMarkets === 2 && feed.status().allSubscribed);
    expect(sim.connections()).toEqual([{ id: 1, subscriptions: [{ sid: 1, tickers: ['A', 'B'] }] }]);
    // B's snapshot came with the merge; A's did not come twice.
    await waitFor(() => quotes.some((q) => q.ticker === 'B'));
    expect(quotes.filter((q) => q.ticker === 'A')).toHaveLength(1);
  });
});

describe('an error without id that names no pending command', () => {
  it('ends the subscription it names (10) and the markets are subscribed again', async () => {
    const { sim, feed } = await rig({});
    sim.addMarkets([{ ticker: 'A', yesBid: 0.4, yesAsk: 0.42 }]);
    feed.setMarkets(new Set(['A']));
    await waitFor(() => feed.status().allSubscribed && feed.status().subscribedMarkets === 1);
    const subscribes = () => sim.commandLog().filter((e) => (e.cmd as { cmd?: string }).cmd === 'subscribe').length;
    const before = subscribes();
    sim.endSubscription('A', 25);
    await waitFor(() => subscribes() > before && feed.status().allSubscribed && sim.subscribedTickers().has('A'));
    expect(sim.stats.authenticatedTotal).toBe(1);
  });
});
