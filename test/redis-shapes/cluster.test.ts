import calculateSlot from 'cluster-key-slot';
import type { Cluster } from 'ioredis';
import { readPriceStates, scanPricedGameIds } from '@kalshi-ingestor/client';
import { createRedis, quitRedis } from '../../src/redis/connect';
import { LeaderLock } from '../../src/leader/leader-lock';
import { RedisPublisher } from '../../src/sinks/redis-publisher';
import { redisKeys } from '../../src/sinks/redis-keys';
import { gameState } from '../client/helpers';
import { uniqueId } from '../helpers/db';
import { waitFor } from '../helpers/wait';
import { command, missingBinaries, RedisCluster } from './servers';
import { expectFeedOnShape, expectFinalEverywhere, longestGap, priceAt, startShapeHarness, stream, type ShapeHarness } from './shape-harness';

const missing = missingBinaries();
if (missing !== undefined) process.stdout.write(`SKIPPED test/redis-shapes/cluster.test.ts: ${missing}\n`);
const describeIf = missing === undefined ? describe : describe.skip;

jest.setTimeout(60_000);

describeIf('Redis Cluster (three primaries)', () => {
  let cluster: RedisCluster;
  let h: ShapeHarness;

  beforeAll(async () => {
    cluster = await RedisCluster.start();
    h = await startShapeHarness(cluster.env);
  });
  afterAll(async () => {
    await h?.close();
    await cluster?.stop();
  });

  /** The index (in cluster.ports) of the node serving a key. */
  const nodeOf = (key: string): number => {
    const nodeKey = (h.redis as Cluster).slots[calculateSlot(key)][0];
    return cluster.ports.indexOf(Number(nodeKey.split(':').pop()));
  };

  it("the leader keeps kalshi:feed (its worker id, TTL at most 60 s); a consumer on this shape reads it, then follows the channel", async () => {
    await expectFeedOnShape(h);
  });

  it('publishes a batch whose games live on every node, and the client reads them back (SCAN on every primary)', async () => {
    const publisher = new RedisPublisher(h.redis, h.keys, { hashTtlMs: 60_000 });
    const ids = Array.from({ length: 300 }, () => uniqueId('batch'));
    expect(new Set(ids.map((id) => nodeOf(h.keys.prices(id)))).size).toBe(3);
    const t0 = 1_738_772_400_000;
    const delivered = h.updates.length;
    expect(await publisher.publish(ids.map((id, i) => gameState(id, [40, 39, 61, 60], t0 + i)))).toEqual({ published: 300, skippedStale: 0, fenced: 0 });
    await waitFor(() => h.updates.length - delivered >= 300, { message: 'the client got the whole batch over the cluster bus' });

    const scanned = new Set(await scanPricedGameIds(h.redis, h.keys, 10_000));
    expect(ids.every((id) => scanned.has(id))).toBe(true);
    const states = await readPriceStates(h.redis, h.keys, ids);
    expect(states).toHaveLength(300);
    await publisher.touch(ids);
  });

  it('measures a 1,000-game publish: one pipeline per node against one call per game', async () => {
    const publisher = new RedisPublisher(h.redis, h.keys, { hashTtlMs: 60_000 });
    const ids = Array.from({ length: 1000 }, () => uniqueId('measure'));
    const t0 = 1_738_772_500_000;
    const rounds = 5;
    const time = async (run: (round: number) => Promise<unknown>): Promise<number> => {
      const started = process.hrtime.bigint();
      for (let round = 0; round < rounds; round += 1) await run(round);
      return Number(process.hrtime.bigint() - started) / 1e6 / rounds;
    };
    const grouped = await time((round) => publisher.publish(ids.map((id) => gameState(id, [40, 39, 61, 60], t0 + round))));
    const singles = await time((round) =>
      Promise.all(ids.map((id) => publisher.publish([gameState(id, [41, 40, 60, 59], t0 + 100 + round)]))),
    );
    const auto = createRedis(h.config.redis, { role: 'main', connectionName: 'shape-auto', enableAutoPipelining: true, enableOfflineQueue: true, lazyConnect: false });
    try {
      const autoPublisher = new RedisPublisher(auto, h.keys, { hashTtlMs: 60_000 });
      await autoPublisher.publish([gameState(ids[0], [1, 1, 1, 1], 0)]);
      const autoPipelined = await time((round) =>
        Promise.all(ids.map((id) => autoPublisher.publish([gameState(id, [42, 41, 59, 58], t0 + 200 + round)]))),
      );
      process.stdout.write(
        `cluster publish of 1,000 games (3 primaries, mean of ${rounds}): per-node pipelines ${grouped.toFixed(1)} ms, ` +
          `one call per game ${singles.toFixed(1)} ms, one call per game with enableAutoPipelining ${autoPipelined.toFixed(1)} ms\n`,
      );
    } finally {
      await quitRedis(auto);
    }
    expect(await h.redis.hget(h.keys.prices(ids[999]), 'homeBuyPrice')).toBe('59');
  });

  it('a primary restarted mid-stream: one leader after it, every final price in the hash, Postgres and the client', async () => {
    const games = await Promise.all(Array.from({ length: 12 }, () => h.addGame()));
    const tickers = games.map((g) => g.ticker);
    await waitFor(() => tickers.every((t) => h.sim.subscribedTickers().has(t)), { timeoutMs: 10_000, message: 'all subscribed' });
    await stream(h.sim, tickers, 5, 20);
    await expectFinalEverywhere(h, games, priceAt(4));

    // Restart the node the consumer's SUBSCRIBE connection is on, so the client has to move and catch up too.
    const lists = await Promise.all(cluster.ports.map(async (port) => String(await command(port, 'CLIENT', 'LIST'))));
    const victim = lists.findIndex((list) => list.includes('name=shape-consumer:sub'));
    expect(victim).toBeGreaterThanOrEqual(0);
    const onVictim = games.filter((g) => nodeOf(h.keys.prices(g.gameId)) === victim);

    let stoppedAt = 0;
    let startedAt = 0;
    let restart: (() => Promise<void>) | undefined;
    const steps = 150;
    await stream(h.sim, tickers, steps, 20, async (step) => {
      if (step === 20) {
        stoppedAt = Date.now();
        restart = await cluster.stopNode(victim);
      }
      if (step === 40 && restart !== undefined) {
        await restart();
        startedAt = Date.now();
      }
    });
    const streamEnd = Date.now();
    await cluster.waitHealthy();
    await expectFinalEverywhere(h, games, priceAt(steps - 1));

    const victimGame = onVictim[0]?.gameId;
    const victimUpdates = h.updates.filter((u) => u.gameId === victimGame);
    const elsewhere = new Set(games.filter((g) => !onVictim.includes(g)).map((g) => g.gameId));
    const otherUpdates = h.updates.filter((u) => elsewhere.has(u.gameId));
    process.stdout.write(
      `cluster node restart: node down ${startedAt - stoppedAt} ms (${onVictim.length} of ${games.length} games on it); ` +
        `longest gap in client deliveries: a game on that node ${victimGame === undefined ? 'n/a' : longestGap(victimUpdates, stoppedAt, streamEnd)} ms, ` +
        `games on the other nodes ${longestGap(otherUpdates, stoppedAt, streamEnd)} ms\n`,
    );
  });

  it('the lock and the term counter on different nodes: SET then INCR; a crash between them costs one ttl and no term; a failed INCR is redone', async () => {
    const prefix = `${uniqueId('lockc')}:`;
    const keys = { leader: `${prefix}kalshi:websocket:leader`, term: `${prefix}kalshi:websocket:term` };
    expect(calculateSlot(keys.leader)).not.toBe(calculateSlot(keys.term));
    const a = new LeaderLock(h.redis, keys.leader, 'worker-a', 400, keys.term);
    const b = new LeaderLock(h.redis, keys.leader, 'worker-b', 400, keys.term);
    expect(await a.tryAcquire()).toBe(1);
    expect(await b.tryAcquire()).toBeUndefined();
    expect(await h.redis.get(keys.term)).toBe('1');
    // A replica that crashed between its SET and its INCR: nobody writes with that lock, it runs out.
    await h.redis.set(keys.leader, 'crashed:0', 'PX', 300);
    expect(await b.tryAcquire()).toBeUndefined();
    await waitFor(async () => (await b.tryAcquire()) === 2, { message: 'the next holder numbered a newer term' });
    expect(await h.redis.get(keys.leader)).toBe(b.owner);
    // The INCR fails: the attempt throws (no term, no leading); the next one finds the lock ours and numbers it.
    await h.redis.del(keys.leader);
    await h.redis.set(keys.term, 'not a number');
    await expect(a.tryAcquire()).rejects.toThrow(/not an integer/);
    expect(await h.redis.get(keys.leader)).toBe(a.owner);
    await h.redis.set(keys.term, '7');
    expect(await a.tryAcquire()).toBe(8);
  });

  it('the lock and the counter in one slot (a hash tag in REDIS_KEY_PREFIX): one script; the price scripts leave the fence to the data guards', async () => {
    const prefix = `{${uniqueId('tag')}}:`;
    const keys = { leader: `${prefix}kalshi:websocket:leader`, term: `${prefix}kalshi:websocket:term` };
    const a = new LeaderLock(h.redis, keys.leader, 'worker-a', 60_000, keys.term);
    expect(await a.tryAcquire()).toBe(1);
    expect(await h.redis.get(keys.term)).toBe('1');
    // A fence handed to a cluster publisher is not used: the lock lives on another node than the price keys.
    const own = redisKeys(`${uniqueId('nofence')}:`);
    await h.redis.set(own.leader, 'someone-else:0', 'PX', 60_000);
    const publisher = new RedisPublisher(h.redis, own, { hashTtlMs: 60_000, fence: { lockKey: own.leader, lockValue: 'worker-a:0' } });
    const ids = Array.from({ length: 30 }, () => uniqueId('nofence'));
    expect(await publisher.publish(ids.map((id, i) => gameState(id, [40, 39, 61, 60], 1_738_772_600_000 + i)))).toEqual({ published: 30, skippedStale: 0, fenced: 0 });
    expect(await publisher.publish(ids.map((id) => gameState(id, [41, 40, 60, 59], 1_738_772_500_000)))).toEqual({ published: 0, skippedStale: 30, fenced: 0 });
  });
});
