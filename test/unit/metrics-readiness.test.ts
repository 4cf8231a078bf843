import { readiness } from '../../src/app/readiness';
import { createMetrics } from '../../src/observability/metrics';
import { NO_FEED, NO_TERM, type TermStatus } from '../../src/term/term-status';

const leading: TermStatus = {
  ...NO_TERM,
  leading: true,
  socketEnabled: true,
  mapperLoaded: true,
  mappedMarkets: 3,
  feed: { ...NO_FEED, connected: 1, subscribedMarkets: 3, desiredMarkets: 3, allSubscribed: true },
  queues: { postgres: 2, redis: 1 },
};
const stores = { postgres: { ok: true }, redis: { ok: true } };

describe('metrics read at scrape', () => {
  it('gauges come from the current state at each scrape; message counts move into the counter', async () => {
    let state: TermStatus = leading;
    const metrics = createMetrics(() => state);
    metrics.messageCounts.count('ticker');
    metrics.messageCounts.count('ticker');
    metrics.messageCounts.count('ok');
    let text = await metrics.registry.metrics();
    expect(text).toMatch(/^kalshi_ws_connected 1$/m);
    expect(text).toMatch(/^kalshi_leader 1$/m);
    expect(text).toMatch(/^kalshi_fallback_active 0$/m);
    expect(text).toMatch(/^kalshi_subscribed_markets 3$/m);
    expect(text).toMatch(/^kalshi_price_queue_size 2$/m);
    expect(text).toMatch(/^kalshi_ticker_cache_size 3$/m);
    expect(text).toMatch(/^kalshi_messages_total\{type="ticker"\} 2$/m);
    state = NO_TERM;
    metrics.messageCounts.count('ticker');
    text = await metrics.registry.metrics();
    expect(text).toMatch(/^kalshi_ws_connected 0$/m);
    expect(text).toMatch(/^kalshi_leader 0$/m);
    expect(text).toMatch(/^kalshi_ticker_cache_size 0$/m);
    expect(text).toMatch(/^kalshi_messages_total\{type="ticker"\} 3$/m);
    expect(text).toMatch(/^kalshi_messages_total\{type="ok"\} 1$/m);
  });
});

describe('readiness', () => {
  it('a standby needs Redis only; a leader needs Postgres, Redis and prices flowing', () => {
    expect(readiness('standby', NO_TERM, { postgres: { ok: false }, redis: { ok: true } })).toMatchObject({ ready: true, role: 'standby' });
    expect(readiness('standby', NO_TERM, { postgres: { ok: true }, redis: { ok: false } }).ready).toBe(false);
    expect(readiness('leader', leading, stores)).toMatchObject({ ready: true, checks: { prices: { detail: '3 markets subscribed' } } });
    expect(readiness('leader', leading, { ...stores, postgres: { ok: false } }).ready).toBe(false);
    expect(readiness('leader', { ...leading, mapperLoaded: false }, stores).checks.prices).toEqual({ ok: false, detail: 'ticker map not loaded yet' });
    const partial = { ...leading, feed: { ...leading.feed, subscribedMarkets: 2, allSubscribed: false } };
    expect(readiness('leader', partial, stores).checks.prices).toEqual({ ok: false, detail: '2 of 3 markets subscribed' });
    expect(readiness('leader', { ...partial, fallbackActive: true }, stores).ready).toBe(true);
    expect(readiness('leader', { ...leading, mappedMarkets: 0 }, stores).ready).toBe(true);
  });
});
