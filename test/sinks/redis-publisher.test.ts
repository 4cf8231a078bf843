import { Value } from '@sinclair/typebox/value';
import Redis from 'ioredis';
import { RedisPublisher } from '../../src/sinks/redis-publisher';
import { fromPriceHash, PriceMessageSchema, toPriceMessage, type PriceMessage } from '../../src/sinks/price-message';
import type { GamePrices, TeamPrices } from '../../src/prices/types';
import { uniqueId } from '../helpers/db';
import { collectMessages, createTestRedis, TEST_REDIS_URL, type MessageCollector, type TestRedis } from '../helpers/redis';
import { waitFor } from '../helpers/wait';

const TTL = 60_000;
const T0 = 1_738_772_400_123;

let env: TestRedis;
let publisher: RedisPublisher;
let messages: MessageCollector;

beforeEach(async () => {
  env = createTestRedis();
  publisher = new RedisPublisher(env.redis, env.keys, { hashTtlMs: TTL });
  messages = await collectMessages(env.keys.channel);
});
afterEach(async () => {
  await messages.close();
  await env.close();
});

const p = (buy: number | null, sell: number | null): TeamPrices => ({ kalshiBuyPrice: buy, kalshiSellPrice: sell });
function state(gameId: string, away: TeamPrices, home: TeamPrices, updatedAtMs = T0, tickTimeMs = updatedAtMs): GamePrices {
  return { gameId, slug: `nba-${gameId}`, awayTeam: away, homeTeam: home, status: 'open', result: null, ticker: `T-${gameId}`, tickTimeMs, updatedAtMs };
}
const forGame = (gameId: string) => (list: readonly string[]) =>
  list.filter((m) => (JSON.parse(m) as { gameId: string }).gameId === gameId);

