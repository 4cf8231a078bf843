import { Redis } from 'ioredis';
import { subscribeKalshiPrices, type FeedStatusMessage, type KalshiPriceSubscription } from '../src';
import { createTestRedis, Recorder, TEST_REDIS_URL, uniqueId, waitFor, type TestRedis } from './helpers';

/** Its own connection names: the reconnect test kills its subscriber by name, and other files run beside it. */
const NAME = uniqueId('feed-follow');

let env: TestRedis;
const cleanups: (() => Promise<unknown>)[] = [];
beforeEach(() => {
  env = createTestRedis();
});
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
  await env.close();
});

function follow(states: (FeedStatusMessage | null)[], recorder = new Recorder(), feedRefreshMs?: number): KalshiPriceSubscription {
  const subscription = subscribeKalshiPrices({
    redisUrl: TEST_REDIS_URL,
    redisOptions: { retryStrategy: () => 50 },
    keyPrefix: env.prefix,
    gameIds: ['g1'],
    onUpdate: recorder.onUpdate,
    onError: recorder.onError,
    onFeedState: (status) => states.push(status),
    feedRefreshMs,
    connectionName: NAME,
  });
  cleanups.push(() => subscription.close());
  return subscription;
}

const status = (state: FeedStatusMessage['state'], since: number, reason = 'why'): FeedStatusMessage => ({
  type: 'kalshi_feed_status',
  state,
  since,
  reason,
  leader: 'worker-a',
});

async function writeFeed(s: FeedStatusMessage, ttlMs = 60_000): Promise<void> {
  await env.redis.hset(env.keys.feed, { state: s.state, since: String(s.since), reason: s.reason, leader: s.leader, updatedAt: String(s.since) });
  await env.redis.pexpire(env.keys.feed, ttlMs);
}

describe('subscribeKalshiPrices: the feed state', () => {
  it('reads kalshi:feed when ready, then follows kalshi:feed:channel; invalid messages are counted, not delivered', async () => {
    await writeFeed(status('live', 1000, 'socket serving 2 markets'));
    const states: (FeedStatusMessage | null)[] = [];
    const sub = follow(states);
    await sub.ready;
    expect(states).toEqual([status('live', 1000, 'socket serving 2 markets')]);
    await env.redis.publish(env.keys.feedChannel, JSON.stringify(status('rest', 2000, 'socket down 11 s, REST serving')));
    await env.redis.publish(env.keys.feedChannel, JSON.stringify({ type: 'kalshi_feed_status', state: 'sideways', since: 1, reason: '', leader: 'x' }));
    await env.redis.publish(env.keys.feedChannel, 'not json');
    await waitFor(() => states.length === 2 && sub.stats.invalid === 2, { message: 'rest delivered, two invalid counted' });
    expect(states[1]).toEqual(status('rest', 2000, 'socket down 11 s, REST serving'));
  });

  it('gives null when there is no feed (no leader), and the state when a leader writes it', async () => {
    const states: (FeedStatusMessage | null)[] = [];
    const sub = follow(states, new Recorder(), 200);
    await sub.ready;
    expect(states).toEqual([null]);
    await writeFeed(status('exchange_paused', 3000, 'maintenance, resumes 2026-12-10T10:00:00Z'));
    // No message: the periodic read finds it.
    await waitFor(() => states.length === 2, { message: 'the key read again' });
    expect(states[1]?.state).toBe('exchange_paused');
    // The key expires (the leader is gone): null again.
    await env.redis.pexpire(env.keys.feed, 1);
    await waitFor(() => states.length === 3, { message: 'expiry noticed' });
    expect(states[2]).toBeNull();
  });

  it('reads kalshi:feed again after a reconnect', async () => {
    await writeFeed(status('live', 1000));
    const states: (FeedStatusMessage | null)[] = [];
    const sub = follow(states);
    await sub.ready;
    // While the subscriber is cut off, the state changes and the message is missed.
    await writeFeed(status('down', 5000, 'socket down 70 s, no REST read for 61 s'));
    const admin = new Redis(TEST_REDIS_URL);
    cleanups.push(() => {
      admin.disconnect();
      return Promise.resolve();
    });
    const list = (await admin.call('CLIENT', 'LIST')) as string;
    const line = list.split('\n').find((l) => l.includes(` name=${NAME}:sub `));
    const id = Number(/(?:^| )id=(\d+)/.exec(line ?? '')?.[1]);
    expect(id).toBeGreaterThan(0);
    await admin.call('CLIENT', 'KILL', 'ID', String(id));
    await waitFor(() => states.at(-1)?.state === 'down', { message: 'the missed state read after the reconnect' });
  });
});
