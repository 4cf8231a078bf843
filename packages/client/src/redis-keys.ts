/** The Redis keys and channel of the contract (docs/CONTRACT.md "Redis"), under a prefix ('' in production). */
export interface RedisKeys {
  /** String: `<WORKER_ID>:<random>` of the leader. */
  readonly leader: string;
  /** String counter: INCR by each replica the moment it takes the lock; the term's fencing token. */
  readonly term: string;
  /** String: JSON `{ticker: gameId}`. */
  readonly tickerMap: string;
  /** Hash of a game's latest prices. */
  readonly prices: (gameId: string) => string;
  /** Pub/sub channel of the price messages. */
  readonly channel: string;
  /** Hash of the feed's health as the leader sees it (state, since, reason, leader, updatedAt); absent = no leader. */
  readonly feed: string;
  /** Pub/sub channel of the feed state's changes (`kalshi_feed_status` messages). */
  readonly feedChannel: string;
}

export function redisKeys(prefix: string): RedisKeys {
  return {
    leader: `${prefix}kalshi:websocket:leader`,
    term: `${prefix}kalshi:websocket:term`,
    tickerMap: `${prefix}kalshi:ticker_map`,
    prices: (gameId: string) => `${prefix}kalshi:prices:${gameId}`,
    channel: `${prefix}kalshi:prices:channel`,
    feed: `${prefix}kalshi:feed`,
    feedChannel: `${prefix}kalshi:feed:channel`,
  };
}
