import type { Cluster, Redis, RedisOptions } from 'ioredis';
import type { FeedStatusMessage, PriceMessage } from './contract';

/** Counters of a subscription, since it was opened. */
export interface SubscriptionStats {
  /** Messages from `kalshi:prices:channel` passed to onUpdate. */
  delivered: number;
  /** Messages dropped because they were not JSON or did not match PriceMessageSchema (or FeedStatusMessageSchema). */
  invalid: number;
  /** Messages dropped because they were older (by `timestamp`) than the last state delivered for their game. */
  stale: number;
  /** States read from `kalshi:prices:{gameId}` hashes (after a (re)connect, a stale drop or refresh()) and passed to onUpdate. */
  recovered: number;
}

interface CommonOptions {
  /** Follow only these games. Without it, every game: recovery then SCANs `kalshi:prices:*` (bounded by maxScanKeys). */
  gameIds?: Iterable<string>;
  /** Called with each new state of a game, in order per game; never with an older state than the last one. */
  onUpdate: (message: PriceMessage) => void;
  /**
   * Called with connection and Redis errors (the subscription keeps retrying), and with anything onUpdate throws.
   * Never called for an invalid or stale message: those are dropped and counted in `stats`.
   */
  onError: (error: Error) => void;
  /**
   * Follow the feed's health too: called with the `kalshi:feed` status read on every (re)connect and every
   * `feedRefreshMs`, then with each `kalshi:feed:channel` message: `live`, `rest` (prices up to a poll period
   * old), `down` (prices frozen), `exchange_paused` (Kalshi paused trading: quiet prices are expected), or null
   * when no replica leads (the key has expired). Never the same status twice in a row.
   */
  onFeedState?: (status: FeedStatusMessage | null) => void;
  /** How often `kalshi:feed` is read again to notice it expiring (default 30 000 ms). */
  feedRefreshMs?: number;
  /** The service's REDIS_KEY_PREFIX ('' by default, as in production). */
  keyPrefix?: string;
  /** At most this many price hashes are read by a recovery without a gameIds filter (default 10 000). */
  maxScanKeys?: number;
  /** CLIENT SETNAME of the connections this subscription opens: `<name>:sub` and `<name>:read` (default `kalshi-prices`). */
  connectionName?: string;
}

/** Connect by URL: the subscription opens (and closes) both of its connections. */
export interface UrlSource {
  redisUrl: string;
  /** Options of the connections it opens (TLS, password, timeouts…). */
  redisOptions?: RedisOptions;
  redis?: undefined;
}

/**
 * Use an existing client: it is used for reads and duplicate()d for the subscriber connection (which inherits
 * its options, retryStrategy included). close() closes only the duplicate. It must not have an ioredis `keyPrefix`
 * (pass the service's prefix as `keyPrefix` instead).
 *
 * A client built with ioredis's `sentinels` follows a failover by itself (the sentinels kill the old primary's
 * connections; both reconnect to the new one, and the subscription reads the hashes again). A `Cluster` is used
 * for reads (SCAN on every primary, HGETALL grouped by node); the subscription holds its SUBSCRIBE on one node
 * of it, with the same node options, and moves to another node when that one is lost.
 */
export interface ClientSource {
  redis: Redis | Cluster;
  redisUrl?: undefined;
}

export type SubscribeOptions = CommonOptions & (UrlSource | ClientSource);

export interface KalshiPriceSubscription {
  /**
   * Resolves once the channel is subscribed and the followed games' current state has been read (and delivered);
   * rejects only if the subscription is closed first. Waiting on it is optional.
   */
  readonly ready: Promise<void>;
  /** A copy of the counters. */
  readonly stats: SubscriptionStats;
  /** The last state delivered for a game. */
  latest(gameId: string): PriceMessage | undefined;
  /** The last state delivered for every game seen (bounded, oldest forgotten first). */
  latestAll(): PriceMessage[];
  /**
   * Reads the hashes of these games (default: every followed game) and delivers any newer state; resolves with
   * the number delivered. Rejects on a Redis error.
   */
  refresh(gameIds?: readonly string[]): Promise<number>;
  /** Unsubscribes and closes the connections this subscription opened (never the client it was given). */
  close(): Promise<void>;
}
