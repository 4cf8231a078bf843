import type { Readiness } from '../http/server';
import type { Role } from '../leader/leadership';
import type { TermStatus } from '../term/term-status';
import type { Check, StoreChecks } from './health-checks';

/**
 * DESIGN "HTTP": a standby is ready while Redis is reachable (or rolling updates deadlock); a leader also needs
 * Postgres and prices flowing (every mapped market subscribed, or REST fallback on with every mapped market read at least once; no mapped markets is fine;
 * nor is a lack of prices while Kalshi's exchange status says trading is paused).
 */
export function readiness(role: Role, term: TermStatus, stores: StoreChecks): Readiness {
  const { redis, postgres } = stores;
  if (role === 'standby' || !term.leading) return { ready: redis.ok, role: 'standby', checks: { redis } };
  const prices = pricesFlowing(term);
  return { ready: postgres.ok && redis.ok && prices.ok, role, checks: { postgres, redis, prices } };
}

function pricesFlowing(term: TermStatus): Check {
  if (!term.mapperLoaded) return { ok: false, detail: 'ticker map not loaded yet' };
  if (term.mappedMarkets === 0) return { ok: true, detail: 'no mapped markets' };
  // Kalshi paused trading (the weekly maintenance): quiet prices and dropped sockets are expected; the leader is doing its job.
  if (term.health?.tradingActive === false) return { ok: true, detail: `exchange paused by Kalshi (${term.health.reason})` };
  if (term.fallbackActive) {
    // Per market: those in fallback must have been read from REST, the others served by the socket.
    const unread = term.fallback?.unread ?? 0;
    const waiting = term.fallback?.waiting ?? 0;
    const markets = term.fallback?.markets ?? term.mappedMarkets;
    if (unread === 0 && waiting === 0) {
      return { ok: true, detail: markets >= term.mappedMarkets ? 'REST fallback active' : `REST fallback active for ${markets} of ${term.mappedMarkets} markets` };
    }
    const sample = term.fallback?.missingSample.join(', ') ?? '';
    const why = unread > 0 ? `${unread} of ${term.mappedMarkets} markets not read yet: ${sample}` : `${waiting} markets neither served by the socket nor polled yet`;
    return { ok: false, detail: `REST fallback active for ${markets} markets; ${why}` };
  }
  const { subscribedMarkets, refusedMarkets, allSubscribed } = term.feed;
  const refused = refusedMarkets > 0 ? `; ${refusedMarkets} refused by Kalshi, retried` : '';
  if (allSubscribed) return { ok: true, detail: `${subscribedMarkets} markets subscribed${refused}` };
  return { ok: false, detail: `${subscribedMarkets} of ${term.mappedMarkets} markets subscribed${refused}` };
}
