import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../redis/connect';

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

type LockRedis = RedisClient & {
  kalshiRenewLock(key: string, owner: string, ttlMs: number): Promise<number>;
  kalshiReleaseLock(key: string, owner: string): Promise<number>;
};

/**
 * The leader lock on `kalshi:websocket:leader`, value `<WORKER_ID>:<random>` (one value per process, so a
 * lock whose SET reply was lost can still be recognised as ours). Give it a Redis connection of its own
 * with the offline queue off and a short command timeout, so a renewal fails fast instead of waiting in a
 * queue while the lock runs out.
 *
 * One key, and the scripts touch only it: on a cluster they run on that key's node. Behind Sentinel the lock
 * is only as safe as asynchronous replication: a failover can lose a SET or PEXPIRE the old primary had not
 * sent on yet, so a standby may take the lock while the old leader still believes it holds it. That overlap
 * lasts until the old leader's next renewal finds the key gone or another owner (≤ ttl/3 after it reconnects),
 * at most one ttl; the fence is the data itself: `kalshiUpdatedAt` in Postgres and the hash `timestamp` in Redis
 * never let an older price overwrite a newer one (docs/DEPLOYING.md).
 */
export class LeaderLock {
  private readonly ownerValue: string;
  private readonly redis: LockRedis;

  constructor(
    redis: RedisClient,
    private readonly key: string,
    workerId: string,
    private readonly ttlMs: number,
  ) {
    if (typeof (redis as unknown as Partial<LockRedis>).kalshiRenewLock !== 'function') {
      redis.defineCommand('kalshiRenewLock', { numberOfKeys: 1, lua: RENEW_SCRIPT });
      redis.defineCommand('kalshiReleaseLock', { numberOfKeys: 1, lua: RELEASE_SCRIPT });
    }
    this.redis = redis as LockRedis;
    this.ownerValue = `${workerId}:${randomBytes(8).toString('hex')}`;
  }

  /** The value this replica writes when it holds the lock. */
  get owner(): string {
    return this.ownerValue;
  }

  /**
   * SET NX PX: true when this replica now holds the lock. A SET whose reply timed out may still have run, and
   * a later SET NX then finds the key taken by our own value: in both cases a compare-and-pexpire decides, so
   * a lost reply never locks every replica out for a whole ttl. Throws when Redis cannot be reached.
   */
  async tryAcquire(): Promise<boolean> {
    let reply: string | null;
    try {
      reply = await this.redis.set(this.key, this.ownerValue, 'PX', this.ttlMs, 'NX');
    } catch (error) {
      const ours = await this.renew().catch(() => undefined);
      if (ours === undefined) throw error;
      return ours;
    }
    return reply === 'OK' || (await this.renew());
  }

  /** Compare-and-pexpire: true while the lock is still ours. Throws when Redis cannot be reached. */
  async renew(): Promise<boolean> {
    return (await this.redis.kalshiRenewLock(this.key, this.ownerValue, this.ttlMs)) === 1;
  }

  /** Compare-and-delete: true when our lock was deleted; a lock that is no longer ours is left alone. */
  async release(): Promise<boolean> {
    return (await this.redis.kalshiReleaseLock(this.key, this.ownerValue)) === 1;
  }
}
