import type { FeedStatus } from '../kalshi/feed';
import type { Role } from '../leader/leadership';
import type { TermStatus } from '../term/term-status';

/** The /status body (DESIGN "HTTP"): no URL, key or other secret ever goes in here. */
export function statusBody(role: Role, workerId: string, wsEnabled: boolean, term: TermStatus, now = Date.now()): Record<string, unknown> {
  return {
    role,
    workerId,
    socket: { enabled: wsEnabled, state: term.leading && term.socketEnabled ? socketState(term.feed) : 'closed' },
    subscribedMarkets: term.feed.subscribedMarkets,
    refusedMarkets: { count: term.feed.refusedMarkets, examples: term.feed.refusedExamples },
    connections: term.feed.connections,
    queues: term.queues,
    lastFlush: term.lastFlush,
    lastMessageAgeMs: term.lastQuoteAtMs === 0 ? null : now - term.lastQuoteAtMs,
    fallback: term.fallback ?? { active: false },
    tickerMapSize: term.mappedMarkets,
    feedState:
      term.health?.state === undefined
        ? null
        : { state: term.health.state, since: new Date(term.health.since ?? 0).toISOString(), reason: term.health.reason },
    exchange:
      term.health === undefined
        ? null
        : { tradingActive: term.health.tradingActive, resumesAt: term.health.resumesAt, lastReadAt: term.health.exchangeReadAt },
    gamesByStatus: term.gamesByStatus,
  };
}

function socketState(feed: FeedStatus): string {
  if (feed.connections.length === 0) return 'idle';
  if (feed.connected === feed.connections.length) return 'open';
  return feed.connected > 0 ? 'partial' : 'connecting';
}
