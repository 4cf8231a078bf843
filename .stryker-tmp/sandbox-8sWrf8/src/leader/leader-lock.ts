// @ts-nocheck
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Extends the lock only while it still holds our value. */
const RENEW_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;

/** Deletes the lock only while it still holds our value: never someone else's. */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

type LockRedis = Redis & {
  kalshiRenewLock(key: string, owner: string, ttlMs: number): Promise<number>;
  kalshiReleaseLock(key: string, owner: string): Promise<number>;
};

/**
 * The leader lock on `kalshi:websocket:leader`, value `<WORKER_ID>:<random>`. Give it a Redis
 * connection of its own with the offline queue off and a short command timeout, so a renewal
 * fails fast instead of waiting in a queue while the lock runs out.
 */
export class LeaderLock {
  private ownerValue: string;
  private readonly redis: LockRedis;

  constructor(
    redis: Redis,
    private readonly key: string,
    private readonly workerId: string,
    private readonly ttlMs: number,
  ) {
    if (typeof (redis as unknown as Partial<LockRedis>).kalshiRenewLock !== 'function') {
      redis.defineCommand('kalshiRenewLock', { numberOfKeys: 1, lua: RENEW_SCRIPT });
      redis.defineCommand('kalshiReleaseLock', { numberOfKeys: 1, lua: RELEASE_SCRIPT });
    }
    this.redis = redis as LockRedis;
    this.ownerValue = this.freshValue();
  }

  /** The value this replica writes when it holds the lock. */
  get owner(): string {
    return this.ownerValue;
  }

  /** SET NX PX: true when this replica now holds the lock. */
  async tryAcquire(): Promise<boolean> {
    this.ownerValue = this.freshValue();
    const reply = await this.redis.set(this.key, this.ownerValue, 'PX', this.ttlMs, 'NX');
    return reply === 'OK';
  }

  /** Compare-and-pexpire: true while the lock is still ours. Throws when Redis cannot be reached. */
  async renew(): Promise<boolean> {
    return (await this.redis.kalshiRenewLock(this.key, this.ownerValue, this.ttlMs)) === 1;
  }

  /** Compare-and-delete: true when our lock was deleted; a lock that is no longer ours is left alone. */
  async release(): Promise<boolean> {
    return (await this.redis.kalshiReleaseLock(this.key, this.ownerValue)) === 1;
  }

  private freshValue(): string {
    return `${this.workerId}:${randomBytes(8).toString('hex')}`;
  }
}
