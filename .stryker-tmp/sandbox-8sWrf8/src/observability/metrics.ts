// @ts-nocheck
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Every metric of the contract (DESIGN.md "Metrics"), on a registry of its own. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    wsConnected: new Gauge({ name: 'kalshi_ws_connected', help: 'Kalshi WebSocket connections open and authenticated', registers }),
    leader: new Gauge({ name: 'kalshi_leader', help: '1 while this replica holds the leader lock', registers }),
    fallbackActive: new Gauge({ name: 'kalshi_fallback_active', help: '1 while prices come from REST polling', registers }),
    priceQueueSize: new Gauge({ name: 'kalshi_price_queue_size', help: 'Games waiting for the next Postgres flush', registers }),
    tickerCacheSize: new Gauge({ name: 'kalshi_ticker_cache_size', help: 'Tickers in the ticker map', registers }),
    subscribedMarkets: new Gauge({ name: 'kalshi_subscribed_markets', help: 'Markets subscribed on Kalshi sockets', registers }),
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
    messages: new Counter({ name: 'kalshi_messages_total', help: 'Kalshi messages received, by type', labelNames: ['type'] as const, registers }),
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
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
