import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { FEED_STATES, type KalshiFeedState } from '@kalshi-ingestor/client';
import type { GameStatus } from '../prices/market-status';
import { HistogramAccumulator } from './histogram-accumulator';

/** What the scrape-time gauges read (the current term's status, or a standby's). */
export interface ScrapeSource {
  leading: boolean;
  fallbackActive: boolean;
  feed: { connected: number; subscribedMarkets: number };
  queues: { postgres: number };
  mappedMarkets: number;
  /** The leader's feed state and Kalshi's trading flag (absent on a standby: no state, trading assumed on). */
  health?: { state: KalshiFeedState | undefined; tradingActive: boolean };
  /** Games by status in the book (kalshi_games_by_status); all 0 without a term. */
  gamesByStatus: Readonly<Record<GameStatus, number>>;
}

/** Every game status, so each label exists (at 0) from the first scrape. */
export const GAME_STATUSES: readonly GameStatus[] = ['scheduled', 'open', 'paused', 'closed', 'final'];
export const NO_GAMES: Readonly<Record<GameStatus, number>> = { scheduled: 0, open: 0, paused: 0, closed: 0, final: 0 };

const NOTHING: ScrapeSource = {
  leading: false,
  fallbackActive: false,
  feed: { connected: 0, subscribedMarkets: 0 },
  queues: { postgres: 0 },
  mappedMarkets: 0,
  gamesByStatus: NO_GAMES,
};

/**
 * Messages by type, counted in plain integers on the hot path: prom-client's inc() builds and hashes the label
 * set on every call (even on a labels() child). The counts move into kalshi_messages_total at each scrape.
 */
export class MessageCounts {
  private readonly counts = new Map<string, number>();

  count(type: string): void {
    this.counts.set(type, (this.counts.get(type) ?? 0) + 1);
  }

  /** The counts since the last drain, zeroed. */
  *drain(): Generator<[string, number]> {
    for (const [type, count] of this.counts) {
      if (count === 0) continue;
      this.counts.set(type, 0);
      yield [type, count];
    }
  }
}

/** Every metric of the contract (docs/CONTRACT.md "Metrics"), on a registry of its own. */
/** Gauges of the current state are set by prom-client's collect() at each scrape: nothing refreshes them by hand. */
export function createMetrics(source: () => ScrapeSource = () => NOTHING) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const messageCounts = new MessageCounts();
  const atScrape = ({ name, help }: { name: string; help: string }, read: () => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  // Receive time − sending_ts_ms: a few ms on a good day, seconds when Kalshi or our reading lags.
  const exchangeDelayBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
  const exchangeDelayHistogram = new Histogram({
    name: 'kalshi_exchange_delay_seconds',
    help: "Kalshi's sending_ts_ms to our receipt of the frame (clamped at 0), on every frame that carries it",
    buckets: exchangeDelayBuckets,
    registers,
    collect() {
      exchangeDelay.drain();
    },
  });
  /** Observed per frame on the hot path without allocating; moved into the histogram at scrape. */
  const exchangeDelay = new HistogramAccumulator(exchangeDelayHistogram, exchangeDelayBuckets);
  return {
    registry,
    messageCounts,
    exchangeDelay,
    wsConnected: atScrape({ name: 'kalshi_ws_connected', help: 'Kalshi WebSocket connections open and authenticated' }, () => source().feed.connected),
    leader: atScrape({ name: 'kalshi_leader', help: '1 while this replica holds the leader lock' }, () => (source().leading ? 1 : 0)),
    fallbackActive: atScrape({ name: 'kalshi_fallback_active', help: '1 while prices come from REST polling' }, () => (source().fallbackActive ? 1 : 0)),
    priceQueueSize: atScrape({ name: 'kalshi_price_queue_size', help: 'Games waiting for the next Postgres flush' }, () => source().queues.postgres),
    tickerCacheSize: atScrape({ name: 'kalshi_ticker_cache_size', help: 'Tickers in the ticker map' }, () => source().mappedMarkets),
    subscribedMarkets: atScrape({ name: 'kalshi_subscribed_markets', help: 'Markets subscribed on Kalshi sockets' }, () => source().feed.subscribedMarkets),
    feedState: new Gauge({
      name: 'kalshi_feed_state',
      help: 'The feed state this replica reports as leader: 1 for the current state, 0 for the others (all 0 on a standby)',
      labelNames: ['state'] as const,
      registers,
      collect() {
        const current = source().health?.state;
        for (const state of FEED_STATES) this.labels(state).set(state === current ? 1 : 0);
      },
    }),
    exchangeTradingActive: atScrape(
      {
        name: 'kalshi_exchange_trading_active',
        help: "0 while Kalshi's exchange status says trading is paused (as read by the leader); 1 otherwise, before the first read and on a standby",
      },
      () => (source().health?.tradingActive === false ? 0 : 1),
    ),
    gamesByStatus: new Gauge({
      name: 'kalshi_games_by_status',
      help: 'Mapped games by their market status (scheduled, open, paused, closed, final)',
      labelNames: ['status'] as const,
      registers,
      collect() {
        const counts = source().gamesByStatus;
        for (const status of GAME_STATUSES) this.labels(status).set(counts[status]);
      },
    }),
    flushDuration: new Histogram({
      name: 'kalshi_flush_duration_seconds',
      help: 'Duration of one Postgres flush',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    pricesPerFlush: new Histogram({
      name: 'kalshi_prices_per_flush',
      help: 'Games written by one Postgres flush',
      buckets: [1, 5, 10, 50, 100, 250, 500, 1000, 2500, 5000],
      registers,
    }),
    tickToPublish: new Histogram({
      name: 'kalshi_tick_to_publish_seconds',
      help: 'Exchange time of a tick to its publication on Redis',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    wsReconnects: new Counter({ name: 'kalshi_ws_reconnects_total', help: 'Kalshi WebSocket reconnects', registers }),
    messages: new Counter({
      name: 'kalshi_messages_total',
      help: 'Kalshi messages received, by type',
      labelNames: ['type'] as const,
      registers,
      collect() {
        for (const [type, count] of messageCounts.drain()) this.labels(type).inc(count);
      },
    }),
    invalidMessages: new Counter({
      name: 'kalshi_invalid_messages_total',
      help: 'Input dropped as invalid, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    flushFailures: new Counter({ name: 'kalshi_flush_failures_total', help: 'Postgres flushes that failed (batch requeued)', registers }),
    publishFailures: new Counter({ name: 'kalshi_publish_failures_total', help: 'Redis publishes that failed (batch requeued)', registers }),
    reconcileCorrections: new Counter({
      name: 'kalshi_reconcile_corrections_total',
      help: 'Markets whose price REST reconciliation corrected',
      registers,
    }),
    lifecycleEvents: new Counter({
      name: 'kalshi_lifecycle_events_total',
      help: 'market_lifecycle_v2 events received (every market on Kalshi, mapped or not), by event type',
      labelNames: ['event'] as const,
      registers,
    }),
    lifecycleGaps: new Counter({
      name: 'kalshi_lifecycle_gaps_total',
      help: 'Gaps in the lifecycle subscription\'s seq (each makes every mapped market\'s status read again from REST)',
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
