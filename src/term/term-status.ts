import type { FallbackStatus } from '../kalshi/fallback-poller';
import type { FeedStatus } from '../kalshi/feed';
import type { FeedHealthStatus } from '../feed-health/feed-health';
import { NO_GAMES } from '../observability/metrics';
import type { GameStatus } from '../prices/market-status';

export interface LastFlush {
  at: string;
  rows: number;
  games: number;
  ms: number;
}

export interface TermFallbackStatus extends FallbackStatus {
  /** Mapped markets the socket does not serve, not yet long enough (FALLBACK_AFTER_MS) to be polled. */
  waiting: number;
}

/** What readiness, /status and the gauges read of the current term (or of none: a standby). */
export interface TermStatus {
  leading: boolean;
  socketEnabled: boolean;
  feed: FeedStatus;
  fallbackActive: boolean;
  /** The term's REST fallback figures (/status, readiness in fallback); undefined without a term. */
  fallback: TermFallbackStatus | undefined;
  mapperLoaded: boolean;
  mappedMarkets: number;
  queues: { postgres: number; redis: number };
  lastFlush: LastFlush | null;
  lastQuoteAtMs: number;
  /** The feed state and Kalshi's exchange status as this term sees them; undefined without a term. */
  health?: FeedHealthStatus;
  /** The term's games by status (kalshi_games_by_status, /status). */
  gamesByStatus: Readonly<Record<GameStatus, number>>;
}

export const NO_FEED: FeedStatus = {
  connections: [],
  connected: 0,
  subscribedMarkets: 0,
  desiredMarkets: 0,
  refusedMarkets: 0,
  refusedExamples: [],
  allSubscribed: false,
};

/** A standby has no term: nothing flows, nothing is queued. */
export const NO_TERM: TermStatus = {
  leading: false,
  socketEnabled: false,
  feed: NO_FEED,
  fallbackActive: false,
  fallback: undefined,
  mapperLoaded: false,
  mappedMarkets: 0,
  queues: { postgres: 0, redis: 0 },
  lastFlush: null,
  lastQuoteAtMs: 0,
  gamesByStatus: NO_GAMES,
};
