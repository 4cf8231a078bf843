import { Redis } from 'ioredis';
import { subscribeKalshiPrices, type KalshiPriceSubscription } from '../src';
import { createTestRedis, message, Recorder, TEST_REDIS_URL, uniqueId, waitFor, state, writeState, type TestRedis } from './helpers';

const T0 = 1_738_772_400_000;

let env: TestRedis;
const cleanups: (() => Promise<unknown>)[] = [];

beforeEach(() => {
  env = createTestRedis();
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

async function clientId(name: string): Promise<number> {
  const list = (await env.redis.call('CLIENT', 'LIST')) as string;
  const line = list.split('\n').find((l) => l.includes(` name=${name} `));
  if (line === undefined) throw new Error(`no connection named ${name}`);
  return Number(/(?:^| )id=(\d+)/.exec(line)?.[1]);
}

async function clientNames(): Promise<string[]> {
  const list = (await env.redis.call('CLIENT', 'LIST')) as string;
  return list.split('\n').map((line) => /(?:^| )name=(\S*)/.exec(line)?.[1] ?? '');
}

describe('subscribeKalshiPrices: live messages', () => {
  it('delivers valid messages in order and drops (and counts) one older than the last delivered', async () => {
    const recorder = new Recorder();
    const sub = subscribe(recorder);
    await sub.ready;
    const game = uniqueId('game');
    await env.redis.publish(env.keys.channel, JSON.stringify(message(game, 50, T0 + 200)));
    await env.redis.publish(env.keys.channel, JSON.stringify(message(game, 40, T0 + 100))); // out of order
    await env.redis.publish(env.keys.channel, JSON.stringify(message(game, 55, T0 + 200))); // same ms: a real update
    await env.redis.publish(env.keys.channel, JSON.stringify(message(game, 60, T0 + 300)));

    await waitFor(() => recorder.of(game).length === 3, { message: 'three deliveries' });
    expect(recorder.of(game).map((m) => [m.homeTeam.kalshiBuyPrice, m.timestamp])).toEqual([
      [50, T0 + 200],
      [55, T0 + 200],
      [60, T0 + 300],
    ]);
    expect(recorder.of(game)[0]).toEqual(message(game, 50, T0 + 200));
    expect(sub.stats).toEqual({ delivered: 3, invalid: 0, stale: 1, recovered: 0 });
    expect(sub.latest(game)?.homeTeam.kalshiBuyPrice).toBe(60);
    expect(recorder.errors).toEqual([]);
  });

  it('counts invalid messages and drops them without throwing or calling onError, and keeps delivering', async () => {
    const recorder = new Recorder();
    const sub = subscribe(recorder);
    await sub.ready;
    const game = uniqueId('game');
    const good = message(game, 50, T0);
    const bad = [
      'not json',
      '{"type":"kalshi_price_update"}',
      JSON.stringify({ ...good, timestamp: 'yesterday' }),
      JSON.stringify({ ...good, homeTeam: { kalshiBuyPrice: 140, kalshiSellPrice: 50 } }),
      JSON.stringify({ ...good, type: 'price_update' }),
      JSON.stringify({ ...good, gameId: '' }),
      'null',
    ];
    for (const text of bad) await env.redis.publish(env.keys.channel, text);
    await env.redis.publish(env.keys.channel, JSON.stringify(good));

    await waitFor(() => recorder.of(game).length === 1, { message: 'the valid message' });
    await waitFor(() => sub.stats.invalid === bad.length, { message: `${bad.length} invalid counted` });
    expect(sub.stats).toEqual({ delivered: 1, invalid: bad.length, stale: 0, recovered: 0 });
    expect(recorder.updates).toEqual([good]);
    expect(recorder.errors).toEqual([]);
  });

  it('repairs a stale drop from the hash: a market tick with an older time than the other market is not lost', async () => {
    const recorder = new Recorder();
    const sub = subscribe(recorder);
    await sub.ready;
    const game = uniqueId('game');
    // Home market ticks at T0+10; then the away market's tick, stamped T0+8, changes the away prices.
    await writeState(env, state(game, [43, 42, 58, 57], T0 + 10));
    await waitFor(() => recorder.of(game).length === 1);
    await writeState(env, state(game, [45, 44, 58, 57], T0 + 8), { newestMs: T0 + 10 });

    await waitFor(() => recorder.last(game)?.awayTeam.kalshiBuyPrice === 45, { message: 'the away update, from the hash' });
    expect(sub.stats).toMatchObject({ delivered: 1, stale: 1, recovered: 1 });
    expect(recorder.last(game)?.timestamp).toBe(T0 + 10);
  });

  it('reports an exception of onUpdate to onError and keeps delivering', async () => {
    const recorder = new Recorder();
    let calls = 0;
    const sub = subscribeKalshiPrices({
      redisUrl: TEST_REDIS_URL,
      keyPrefix: env.prefix,
      onUpdate: (update) => {
        calls += 1;
        if (calls === 1) throw new Error('render bug');
        recorder.onUpdate(update);
      },
      onError: recorder.onError,
    });
    cleanups.push(() => sub.close());
    await sub.ready;
    const game = uniqueId('game');
    await env.redis.publish(env.keys.channel, JSON.stringify(message(game, 50, T0)));
    await env.redis.publish(env.keys.channel, JSON.stringify(message(game, 51, T0 + 1)));
    await waitFor(() => recorder.of(game).length === 1);
    expect(recorder.last(game)?.homeTeam.kalshiBuyPrice).toBe(51);
    expect(recorder.errors.map((e) => e.message)).toEqual([`onUpdate threw for game ${game}: render bug`]);
    expect((recorder.errors[0].cause as Error).message).toBe('render bug');
  });
});

describe('subscribeKalshiPrices: state from the hashes', () => {
  it('delivers the current state of every priced game before ready resolves (SCAN, no filter)', async () => {
    const games = [uniqueId('game'), uniqueId('game')];
    await writeState(env, state(games[0], [43, 42, 58, 57], T0));
    await writeState(env, state(games[1], [null, 30, 71, null], T0 + 5));
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
        ticker: `KXNBAGAME-${games[0]}-HOME`,
        timestamp: T0,
      },
    ]);
    expect(recorder.last(games[1])?.awayTeam).toEqual({ kalshiBuyPrice: null, kalshiSellPrice: 30 });
    expect(recorder.last(games[1])?.homeTeam).toEqual({ kalshiBuyPrice: 71, kalshiSellPrice: null });
    expect(sub.stats).toEqual({ delivered: 0, invalid: 0, stale: 0, recovered: 2 });
    expect(recorder.errors).toEqual([]);
  });

  it('bounds a recovery without filter by maxScanKeys', async () => {
    const games = [uniqueId('game'), uniqueId('game'), uniqueId('game')];
    for (const [i, g] of games.entries()) await writeState(env, state(g, [40, 39, 61, 60], T0 + i));
    const recorder = new Recorder();
    const sub = subscribe(recorder, { maxScanKeys: 2 });
    await sub.ready;
    expect(sub.stats.recovered).toBe(2);
    expect(new Set(recorder.updates.map((u) => u.gameId)).size).toBe(2);
  });

  it('with gameIds, delivers and recovers only those games', async () => {
    const [followed, ignored] = [uniqueId('game'), uniqueId('game')];
    await writeState(env, state(followed, [43, 42, 58, 57], T0));
    await writeState(env, state(ignored, [43, 42, 58, 57], T0));
    const recorder = new Recorder();
    const sub = subscribe(recorder, { gameIds: [followed] });
    await sub.ready;
    expect(recorder.updates.map((u) => u.gameId)).toEqual([followed]);

    await writeState(env, state(ignored, [44, 43, 57, 56], T0 + 1));
    await writeState(env, state(followed, [44, 43, 57, 56], T0 + 1));
    await waitFor(() => recorder.of(followed).length === 2);
    expect(await sub.refresh([ignored])).toBe(0);
    expect(recorder.of(ignored)).toEqual([]);
    expect(sub.stats).toEqual({ delivered: 1, invalid: 0, stale: 0, recovered: 1 });
  });

  it('after a reconnect, a state whose message was lost comes back from the hash, and live messages resume', async () => {
    const game = uniqueId('game');
    const name = uniqueId('conn');
    const recorder = new Recorder();
    const sub = subscribeKalshiPrices({
      redisUrl: TEST_REDIS_URL,
      redisOptions: { retryStrategy: () => 50 },
      keyPrefix: env.prefix,
      connectionName: name,
      gameIds: [game],
      onUpdate: recorder.onUpdate,
      onError: recorder.onError,
    });
    cleanups.push(() => sub.close());
    await sub.ready;
    await writeState(env, state(game, [43, 42, 58, 57], T0));
    await waitFor(() => recorder.of(game).length === 1, { message: 'the first tick, live' });

    // A state that reached the hash but whose message this subscriber never saw (as during a disconnect).
    await writeState(env, state(game, [47, 46, 54, 53], T0 + 200), { publish: false });
    const killed = await env.redis.call('CLIENT', 'KILL', 'ID', String(await clientId(`${name}:sub`)));
    expect(killed).toBe(1);

    await waitFor(() => recorder.last(game)?.timestamp === T0 + 200, { timeoutMs: 10_000, message: 'the lost state, recovered' });
    expect(recorder.last(game)?.awayTeam).toEqual({ kalshiBuyPrice: 47, kalshiSellPrice: 46 });
    expect(sub.stats).toEqual({ delivered: 1, invalid: 0, stale: 0, recovered: 1 });

    await writeState(env, state(game, [48, 47, 53, 52], T0 + 300));
    await waitFor(() => recorder.last(game)?.timestamp === T0 + 300, { message: 'a live tick after the reconnect' });
    expect(sub.stats.delivered).toBe(2);
    expect(recorder.of(game).map((m) => m.timestamp)).toEqual([T0, T0 + 200, T0 + 300]);
  });
});

