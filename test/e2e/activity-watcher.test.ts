import WebSocket from 'ws';
import { startActivityWatcher, type ActivityWatcher, type KalshiFeedStatusEvent, type KalshiPriceUpdateEvent } from '@kalshi-ingestor/activity-watcher';
import { FeedStore } from '../../src/feed-health/feed-store';
import { RedisPublisher } from '../../src/sinks/redis-publisher';
import { gameState } from '../client/helpers';
import { uniqueId } from '../helpers/db';
import { createTestRedis, TEST_REDIS_URL, type TestRedis } from '../helpers/redis';
import { waitFor } from '../helpers/wait';

const T0 = 1_738_772_400_000;

interface Browser {
  socket: WebSocket;
  events: KalshiPriceUpdateEvent[];
  /** The feed states it was sent (kalshi_feed_status). */
  feed: KalshiFeedStatusEvent['data'][];
  of(gameId: string): KalshiPriceUpdateEvent['data'][];
  send(value: unknown): void;
}

let env: TestRedis;
let publisher: RedisPublisher;
let watcher: ActivityWatcher;
const sockets: WebSocket[] = [];

beforeEach(async () => {
  env = createTestRedis();
  publisher = new RedisPublisher(env.redis, env.keys, { hashTtlMs: 60_000 });
  watcher = await startActivityWatcher({ redisUrl: TEST_REDIS_URL, keyPrefix: env.prefix, onError: () => undefined });
  await watcher.subscription.ready;
});
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await watcher.close();
  await env.close();
});

