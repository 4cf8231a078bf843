import { uniqueId } from '../helpers/db';
import { startHarness, type Harness } from '../helpers/harness';
import { spawnService } from '../helpers/service-process';
import { TcpProxy } from '../helpers/tcp-proxy';
import { waitFor } from '../helpers/wait';

/**
 * docs/ARCHITECTURE.md, "Nothing lost": the last flush at shutdown is retried until its deadline, not tried once.
 * Postgres (behind a TCP proxy) is away for 3 s around SIGTERM, with a 10 s budget: the service exits 0 and the last
 * price is in Postgres.
 */

let h: Harness;
let proxy: TcpProxy;

beforeAll(async () => {
  h = await startHarness({ start: false });
  proxy = new TcpProxy('127.0.0.1', 5432);
  await proxy.start();
});

afterAll(async () => {
  await proxy?.close();
  await h?.close();
});

it('SIGTERM while Postgres is away for 3 s of a 10 s budget: exit 0, the last price in Postgres', async () => {
  const home = uniqueId('KX-AWAY').toUpperCase();
  const { gameId } = await h.addGame([{ ticker: home, side: 'home', yesBid: 0.5, yesAsk: 0.52 }]);
  const service = spawnService({
    ...h.env,
    DATABASE_URL: proxy.url(h.env.DATABASE_URL),
    // Only the shutdown flush can write the tick; a lock ttl longer than the outage keeps the lease valid.
    FLUSH_INTERVAL_MS: '600000',
    FLUSH_OFFSET_MS: '0',
    SHUTDOWN_TIMEOUT_MS: '10000',
    LEADER_LOCK_TTL_MS: '30000',
  });
  try {
    await waitFor(() => h.sim.subscribedTickers().has(home), { timeoutMs: 10_000, message: 'the service subscribed' });
    const tsMs = Date.now();
    h.sim.setQuote(home, { yesBid: 0.61, yesAsk: 0.63, tsMs });
    await h.waitForMessage(gameId, (m) => m.timestamp === tsMs);

    proxy.cut();
    const signalledAt = Date.now();
    service.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    proxy.restore();
    const exit = await service.exited;
    const tookMs = Date.now() - signalledAt;
    process.stdout.write(`SIGTERM with Postgres away 3 s: exit ${exit.code} after ${tookMs} ms (SHUTDOWN_TIMEOUT_MS 10000)\n`);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(tookMs).toBeLessThan(10_000);
    expect(await h.frontendData(gameId)).toMatchObject({ homeTeam: { kalshiBuyPrice: 63, kalshiSellPrice: 61 }, kalshiUpdatedAt: tsMs });
    expect(service.logs.some((l) => l.msg === 'Postgres flush failed; the batch is queued again')).toBe(true);
    expect(service.logs.some((l) => l.msg === 'leader lock released' && l.released === true)).toBe(true);
  } finally {
    service.kill('SIGKILL');
  }
}, 30_000);
