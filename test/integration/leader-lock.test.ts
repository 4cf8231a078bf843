import { LeaderLock } from '../../src/leader/leader-lock';
import { createTestRedis, type TestRedis } from '../helpers/redis';
import { waitFor } from '../helpers/wait';

const TTL = 2000;
let env: TestRedis;

beforeEach(() => {
  env = createTestRedis();
});
afterEach(async () => {
  await env.close();
});

const lockFor = (worker: string, ttl = TTL) => new LeaderLock(env.redis, env.keys.leader, worker, ttl, env.keys.term);

describe('LeaderLock against a real Redis (one node: lock and term counter in one script)', () => {
  it('takes a free lock with a new term number (INCR kalshi:websocket:term under the prefix), the value `<WORKER_ID>:<random>` and the ttl', async () => {
    await env.redis.set(env.keys.term, '41');
    const a = lockFor('worker-a');
    expect(a.owner).toMatch(/^worker-a:[0-9a-f]{16}$/);
    expect(await a.tryAcquire()).toBe(42);
    expect(await env.redis.get(env.keys.term)).toBe('42');
    expect(env.keys.term).toBe(`${env.prefix}kalshi:websocket:term`);
    expect(await env.redis.get(env.keys.leader)).toBe(a.owner);
    const pttl = await env.redis.pttl(env.keys.leader);
    expect(pttl).toBeGreaterThan(TTL - 500);
    expect(pttl).toBeLessThanOrEqual(TTL);
    // The counter has no TTL: it outlives every lock.
    expect(await env.redis.pttl(env.keys.term)).toBe(-1);
  });

  it('another replica gets nothing, and the counter does not move; it cannot renew or release what is not its own', async () => {
    const a = lockFor('worker-a');
    const b = lockFor('worker-b');
    expect(await a.tryAcquire()).toBe(1);
    expect(await b.tryAcquire()).toBeUndefined();
    expect(await env.redis.get(env.keys.term)).toBe('1');
    expect(await b.renew()).toBe(false);
    expect(await b.release()).toBe(false);
    expect(await env.redis.get(env.keys.leader)).toBe(a.owner);
    expect(await a.renew()).toBe(true);
  });

  it('each new holder gets a higher number than every term before it: after a release, after an expiry', async () => {
    const a = lockFor('worker-a', 300);
    const b = lockFor('worker-b', 300);
    expect(await a.tryAcquire()).toBe(1);
    expect(await a.release()).toBe(true);
    expect(await env.redis.exists(env.keys.leader)).toBe(0);
    expect(await b.tryAcquire()).toBe(2);
    // b's lock runs out (a frozen leader): a takes it with a newer term, and b can no longer renew it.
    await waitFor(async () => (await env.redis.exists(env.keys.leader)) === 0, { message: 'the lock expired' });
    expect(await a.tryAcquire()).toBe(3);
    expect(await b.renew()).toBe(false);
    expect(await b.release()).toBe(false);
    expect(await env.redis.get(env.keys.leader)).toBe(a.owner);
  });

  it('a lock already ours (a SET whose reply was lost) counts as taken, extended, with a newer number', async () => {
    const a = lockFor('worker-a');
    expect(await a.tryAcquire()).toBe(1);
    await env.redis.pexpire(env.keys.leader, 100);
    expect(await a.tryAcquire()).toBe(2);
    expect(await env.redis.pttl(env.keys.leader)).toBeGreaterThan(TTL - 500);
  });

  it('renew extends only our own lock; release deletes only our own', async () => {
    const a = lockFor('worker-a');
    await a.tryAcquire();
    await env.redis.pexpire(env.keys.leader, 100);
    expect(await a.renew()).toBe(true);
    expect(await env.redis.pttl(env.keys.leader)).toBeGreaterThan(TTL - 500);
    await env.redis.set(env.keys.leader, 'intruder:0');
    expect(await a.renew()).toBe(false);
    expect(await a.release()).toBe(false);
    expect(await env.redis.get(env.keys.leader)).toBe('intruder:0');
    await env.redis.del(env.keys.leader);
    expect(await a.renew()).toBe(false);
  });

  it('two locks on one client share the scripts; the counter is per prefix', async () => {
    const other = createTestRedis();
    try {
      const a = lockFor('worker-a');
      const c = new LeaderLock(env.redis, other.keys.leader, 'worker-c', TTL, other.keys.term);
      expect(await a.tryAcquire()).toBe(1);
      expect(await c.tryAcquire()).toBe(1);
    } finally {
      await other.close();
    }
  });
});
