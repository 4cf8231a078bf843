import { fromFeedHash, type FeedHash, type FeedStatusMessage } from '@kalshi-ingestor/client';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../sinks/redis-keys';
import type { FeedHealth } from './feed-state';

/** The contract's TTL of `kalshi:feed`: absent a minute after the last leader stopped renewing it. */
export const FEED_KEY_TTL_MS = 60_000;
export const WRITE_FEED_COMMAND = 'kalshiWriteFeed';

/**
 * KEYS[1] = kalshi:feed. ARGV: 1 state, 2 since, 3 reason, 4 leader, 5 updatedAt, 6 TTL ms, 7 channel,
 * 8 message ('' = write only). The hash is replaced whole (no field of an older leader survives), its TTL set, and
 * the message published in the same step: a consumer that reads the hash after the message never sees an older state.
 * One key, so on a cluster it runs on that key's node; plain PUBLISH reaches subscribers on every node.
 */
export const WRITE_FEED_SCRIPT = `
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'since', ARGV[2], 'reason', ARGV[3], 'leader', ARGV[4], 'updatedAt', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
if ARGV[8] ~= '' then
  redis.call('PUBLISH', ARGV[7], ARGV[8])
end
return 1
`;

type WithScript = RedisClient & { [WRITE_FEED_COMMAND]: (key: string, ...argv: string[]) => Promise<unknown> };

/** Writes `kalshi:feed` (and publishes on `kalshi:feed:channel`) for one leader. */
export class FeedStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Pick<RedisKeys, 'feed' | 'feedChannel'>,
    private readonly leader: string,
  ) {
    if (typeof (redis as unknown as Record<string, unknown>)[WRITE_FEED_COMMAND] !== 'function') {
      redis.defineCommand(WRITE_FEED_COMMAND, { numberOfKeys: 1, lua: WRITE_FEED_SCRIPT });
    }
  }

  /** Rewrites the hash; with `announce`, publishes the state on the channel too (a change of state). */
  async write(health: FeedHealth, announce: boolean, nowMs: number): Promise<void> {
    const hash: FeedHash = { state: health.state, since: String(health.since), reason: health.reason, leader: this.leader, updatedAt: String(nowMs) };
    const message: FeedStatusMessage = { type: 'kalshi_feed_status', state: health.state, since: health.since, reason: health.reason, leader: this.leader };
    await (this.redis as WithScript)[WRITE_FEED_COMMAND](
      this.keys.feed,
      hash.state,
      hash.since,
      hash.reason,
      hash.leader,
      hash.updatedAt,
      String(FEED_KEY_TTL_MS),
      this.keys.feedChannel,
      announce ? JSON.stringify(message) : '',
    );
  }

  /** What the key says now (the previous leader's last word, at the start of a term), or undefined. */
  async read(): Promise<FeedHealth | undefined> {
    const status = fromFeedHash(await this.redis.hgetall(this.keys.feed));
    return status === null ? undefined : { state: status.state, since: status.since, reason: status.reason };
  }
}
