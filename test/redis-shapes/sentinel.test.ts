import { command, missingBinaries, SentinelGroup } from './servers';
import { expectFinalEverywhere, longestGap, priceAt, startShapeHarness, stream, type ShapeHarness } from './shape-harness';
import { waitFor } from '../helpers/wait';
import { subscribeKalshiPrices, type FeedStatusMessage } from '@kalshi-ingestor/client';
import { FeedStore } from '../../src/feed-health/feed-store';

const missing = missingBinaries();
if (missing !== undefined) process.stdout.write(`SKIPPED test/redis-shapes/sentinel.test.ts: ${missing}\n`);
const describeIf = missing === undefined ? describe : describe.skip;

jest.setTimeout(60_000);

describeIf('Redis behind Sentinel (a primary, a replica, three sentinels)', () => {
  let group: SentinelGroup;
  let h: ShapeHarness;

  beforeAll(async () => {
    group = await SentinelGroup.start();
    h = await startShapeHarness(group.env);
  });
  afterAll(async () => {
    await h?.close();
    await group?.stop();
  });

  it("the leader keeps kalshi:feed (its worker id, TTL at most 60 s); a consumer on this shape reads it, then follows the channel", async () => {
    const leaderId = h.workerIds[h.apps.indexOf(h.leaders()[0])];
    await waitFor(async () => (await h.redis.hgetall(h.keys.feed)).leader === leaderId, { timeoutMs: 10_000, message: 'kalshi:feed written by the leader' });
    const ttl = await h.redis.pttl(h.keys.feed);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    const states: (FeedStatusMessage | null)[] = [];
    const follower = subscribeKalshiPrices({ redis: h.redis, keyPrefix: h.prefix, gameIds: [], onUpdate: () => undefined, onError: () => undefined, onFeedState: (s) => states.push(s) });
    try {
      await follower.ready;
      expect(states[0]?.leader).toBe(leaderId);
      // The store's script (one key, PUBLISH inside) on this shape: the message reaches the follower.
      await new FeedStore(h.redis, h.keys, 'shape-test').write({ state: 'down', since: 1_800_000_000_000, reason: 'shape test' }, true, Date.now());
      await waitFor(() => states.some((s) => s?.leader === 'shape-test' && s.state === 'down'), { message: 'the announced state' });
    } finally {
      await follower.close();
    }
  });

  it('a SENTINEL FAILOVER mid-stream: one leader after it, every final price in the hash, Postgres and the client', async () => {
    const games = await Promise.all(Array.from({ length: 10 }, () => h.addGame()));
    const tickers = games.map((g) => g.ticker);
    await waitFor(() => tickers.every((t) => h.sim.subscribedTickers().has(t)), { timeoutMs: 10_000, message: 'all subscribed' });
    // Prices flow before anything fails.
    await stream(h.sim, tickers, 5, 20);
    await expectFinalEverywhere(h, games, priceAt(4));

    const before = await group.primaryPort();
    let failoverAt = 0;
    let switchedAt = 0;
    const steps = 150;
    await stream(h.sim, tickers, steps, 20, async (step) => {
      if (step === 20) {
        failoverAt = Date.now();
        await command(group.sentinelPorts[0], 'SENTINEL', 'FAILOVER', group.name);
      }
      if (failoverAt > 0 && switchedAt === 0 && (await group.primaryPort()) !== before) switchedAt = Date.now();
    });
    const streamEnd = Date.now();
    expect(switchedAt).toBeGreaterThan(0);
    expect(await group.primaryPort()).not.toBe(before);

    await expectFinalEverywhere(h, games, priceAt(steps - 1));
    // On the primary the sentinels name now (not on some other Redis the clients might have fallen back to).
    const primary = await group.primaryPort();
    for (const { gameId } of games) expect(await command(primary, 'HGET', h.keys.prices(gameId), 'homeBuyPrice')).toBe(String(priceAt(steps - 1)));
    expect(await command(primary, 'EXISTS', h.keys.leader)).toBe(1);
    // Deliveries resumed before the stream ended: the failover was ridden through, not waited out.
    const firstAfter = h.updates.find((u) => u.receivedAt > switchedAt);
    expect(firstAfter !== undefined && firstAfter.receivedAt < streamEnd).toBe(true);
    const gap = longestGap(h.updates, failoverAt, streamEnd);
    process.stdout.write(
      `sentinel failover: sentinels switched the primary ${switchedAt - failoverAt} ms after SENTINEL FAILOVER; ` +
        `longest gap in client deliveries ${gap} ms; first delivery after the switch +${(firstAfter?.receivedAt ?? 0) - switchedAt} ms\n`,
    );
  });
});
