import { randomBytes } from 'node:crypto';
import calculateSlot from 'cluster-key-slot';
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

/**
 * KEYS[1] = the lock, KEYS[2] = the term counter (same node); ARGV: 1 our value, 2 ttl ms. Takes the lock (SET NX PX)
 * or finds it already ours (a SET whose reply was lost) and extends it, then INCRs the counter: the new term's
 * number. Returns nil when another replica holds the lock. Atomic: no replica ever holds the lock without a term
 * number newer than every term before it.
 */
const ACQUIRE_SCRIPT = `
if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then
  if redis.call('GET', KEYS[1]) ~= ARGV[1] then return false end
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return redis.call('INCR', KEYS[2])`;

type LockRedis = RedisClient & {
  kalshiRenewLock(key: string, owner: string, ttlMs: number): Promise<number>;
  kalshiReleaseLock(key: string, owner: string): Promise<number>;
  kalshiAcquireLock(key: string, termKey: string, owner: string, ttlMs: number): Promise<number | null>;
};

/**
 * The leader lock on `kalshi:websocket:leader`, value `<WORKER_ID>:<random>` (one value per process, so a
 * lock whose SET reply was lost can still be recognised as ours), and the term counter `kalshi:websocket:term`
 * INCRed at each acquisition: the fencing token of the term that acquisition starts. Give it a Redis connection of
 * its own with the offline queue off and a short command timeout, so a renewal fails fast instead of waiting in a
 * queue while the lock runs out.
 *
 * Where the lock and the counter live on one node (a single node, Sentinel, or a cluster slot shared through a
 * hash tag in REDIS_KEY_PREFIX) one script takes the lock and INCRs the counter. On a cluster where they do not, the
 * INCR follows the SET: a crash between the two leaves a lock with no term, which no one writes with and which
 * expires by its ttl; an INCR that fails is tried again at the next attempt, which finds the lock ours.
 *
 * Behind Sentinel the lock is only as safe as asynchronous replication: a failover can lose a SET or PEXPIRE the old
 * primary had not sent on yet, so a standby may take the lock while the old leader still believes it holds it. That
 * overlap lasts until the old leader's next renewal finds the key gone or another owner (≤ ttl/3 after it
 * reconnects), at most one ttl; the price scripts check the lock's value, Postgres checks the term number, and the
 * data guards (`kalshiUpdatedAt`, the hash `timestamp`) never let an older price overwrite a newer one
 * (docs/DEPLOYING.md).
 */
export class LeaderLock {
  private readonly ownerValue: string;
  private readonly redis: LockRedis;
  private readonly oneNode: boolean;

  constructor(
    redis: RedisClient,
    private readonly key: string,
    workerId: string,
    private readonly ttlMs: number,
    private readonly termKey: string,
  ) {
    if (typeof (redis as unknown as Partial<LockRedis>).kalshiRenewLock !== 'function') {
      redis.defineCommand('kalshiRenewLock', { numberOfKeys: 1, lua: RENEW_SCRIPT });
      redis.defineCommand('kalshiReleaseLock', { numberOfKeys: 1, lua: RELEASE_SCRIPT });
      redis.defineCommand('kalshiAcquireLock', { numberOfKeys: 2, lua: ACQUIRE_SCRIPT });
    }
    this.redis = redis as LockRedis;
    this.ownerValue = `${workerId}:${randomBytes(8).toString('hex')}`;
    this.oneNode = !redis.isCluster || calculateSlot(key) === calculateSlot(termKey);
  }

  /** The value this replica writes when it holds the lock. */
  get owner(): string {
    return this.ownerValue;
  }

  /**
   * Takes the lock: the new term's number when this replica now holds it, undefined when another one does. A lock
   * already ours (a SET whose reply timed out but ran) counts as taken, with a new number: a lost reply never locks
   * every replica out for a whole ttl. Throws when Redis cannot be reached.
   */
  async tryAcquire(): Promise<number | undefined> {
    if (this.oneNode) {
      let term: number | null;
      try {
        term = await this.redis.kalshiAcquireLock(this.key, this.termKey, this.ownerValue, this.ttlMs);
      } catch (error) {
        // The script may have run: one more try tells (it finds the lock ours and numbers a newer term).
        term = await this.redis.kalshiAcquireLock(this.key, this.termKey, this.ownerValue, this.ttlMs).catch(() => {
          throw error;
        });
      }
      return term ?? undefined;
    }
    let taken: boolean;
    try {
      taken = (await this.redis.set(this.key, this.ownerValue, 'PX', this.ttlMs, 'NX')) === 'OK' || (await this.renew());
    } catch (error) {
      const ours = await this.renew().catch(() => undefined);
      if (ours === undefined) throw error;
      taken = ours;
    }
    if (!taken) return undefined;
    // Holding the lock without a number: a failed INCR throws, and the next attempt finds the lock ours.
    return this.redis.incr(this.termKey);
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