describe('RedisPublisher.publish', () => {
  it('writes the hash fields exactly, with the TTL, and publishes the exact message', async () => {
    const id = uniqueId('g');
    const s = state(id, p(45.5, 45.37), p(58, 57), T0 + 876, T0);
    expect(await publisher.publish([s])).toEqual({ published: 1, skippedStale: 0 });

    expect(await env.redis.hgetall(env.keys.prices(id))).toEqual({
      awayBuyPrice: '45.5',
      awaySellPrice: '45.37',
      homeBuyPrice: '58',
      homeSellPrice: '57',
      ticker: `T-${id}`,
      updatedAt: String(Math.floor((T0 + 876) / 1000)),
      timestamp: String(T0 + 876),
      slug: `nba-${id}`,
      status: 'open',
    });
    const pttl = await env.redis.pttl(env.keys.prices(id));
    expect(pttl).toBeGreaterThan(TTL - 5000);
    expect(pttl).toBeLessThanOrEqual(TTL);

    await messages.waitFor((list) => list.length === 1);
    expect(messages.messages[0]).toBe(
      `{"type":"kalshi_price_update","gameId":"${id}","slug":"nba-${id}",` +
        '"awayTeam":{"kalshiBuyPrice":45.5,"kalshiSellPrice":45.37},"homeTeam":{"kalshiBuyPrice":58,"kalshiSellPrice":57},' +
        `"status":"open","ticker":"T-${id}","timestamp":${T0}}`,
    );
    expect(Value.Check(PriceMessageSchema, JSON.parse(messages.messages[0]))).toBe(true);
  });

  it('a side with no quote has no field, also when it had one before; the message carries null', async () => {
    const id = uniqueId('g');
    await publisher.publish([state(id, p(43, 42), p(58, 57), T0)]);
    expect(await publisher.publish([state(id, p(null, 42), p(58, null), T0 + 1)])).toEqual({ published: 1, skippedStale: 0 });

    const hash = await env.redis.hgetall(env.keys.prices(id));
    expect(Object.keys(hash).sort()).toEqual(['awaySellPrice', 'homeBuyPrice', 'slug', 'status', 'ticker', 'timestamp', 'updatedAt']);
    await messages.waitFor((list) => list.length === 2);
    const last = JSON.parse(messages.messages[1] ?? '') as PriceMessage;
    expect(last.awayTeam).toEqual({ kalshiBuyPrice: null, kalshiSellPrice: 42 });
    expect(last.homeTeam).toEqual({ kalshiBuyPrice: 58, kalshiSellPrice: null });
    expect(Value.Check(PriceMessageSchema, last)).toBe(true);
  });

  it('writes status, result and the draw\'s prices, and deletes the ones a later state no longer has', async () => {
    const id = uniqueId('g');
    const threeWay: GamePrices = { ...state(id, p(30, 28), p(47, 45), T0), draw: p(26, 24), status: 'paused' };
    await publisher.publish([threeWay]);
    expect(await env.redis.hgetall(env.keys.prices(id))).toMatchObject({ drawBuyPrice: '26', drawSellPrice: '24', status: 'paused' });
    expect(await env.redis.hexists(env.keys.prices(id), 'result')).toBe(0);

    const final: GamePrices = { ...threeWay, awayTeam: p(0, 0), homeTeam: p(0, 0), draw: p(100, 100), status: 'final', result: 'draw' };
    await publisher.publish([final]);
    const hash = await env.redis.hgetall(env.keys.prices(id));
    expect(hash).toMatchObject({ drawBuyPrice: '100', drawSellPrice: '100', status: 'final', result: 'draw', awayBuyPrice: '0' });
    expect(fromPriceHash(id, hash)).toEqual(toPriceMessage({ ...final, tickTimeMs: final.updatedAtMs }));
    await messages.waitFor((list) => forGame(id)(list).length === 2);
    const message = JSON.parse(forGame(id)(messages.messages)[1] ?? '') as PriceMessage;
    expect(message).toMatchObject({ draw: p(100, 100), status: 'final', result: 'draw' });

    // The draw unmapped (two-way again) and a result withdrawn (an amended determination): their fields go.
    await publisher.publish([{ ...state(id, p(30, 28), p(47, 45), T0), status: 'closed' }]);
    expect(Object.keys(await env.redis.hgetall(env.keys.prices(id))).sort()).toEqual(
      ['awayBuyPrice', 'awaySellPrice', 'homeBuyPrice', 'homeSellPrice', 'slug', 'status', 'ticker', 'timestamp', 'updatedAt'],
    );
  });

  it('the keep-alive rebuilds a missing hash with status, result and draw', async () => {
    const id = uniqueId('g');
    const final: GamePrices = { ...state(id, p(0, 0), p(100, 100), T0), draw: p(0, 0), status: 'final', result: 'home' };
    expect(await publisher.touch([id], () => final)).toEqual({ rebuilt: 1 });
    expect(await env.redis.hgetall(env.keys.prices(id))).toMatchObject({ drawBuyPrice: '0', status: 'final', result: 'home' });
  });

  it('skips a stale publish: neither the hash nor the channel see it; an equal timestamp is written', async () => {
    const id = uniqueId('g');
    const marker = uniqueId('marker');
    await publisher.publish([state(id, p(50, 49), p(51, 50), T0 + 10_000)]);
    const before = await env.redis.hgetall(env.keys.prices(id));

    expect(await publisher.publish([state(id, p(10, 9), p(91, 90), T0)])).toEqual({ published: 0, skippedStale: 1 });
    expect(await env.redis.hgetall(env.keys.prices(id))).toEqual(before);
    // Messages on one channel arrive in order: once the marker is here, a stale message would be too.
    await publisher.publish([state(marker, p(1, 1), p(1, 1))]);
    await messages.waitFor((list) => forGame(marker)(list).length === 1);
    expect(forGame(id)(messages.messages)).toHaveLength(1);

    expect(await publisher.publish([state(id, p(11, 10), p(90, 89), T0 + 10_000)])).toEqual({
      published: 1,
      skippedStale: 0,
    });
    expect((await env.redis.hgetall(env.keys.prices(id))).awayBuyPrice).toBe('11');
  });

  it('treats a stored timestamp more than 5 minutes ahead of Redis\'s clock as absent (a bad exchange time)', async () => {
    const now = Date.now();
    const poisoned = uniqueId('g');
    await env.redis.hset(env.keys.prices(poisoned), 'timestamp', String(now * 1000)); // a ts_ms in microseconds
    expect(await publisher.publish([state(poisoned, p(50, 49), p(51, 50), now)])).toEqual({ published: 1, skippedStale: 0 });
    expect((await env.redis.hgetall(env.keys.prices(poisoned))).timestamp).toBe(String(now));
    const ahead = uniqueId('g');
    await env.redis.hset(env.keys.prices(ahead), 'timestamp', String(now + 4 * 60_000));
    expect(await publisher.publish([state(ahead, p(50, 49), p(51, 50), now)])).toEqual({ published: 0, skippedStale: 1 });
  });

  it('counts published and stale games of a mixed batch', async () => {
    const fresh = uniqueId('g');
    const stale = uniqueId('g');
    await publisher.publish([state(stale, p(50, 49), p(51, 50), T0 + 10)]);
    expect(
      await publisher.publish([state(fresh, p(1, 2), p(3, 4), T0), state(stale, p(1, 2), p(3, 4), T0)]),
    ).toEqual({ published: 1, skippedStale: 1 });
  });

  it('publishes a batch of many games in one pipeline round trip', async () => {
    const ids = Array.from({ length: 500 }, (_, i) => `${uniqueId('many')}_${i}`);
    const pipelines = jest.spyOn(env.redis, 'pipeline');
    // The script defined on the client itself would be a round trip per game; it must only be used in the pipeline.
    const client = env.redis as unknown as Record<string, (...args: unknown[]) => unknown>;
    const direct = jest.spyOn(client, 'kalshiPublishPrice');
    const evalsha = jest.spyOn(env.redis, 'evalsha');
    const result = await publisher.publish(ids.map((id, i) => state(id, p(40 + i / 100, 39), p(61, 60))));
    expect(result).toEqual({ published: 500, skippedStale: 0 });
    expect(pipelines).toHaveBeenCalledTimes(1);
    // (ioredis copies the script method onto the pipeline, so calls are seen here, but never on the client)
    expect(direct).toHaveBeenCalledTimes(500);
    expect(direct.mock.contexts.filter((context) => context === env.redis)).toHaveLength(0);
    expect(evalsha).not.toHaveBeenCalled();
    pipelines.mockRestore();
    direct.mockRestore();
    evalsha.mockRestore();

    await messages.waitFor((list) => list.length === 500);
    expect(new Set(messages.messages.map((m) => (JSON.parse(m) as PriceMessage).gameId))).toEqual(new Set(ids));
    const check = env.redis.pipeline();
    for (const id of ids) check.hget(env.keys.prices(id), 'awayBuyPrice');
    const replies = ((await check.exec()) ?? []).map(([, value]) => value);
    expect(replies).toEqual(ids.map((_, i) => String(40 + i / 100)));
  });

  it('the stored hash rebuilds the last message (fromPriceHash)', async () => {
    const id = uniqueId('g');
    const s = state(id, p(45.5, null), p(54.63, 54));
    await publisher.publish([s]);
    await messages.waitFor((list) => list.length === 1);
    expect(fromPriceHash(id, await env.redis.hgetall(env.keys.prices(id)))).toEqual(JSON.parse(messages.messages[0]));
  });

  it('rejects when a command in the pipeline fails (e.g. the key holds another type)', async () => {
    const id = uniqueId('g');
    await env.redis.set(env.keys.prices(id), 'not a hash');
    await expect(publisher.publish([state(id, p(1, 2), p(3, 4))])).rejects.toThrow(/WRONGTYPE/);
  });

  it('rejects when Redis is unreachable (the caller requeues)', async () => {
    const closed = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    const offline = new RedisPublisher(closed, env.keys, { hashTtlMs: TTL });
    try {
      await expect(offline.publish([state(uniqueId('g'), p(1, 2), p(3, 4))])).rejects.toThrow();
      await expect(offline.touch([uniqueId('g')])).rejects.toThrow();
    } finally {
      closed.disconnect();
    }
  });

  it('refuses a bad TTL', () => {
    expect(() => new RedisPublisher(env.redis, env.keys, { hashTtlMs: 0 })).toThrow(RangeError);
  });
});

