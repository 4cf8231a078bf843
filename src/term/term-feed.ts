import type { FeedStatus, KalshiFeed } from '../kalshi/feed';
import { NO_FEED } from './term-status';

/** The term's sockets: Kalshi's feed, or nothing at all when KALSHI_WS_ENABLED=false (REST only). */
export interface TermFeed {
  readonly enabled: boolean;
  /** The market is subscribed on an open connection (or refused and awaiting its retry): the socket serves it. */
  serves(ticker: string): boolean;
  setMarkets(tickers: ReadonlySet<string>): void;
  resubscribe(tickers: readonly string[]): void;
  /** Stops reading frames at once: nothing new enters the pipeline. */
  pause(): void;
  stop(): Promise<void>;
  status(): FeedStatus;
}

export function socketFeed(feed: KalshiFeed): TermFeed {
  return {
    enabled: true,
    serves: (ticker) => feed.serves(ticker),
    setMarkets: (tickers) => feed.setMarkets(tickers),
    resubscribe: (tickers) => feed.resubscribe(tickers),
    pause: () => feed.pause(),
    stop: () => feed.stop(),
    status: () => feed.status(),
  };
}

export const NO_SOCKET: TermFeed = {
  enabled: false,
  serves: () => false,
  setMarkets: () => undefined,
  resubscribe: () => undefined,
  pause: () => undefined,
  stop: () => Promise.resolve(),
  status: () => NO_FEED,
};
