/**
 * The service's real RedisPublisher (Lua script, hash + PUBLISH) against the client package: what the service
 * writes is what @kalshi-ingestor/client reads. The client's own behaviour is tested in packages/client/test.
 */
import { subscribeKalshiPrices, type KalshiPriceSubscription } from '@kalshi-ingestor/client';
import { RedisPublisher } from '../../src/sinks/redis-publisher';
import { uniqueId } from '../helpers/db';
import { createTestRedis, TEST_REDIS_URL, type TestRedis } from '../helpers/redis';
import { TcpProxy } from '../helpers/tcp-proxy';
import { waitFor } from '../helpers/wait';
import { gameState, Recorder } from './helpers';

const T0 = 1_738_772_400_000;

let env: TestRedis;
let publisher: RedisPublisher;
const cleanups: (() => Promise<unknown>)[] = [];

beforeEach(() => {
  env = createTestRedis();
  publisher = new RedisPublisher(env.redis, env.keys, { hashTtlMs: 60_000 });
});
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
  await env.close();
});

function subscribe(recorder: Recorder, extra: { gameIds?: string[]; maxScanKeys?: number; redisUrl?: string } = {}): KalshiPriceSubscription {
  const subscription = subscribeKalshiPrices({
    redisUrl: extra.redisUrl ?? TEST_REDIS_URL,
    redisOptions: { retryStrategy: () => 50 },
    keyPrefix: env.prefix,
    onUpdate: recorder.onUpdate,
    onError: recorder.onError,
    gameIds: extra.gameIds,
    maxScanKeys: extra.maxScanKeys,
  });
  cleanups.push(() => subscription.close());
  return subscription;
}

describe('@kalshi-ingestor/client against the service publisher', () => {
  it('repairs a stale drop from the hash: a market tick with an older time than the other market is not lost', async () => {
    const recorder = new Recorder();
    const sub = subscribe(recorder);
    await sub.ready;
    const game = uniqueId('game');
    // Home market ticks at T0+10; then the away market's tick, stamped T0+8, changes the away prices.
    await publisher.publish([gameState(game, [43, 42, 58, 57], T0 + 10, T0 + 10)]);
    await waitFor(() => recorder.of(game).length === 1);
    await publisher.publish([gameState(game, [45, 44, 58, 57], T0 + 10, T0 + 8)]);

    await waitFor(() => recorder.last(game)?.awayTeam.kalshiBuyPrice === 45, { message: 'the away update, from the hash' });
    expect(sub.stats).toMatchObject({ delivered: 1, stale: 1, recovered: 1 });
    expect(recorder.last(game)?.timestamp).toBe(T0 + 10);
  });


  it('delivers the current state of every priced game before ready resolves (SCAN, no filter)', async () => {
    const games = [uniqueId('game'), uniqueId('game')];
    await publisher.publish([gameState(games[0], [43, 42, 58, 57], T0), gameState(games[1], [null, 30, 71, null], T0 + 5)]);
    await env.redis.set(`${env.prefix}kalshi:prices:not-a-hash`, 'x'); // a stray key of another type

    const recorder = new Recorder();
    const sub = subscribe(recorder);
    await sub.ready;
    expect(recorder.of(games[0])).toEqual([
      {
        type: 'kalshi_price_update',
        gameId: games[0],
        slug: `nba-${games[0]}`,
        awayTeam: { kalshiBuyPrice: 43, kalshiSellPrice: 42 },
        homeTeam: { kalshiBuyPrice: 58, kalshiSellPrice: 57 },
        status: 'open',
        ticker: `KXNBAGAME-${games[0]}-HOME`,
        timestamp: T0,
      },
    ]);
    expect(recorder.last(games[1])?.awayTeam).toEqual({ kalshiBuyPrice: null, kalshiSellPrice: 30 });
    expect(recorder.last(games[1])?.homeTeam).toEqual({ kalshiBuyPrice: 71, kalshiSellPrice: null });
    expect(sub.stats).toEqual({ delivered: 0, invalid: 0, stale: 0, recovered: 2 });
    expect(recorder.errors).toEqual([]);
  });


  it('loses nothing across a cut connection: the ticks published meanwhile come back from the hashes', async () => {
    const target = new URL(TEST_REDIS_URL);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
    await proxy.start();
    cleanups.push(() => proxy.close());
    const game = uniqueId('game');
    const recorder = new Recorder();
    const sub = subscribe(recorder, { redisUrl: proxy.url(TEST_REDIS_URL), gameIds: [game] });
    await sub.ready;

    await publisher.publish([gameState(game, [43, 42, 58, 57], T0)]);
    await waitFor(() => recorder.of(game).length === 1, { message: 'the first tick, live' });

    proxy.cut();
    await publisher.publish([gameState(game, [44, 43, 57, 56], T0 + 100)]);
    await publisher.publish([gameState(game, [47, 46, 54, 53], T0 + 200)]);
    proxy.restore();

    await waitFor(() => recorder.last(game)?.timestamp === T0 + 200, { timeoutMs: 10_000, message: 'the last tick, recovered' });
    expect(recorder.last(game)?.awayTeam).toEqual({ kalshiBuyPrice: 47, kalshiSellPrice: 46 });
    expect(sub.stats).toEqual({ delivered: 1, invalid: 0, stale: 0, recovered: 1 });

    // Resubscribed: the next tick arrives live again.
    await publisher.publish([gameState(game, [48, 47, 53, 52], T0 + 300)]);
    await waitFor(() => recorder.last(game)?.timestamp === T0 + 300, { message: 'a live tick after the reconnect' });
    expect(sub.stats.delivered).toBe(2);
    expect(recorder.of(game).map((m) => m.timestamp)).toEqual([T0, T0 + 200, T0 + 300]);
  });
});