async function connect(): Promise<Browser> {
  const socket = new WebSocket(`${watcher.url.replace('http', 'ws')}ws`);
  sockets.push(socket);
  const events: KalshiPriceUpdateEvent[] = [];
  const feed: KalshiFeedStatusEvent['data'][] = [];
  socket.on('message', (data) => {
    const event = JSON.parse(data.toString()) as KalshiPriceUpdateEvent | KalshiFeedStatusEvent;
    if (event.type === 'kalshi_feed_status') feed.push(event.data);
    else events.push(event);
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  return {
    socket,
    events,
    feed,
    of: (gameId) => events.filter((e) => e.data.gameId === gameId).map((e) => e.data),
    send: (value) => socket.send(typeof value === 'string' ? value : JSON.stringify(value)),
  };
}

describe('activity watcher (reference fan-out)', () => {
  it('sends the current state on subscribe, then each update only to the browsers that follow its game', async () => {
    const [gameA, gameB] = [uniqueId('game'), uniqueId('game')];
    await publisher.publish([gameState(gameA, [43, 42, 58, 57], T0)]);

    const alice = await connect();
    const bob = await connect();
    alice.send({ type: 'subscribe', gameIds: [gameA] });
    bob.send({ type: 'subscribe', gameIds: [gameB] });

    await waitFor(() => alice.of(gameA).length === 1, { message: "alice gets game A's current state" });
    expect(alice.events[0]).toEqual({
      type: 'kalshi_price_update',
      data: {
        gameId: gameA,
        slug: `nba-${gameA}`,
        awayTeam: { kalshiBuyPrice: 43, kalshiSellPrice: 42 },
        homeTeam: { kalshiBuyPrice: 58, kalshiSellPrice: 57 },
        status: 'open',
        ticker: `KXNBAGAME-${gameA}-HOME`,
        timestamp: T0,
      },
    });

    await publisher.publish([gameState(gameB, [30, 29, 71, 70], T0 + 1)]);
    await publisher.publish([gameState(gameA, [44, 43, 57, 56], T0 + 2)]);
    await waitFor(() => bob.of(gameB).length === 1 && alice.of(gameA).length === 2, { message: 'both updates delivered' });
    // Each update went to its game's follower only: a later update of A reached alice, so B's (earlier) would have too.
    expect(alice.of(gameB)).toEqual([]);
    expect(bob.of(gameA)).toEqual([]);
    expect(alice.of(gameA)[1].homeTeam).toEqual({ kalshiBuyPrice: 57, kalshiSellPrice: 56 });

    // Unsubscribe stops them. Once bob has the snapshot of game C (asked after the unsubscribe), the unsubscribe
    // is in effect; an update of A published before one of B would reach bob before B's, were he still following A.
    const gameC = uniqueId('game');
    await publisher.publish([gameState(gameC, [50, 49, 51, 50], T0)]);
    bob.send({ type: 'subscribe', gameIds: [gameA] });
    await waitFor(() => bob.of(gameA).length === 1, { message: 'bob gets A at once' });
    bob.send({ type: 'unsubscribe', gameIds: [gameA] });
    bob.send({ type: 'subscribe', gameIds: [gameC] });
    await waitFor(() => bob.of(gameC).length === 1, { message: 'bob gets C' });
    await publisher.publish([gameState(gameA, [45, 44, 56, 55], T0 + 4)]);
    await publisher.publish([gameState(gameB, [31, 30, 70, 69], T0 + 5)]);
    await waitFor(() => bob.of(gameB).length === 2 && alice.of(gameA).length === 3);
    expect(bob.of(gameA)).toHaveLength(1);
  });

  it('sends every browser the feed state on connecting (null: no leader) and at each change', async () => {
    const alice = await connect();
    await waitFor(() => alice.feed.length === 1, { message: 'the feed state on connecting' });
    expect(alice.feed[0]).toBeNull();
    const store = new FeedStore(env.redis, env.keys, 'worker-x');
    await store.write({ state: 'rest', since: 1_800_000_000_000, reason: 'socket down 12 s, REST serving' }, true, Date.now());
    await waitFor(() => alice.feed.length === 2, { message: 'the change' });
    expect(alice.feed[1]).toEqual({ state: 'rest', since: 1_800_000_000_000, reason: 'socket down 12 s, REST serving' });
    const bob = await connect();
    await waitFor(() => bob.feed.length === 1, { message: "bob's first feed state" });
    expect(bob.feed[0]?.state).toBe('rest');
  });

  it('ignores what a browser sends that is not a subscribe or unsubscribe message, and keeps serving it', async () => {
    const game = uniqueId('game');
    await publisher.publish([gameState(game, [43, 42, 58, 57], T0)]);
    const browser = await connect();
    browser.send('not json');
    browser.send({ type: 'subscribe', gameIds: 'all' });
    browser.send({ type: 'subscribe', gameIds: [game], extra: 1 }); // additional properties are allowed
    await waitFor(() => browser.of(game).length === 1);
    expect(browser.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('serves the page and lists the games of the ticker map and those seen on the channel', async () => {
    const [mapped, priced] = [uniqueId('game'), uniqueId('game')];
    await env.redis.set(env.keys.tickerMap, JSON.stringify({ 'KX-A-HOME': mapped, 'KX-A-AWAY': mapped }));
    await publisher.publish([gameState(priced, [43, 42, 58, 57], T0)]);
    await waitFor(() => watcher.subscription.latest(priced));

    const games = (await (await fetch(`${watcher.url}games`)).json()) as { games: { gameId: string; slug: string | null }[] };
    expect(games.games).toEqual(
      [
        { gameId: mapped, slug: null },
        { gameId: priced, slug: `nba-${priced}` },
      ].sort((a, b) => a.gameId.localeCompare(b.gameId)),
    );

    const page = await fetch(watcher.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('<script src="/app.js"></script>');
    for (const asset of ['app.js', 'style.css']) {
      const response = await fetch(`${watcher.url}${asset}`);
      expect(response.status).toBe(200);
      expect(await response.text()).not.toMatch(/https?:\/\/|\/\/[a-z0-9.-]+\.[a-z]{2,}\//i); // no external URL
    }
    expect(html).not.toMatch(/https?:\/\//);
    expect((await fetch(`${watcher.url}../package.json`)).status).toBe(404);
    expect((await fetch(`${watcher.url}nope`)).status).toBe(404);
  });
});
