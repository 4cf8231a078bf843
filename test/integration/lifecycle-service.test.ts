import { uniqueId } from '../helpers/db';
import { startHarness, type Harness } from '../helpers/harness';
import { waitFor } from '../helpers/wait';

/**
 * The lifecycle channel through the whole service (real Postgres and Redis) against the simulator: what can be seen
 * from outside before the price pipeline shows statuses in its messages (the sink's own tests are with it).
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ start: false });
}, 60_000);
afterAll(async () => h?.close());

async function metricText(): Promise<string> {
  return (await fetch(`${h.app.address}/metrics`)).text();
}

function metric(text: string, name: string): number {
  const match = new RegExp(`^${name.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text);
  return match === null ? 0 : Number(match[1]);
}

describe('the lifecycle subscription of a leader term', () => {
  it('exists within seconds of leading, on the ticker socket, without a market filter; counted; a determined market\'s ticker subscription is deleted', async () => {
    const id = uniqueId('LIFE').toUpperCase();
    const [home, away] = [`${id}-HOME`, `${id}-AWAY`];
    const { gameId } = await h.addGame([
      { ticker: home, side: 'home', yesBid: 0.55, yesAsk: 0.57 },
      { ticker: away, side: 'away', yesBid: 0.42, yesAsk: 0.44 },
    ]);
    const started = Date.now();
    await h.app.start();
    await waitFor(() => h.app.role === 'leader', { message: 'leading' });
    await waitFor(() => h.sim.lifecycleSubscriptions().length === 1, { timeoutMs: 5000, message: 'the lifecycle subscription' });
    expect(Date.now() - started).toBeLessThan(5000);
    // One socket holds both: the ticker subscription and the lifecycle one.
    expect(h.sim.connections()).toEqual([
      { id: expect.any(Number), subscriptions: [{ sid: expect.any(Number), tickers: expect.arrayContaining([home, away]) }, { sid: expect.any(Number), channel: 'market_lifecycle_v2', tickers: [] }] },
    ]);
    const lifecycleCommands = h.sim.commandLog().filter((e) => JSON.stringify(e.cmd).includes('market_lifecycle_v2'));
    expect(lifecycleCommands.map((e) => e.cmd)).toEqual([{ id: expect.any(Number), cmd: 'subscribe', params: { channels: ['market_lifecycle_v2'] } }]);

    await h.waitForMessage(gameId, (m) => m.status === 'open', 5000);
    const pausedAt = Date.now();
    h.sim.marketLife(home, 'pause');
    // The pause reaches consumers as the game's status within a second.
    await h.waitForMessage(gameId, (m) => m.status === 'paused', 1000);
    expect(Date.now() - pausedAt).toBeLessThan(1000);
    h.sim.addMarkets([{ ticker: `${id}-UNMAPPED`, yesBid: 0.1, yesAsk: 0.2, status: 'initialized' }]);
    await waitFor(async () => metric(await metricText(), 'kalshi_lifecycle_events_total{event="created"}') >= 1, { message: 'events counted' });
    expect(metric(await metricText(), 'kalshi_lifecycle_events_total{event="deactivated"}')).toBe(1);
    const seen = h.messagesOf(gameId).length;
    h.sim.marketLife(home, 'resume');
    await waitFor(() => h.messagesOf(gameId).slice(seen).some((m) => m.status === 'open'), { timeoutMs: 1000, message: 'open again within a second' });
    expect(metric(await metricText(), 'kalshi_lifecycle_gaps_total')).toBe(0);

    h.sim.marketLife(away, 'close');
    h.sim.marketLife(away, 'determine', { result: 'no' });
    await waitFor(() => !h.sim.subscribedTickers().has(away), { timeoutMs: 5000, message: 'the determined market unsubscribed' });
    expect(h.sim.subscribedTickers().has(home)).toBe(true);
    // Away determined `no` while home still trades: closed (docs/CONTRACT.md); home determined `yes`: final, home won.
    await h.waitForMessage(gameId, (m) => m.status === 'closed', 1000);
    // A gap is counted, and every mapped market's status read again.
    h.sim.loseLifecycleEvents(1);
    h.sim.lifecycleEvent({ market_ticker: 'KXNOT-OURS', event_type: 'metadata_updated' });
    h.sim.lifecycleEvent({ market_ticker: 'KXNOT-OURS', event_type: 'metadata_updated' });
    await waitFor(async () => metric(await metricText(), 'kalshi_lifecycle_gaps_total') === 1, { message: 'the gap counted' });
    h.sim.marketLife(home, 'determine', { result: 'yes' });
    await h.waitForMessage(gameId, (m) => m.status === 'final' && m.result === 'home' && m.homeTeam.kalshiBuyPrice === 100 && m.awayTeam.kalshiBuyPrice === 0, 1000);
    expect(h.logs.some((l) => l.msg === 'market determined: no longer polled or subscribed' && l.ticker === away)).toBe(true);

    // The service is not ready-blocked by any of this.
    expect((await fetch(`${h.app.address}/readyz`)).status).toBe(200);
  }, 60_000);
});
