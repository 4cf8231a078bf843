import type { Cluster, Redis } from 'ioredis';
import { fromFeedHash, parseFeedStatusMessage, type FeedStatusMessage } from './contract';
import type { RedisKeys } from './redis-keys';

/**
 * Follows the feed's health (`kalshi:feed` and `kalshi:feed:channel`) for one subscription: the hash is read on
 * every (re)connect and every `refreshMs` (the key expiring is how "no leader" shows: no message says it), and each
 * channel message is delivered as it comes. `onFeedState` gets each new status, or null while there is no feed;
 * never the same status twice in a row, and never a read older than a message delivered meanwhile.
 */
export class FeedFollower {
  private last: string | undefined;
  /** Counts channel messages: a read that overlapped one is older than it, and dropped. */
  private messages = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly reader: Redis | Cluster,
    private readonly keys: Pick<RedisKeys, 'feed' | 'feedChannel'>,
    private readonly onFeedState: (status: FeedStatusMessage | null) => void,
    private readonly report: (error: unknown) => void,
    private readonly refreshMs: number,
  ) {}

  get channel(): string {
    return this.keys.feedChannel;
  }

  /** A message on the feed channel; false when it is not a valid feed status (dropped, counted by the caller). */
  onMessage(text: string): boolean {
    const status = parseFeedStatusMessage(text);
    if (status === null) return false;
    this.messages += 1;
    this.deliver(status);
    return true;
  }

  /** Reads the hash (after the channel is subscribed) and delivers it; rejects on a Redis error. */
  async read(): Promise<void> {
    const before = this.messages;
    const hash = await this.reader.hgetall(this.keys.feed);
    if (this.closed || this.messages !== before) return;
    this.deliver(fromFeedHash(hash));
    this.schedule();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (this.closed) return;
    this.timer = setTimeout(() => void this.read().catch(this.report), this.refreshMs);
    this.timer.unref();
  }

  private deliver(status: FeedStatusMessage | null): void {
    const key = JSON.stringify(status);
    if (key === this.last || this.closed) return;
    this.last = key;
    try {
      this.onFeedState(status);
    } catch (error) {
      this.report(new Error(`onFeedState threw: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
    }
  }
}