describe('subscribeKalshiPrices: connections', () => {
  it('given a redis, duplicates it for the subscriber and closes only the duplicate', async () => {
    const given = new Redis(TEST_REDIS_URL);
    cleanups.push(() => {
      given.disconnect();
      return Promise.resolve();
    });
    const name = uniqueId('conn');
    const recorder = new Recorder();
    const sub = subscribeKalshiPrices({ redis: given, keyPrefix: env.prefix, connectionName: name, onUpdate: recorder.onUpdate, onError: recorder.onError });
    await sub.ready;
    expect(await clientNames()).toContain(`${name}:sub`);
    expect(await clientNames()).not.toContain(`${name}:read`);

    const game = uniqueId('game');
    await env.redis.publish(env.keys.channel, JSON.stringify(message(game, 50, T0)));
    await waitFor(() => recorder.of(game).length === 1);

    await sub.close();
    expect(given.status).toBe('ready');
    expect(await given.ping()).toBe('PONG');
    await waitFor(async () => !(await clientNames()).includes(`${name}:sub`), { message: 'the duplicate closed' });
    await expect(sub.ready).resolves.toBeUndefined();
  });

  it('given a redisUrl, opens two connections and closes both', async () => {
    const name = uniqueId('conn');
    const recorder = new Recorder();
    const sub = subscribeKalshiPrices({ redisUrl: TEST_REDIS_URL, keyPrefix: env.prefix, connectionName: name, onUpdate: recorder.onUpdate, onError: recorder.onError });
    await sub.ready;
    const before = await clientNames();
    expect(before).toEqual(expect.arrayContaining([`${name}:sub`, `${name}:read`]));
    await sub.close();
    await waitFor(async () => (await clientNames()).every((n) => !n.startsWith(name)), { message: 'both closed' });
    await sub.close(); // idempotent
  });

  it('rejects ready when closed first, and refuses a client with an ioredis keyPrefix', async () => {
    const sub = subscribeKalshiPrices({ redisUrl: 'redis://127.0.0.1:1', redisOptions: { lazyConnect: true }, onUpdate: () => undefined, onError: () => undefined });
    await sub.close();
    await expect(sub.ready).rejects.toThrow('closed before it was ready');

    const prefixed = new Redis(TEST_REDIS_URL, { keyPrefix: 'x:', lazyConnect: true });
    expect(() => subscribeKalshiPrices({ redis: prefixed, onUpdate: () => undefined, onError: () => undefined })).toThrow('keyPrefix');
    prefixed.disconnect();
  });
});
