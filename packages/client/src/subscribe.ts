import { openConnections } from './connections';
import { LatestStates } from './latest-states';
import { readPriceStates, scanPricedGameIds } from './read-hashes';
import type { KalshiPriceSubscription, SubscribeOptions, SubscriptionStats } from './types';
import { parsePriceMessage } from './validate';
import { redisKeys } from './redis-keys';
import type { PriceMessage } from './contract';
import { FeedFollower } from './feed-follower';

const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30_000;

/**
 * Subscribes to `kalshi:prices:channel` and delivers every game's Kalshi prices to onUpdate: validated, in order
 * per game, and complete across disconnects (on every (re)connect the subscriber resubscribes, then the games'
 * hashes are read and any newer state is delivered). See SubscribeOptions and KalshiPriceSubscription.
 */
export function subscribeKalshiPrices(options: SubscribeOptions): KalshiPriceSubscription {
  if (typeof options.onUpdate !== 'function' || typeof options.onError !== 'function') {
    throw new TypeError('subscribeKalshiPrices: onUpdate and onError are required functions');
  }
  const keys = redisKeys(options.keyPrefix ?? '');
  const follow = options.gameIds === undefined ? undefined : new Set(options.gameIds);
  const maxScanKeys = options.maxScanKeys ?? 10_000;
  const connections = openConnections(options, options.connectionName ?? 'kalshi-prices');
  const { reader, subscriber } = connections;

  const feed =
    options.onFeedState === undefined
      ? undefined
      : new FeedFollower(reader, keys, options.onFeedState, (error) => report(error), options.feedRefreshMs ?? 30_000);
  const latest = new LatestStates(follow === undefined ? 10_000 : Math.max(follow.size, 1));
  const stats: SubscriptionStats = { delivered: 0, invalid: 0, stale: 0, recovered: 0 };
  let closed = false;
  let generation = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let retryDelay = RETRY_MIN_MS;

  let markReady: () => void = () => undefined;
  let failReady: (error: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  ready.catch(() => undefined); // a caller that never awaits it must not see an unhandled rejection

  const report = (error: unknown): void => {
    if (!closed) options.onError(error instanceof Error ? error : new Error(String(error)));
  };
  const deliver = (message: PriceMessage): void => {
    try {
      options.onUpdate(message);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      report(new Error(`onUpdate threw for game ${message.gameId}: ${reason}`, { cause: error }));
    }
  };

  /** Reads these games' hashes and delivers what is newer than what was delivered. */
  const recover = async (gameIds: readonly string[]): Promise<number> => {
    const versions = new Map(gameIds.map((id) => [id, latest.version(id)]));
    const states = await readPriceStates(reader, keys, gameIds);
    let count = 0;
    for (const state of states) {
      if (closed || !latest.acceptStored(state, versions.get(state.gameId) ?? 0)) continue;
      stats.recovered += 1;
      count += 1;
      deliver(state);
    }
    return count;
  };
  const followedIds = async (): Promise<string[]> =>
    follow !== undefined ? [...follow] : scanPricedGameIds(reader, keys, maxScanKeys);

  /** Subscribe (a round trip: the channel is live before the hashes are read), then recover every followed game. */
  const resync = async (): Promise<void> => {
    const run = ++generation;
    clearTimeout(retryTimer);
    try {
      await subscriber.subscribe(...(feed === undefined ? [keys.channel] : [keys.channel, feed.channel]));
      if (closed || run !== generation) return;
      await feed?.read();
      if (closed || run !== generation) return;
      await recover(await followedIds());
      retryDelay = RETRY_MIN_MS;
      markReady();
    } catch (error) {
      if (closed || run !== generation) return;
      report(error);
      // A subscriber that is down resyncs on its next 'ready'; one that is up retries (the reads failed).
      if (subscriber.status === 'ready') {
        retryTimer = setTimeout(() => void resync(), retryDelay);
        retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
      }
    }
  };

  // A live message dropped as stale may hide a newer state of its game (see LatestStates): check the hash.
  const pendingChecks = new Set<string>();
  let checking = false;
  const checkLater = (gameId: string): void => {
    pendingChecks.add(gameId);
    if (checking) return;
    checking = true;
    void (async () => {
      try {
        while (pendingChecks.size > 0 && !closed) {
          const ids = [...pendingChecks];
          pendingChecks.clear();
          await recover(ids);
        }
      } catch (error) {
        report(error);
      } finally {
        pendingChecks.clear();
        checking = false;
      }
    })();
  };

  subscriber.on('message', (channel: string, text: string) => {
    if (closed) return;
    if (channel === feed?.channel) {
      if (!feed.onMessage(text)) stats.invalid += 1;
      return;
    }
    if (channel !== keys.channel) return;
    const message = parsePriceMessage(text);
    if (message === null) {
      stats.invalid += 1;
      return;
    }
    if (follow !== undefined && !follow.has(message.gameId)) return;
    if (!latest.acceptLive(message)) {
      stats.stale += 1;
      checkLater(message.gameId);
      return;
    }
    stats.delivered += 1;
    deliver(message);
  });
  subscriber.on('ready', () => {
    if (!closed) void resync();
  });
  for (const source of connections.errorSources) source.on('error', report);
  connections.connectSubscriber().catch(report);

  let closing: Promise<void> | undefined;
  return {
    ready,
    get stats() {
      return { ...stats };
    },
    latest: (gameId) => latest.get(gameId),
    latestAll: () => latest.all(),
    async refresh(gameIds) {
      const ids = gameIds === undefined ? await followedIds() : gameIds.filter((id) => follow === undefined || follow.has(id));
      return closed ? 0 : recover(ids);
    },
    close() {
      if (closing === undefined) {
        closed = true;
        clearTimeout(retryTimer);
        feed?.close();
        failReady(new Error('subscribeKalshiPrices: closed before it was ready'));
        closing = connections.close();
      }
      return closing;
    },
  };
}