describe('RedisPublisher.touch', () => {
  it('extends the TTL of the given hashes and creates none for games without a state', async () => {
    const a = uniqueId('g');
    const b = uniqueId('g');
    const missing = uniqueId('g');
    await publisher.publish([state(a, p(1, 2), p(3, 4)), state(b, p(1, 2), p(3, 4))]);
    await env.redis.pexpire(env.keys.prices(a), 1000);
    await env.redis.pexpire(env.keys.prices(b), 1000);

    expect(await publisher.touch([a, b, missing])).toEqual({ rebuilt: 0 });
    for (const id of [a, b]) expect(await env.redis.pttl(env.keys.prices(id))).toBeGreaterThan(TTL - 5000);
    expect(await env.redis.exists(env.keys.prices(missing))).toBe(0);
    expect(await publisher.touch([])).toEqual({ rebuilt: 0 });
  });

  it('rewrites a hash that has gone missing from the current state, without publishing', async () => {
    const lost = uniqueId('g');
    const kept = uniqueId('g');
    const marker = uniqueId('marker');
    const lostState = state(lost, p(45.5, null), p(58, 57), T0 + 876, T0);
    await publisher.publish([lostState, state(kept, p(1, 2), p(3, 4))]);
    const written = await env.redis.hgetall(env.keys.prices(lost));
    await env.redis.del(env.keys.prices(lost));
    await env.redis.pexpire(env.keys.prices(kept), 1000);
    const keptBefore = await env.redis.hgetall(env.keys.prices(kept));

    // `kept` exists: only its TTL moves, even though the state handed in differs from the hash.
    const current = new Map([
      [lost, lostState],
      [kept, state(kept, p(9, 9), p(9, 9), T0 + 5)],
    ]);
    expect(await publisher.touch([lost, kept], (id) => current.get(id))).toEqual({ rebuilt: 1 });
    expect(await env.redis.hgetall(env.keys.prices(lost))).toEqual(written);
    expect(await env.redis.pttl(env.keys.prices(lost))).toBeGreaterThan(TTL - 5000);
    expect(await env.redis.hgetall(env.keys.prices(kept))).toEqual(keptBefore);
    expect(await env.redis.pttl(env.keys.prices(kept))).toBeGreaterThan(TTL - 5000);

    // Messages on one channel arrive in order: once the marker is here, a keep-alive message would be too.
    await publisher.publish([state(marker, p(1, 1), p(1, 1))]);
    await messages.waitFor((list) => forGame(marker)(list).length === 1);
    expect(forGame(lost)(messages.messages)).toHaveLength(1);
    expect(forGame(kept)(messages.messages)).toHaveLength(1);
  });
});

describe('message collector', () => {
  it('times out with a clear error when the condition never holds', async () => {
    await expect(messages.waitFor((list) => list.length > 0, 100)).rejects.toThrow(/timed out.*0 received/s);
    await expect(waitFor(() => false, { timeoutMs: 50, message: 'never' })).rejects.toThrow(/never.*last value: false/);
  });
});
