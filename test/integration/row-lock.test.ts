import postgres from 'postgres';
import { uniqueId } from '../helpers/db';
import { startHarness, type Harness } from '../helpers/harness';
import { spawnService, type ServiceProcess } from '../helpers/service-process';
import { waitFor } from '../helpers/wait';

// The API (or the CLOB service) holds one game's frontend_games row locked for 20 s while the service runs
// (docs/ARCHITECTURE.md "Nothing lost"): only that game waits, the others are written at every flush, /readyz stays
// 200, at most one of the service's connections waits on a lock, and the held game's latest price lands within a
// flush period of the lock's release.
const HOLD_MS = 20_000;
const FLUSH_MS = 500;

let h: Harness;
let service: ServiceProcess | undefined;

beforeAll(async () => {
  h = await startHarness({ start: false });
});
afterAll(async () => {
  service?.kill('SIGKILL');
  await h?.close();
});

async function awayBuy(gameId: string): Promise<unknown> {
  const data = await h.frontendData(gameId);
  return (data?.awayTeam as Record<string, unknown> | undefined)?.kalshiBuyPrice;
}

it(`a row held locked for ${HOLD_MS / 1000} s delays only its game; /readyz stays 200; at most one connection waits`, async () => {
  const held = uniqueId('KX-HELD').toUpperCase();
  const free = uniqueId('KX-FREE').toUpperCase();
  const { gameId: heldGame } = await h.addGame([{ ticker: held, side: 'away', yesBid: 0.4, yesAsk: 0.41 }]);
  const { gameId: freeGame } = await h.addGame([{ ticker: free, side: 'away', yesBid: 0.5, yesAsk: 0.51 }]);
  const workerId = uniqueId('worker');
  service = spawnService({ ...h.env, WORKER_ID: workerId, FLUSH_INTERVAL_MS: String(FLUSH_MS) });
  const address = await service.address();
  await waitFor(async () => (await fetch(`${address}/readyz`)).status === 200, { timeoutMs: 15_000, message: 'the leader Ready' });
  await waitFor(async () => (await awayBuy(heldGame)) === 41 && (await awayBuy(freeGame)) === 51, { timeoutMs: 10_000, message: 'first prices in Postgres' });

  // Another writer locks the held game's row, as the API does in a long transaction.
  const api = postgres(h.db.url, { max: 1, onnotice: () => undefined });
  const tx = await api.reserve();
  await tx`BEGIN`;
  await tx`SELECT 1 FROM frontend_games WHERE live_game_id = ${heldGame} FOR UPDATE`;
  const lockedAt = Date.now();

  const observer = postgres(h.db.url, { max: 1, onnotice: () => undefined });
  const readiness: number[] = [];
  let maxLockWaiters = 0;
  let freeDelays: number[] = [];
  try {
    let cents = 52;
    while (Date.now() - lockedAt < HOLD_MS) {
      const tickAt = Date.now();
      h.sim.setQuote(held, { yesBid: (cents - 10) / 100, yesAsk: (cents - 9) / 100 });
      h.sim.setQuote(free, { yesBid: (cents - 1) / 100, yesAsk: cents / 100 });
      const expected = cents;
      // The free game's price lands at the next flush while the other row stays locked.
      const landed = waitFor(async () => (await awayBuy(freeGame)) === expected, { timeoutMs: 4 * FLUSH_MS + 2000, message: `free game at ${expected}` });
      while (Date.now() - tickAt < 2 * FLUSH_MS) {
        readiness.push((await fetch(`${address}/readyz`)).status);
        const [{ waiting }] = await observer<{ waiting: number }[]>`
          SELECT count(*)::int AS waiting FROM pg_stat_activity
           WHERE application_name LIKE ${`%${workerId}`} AND wait_event_type = 'Lock'`;
        maxLockWaiters = Math.max(maxLockWaiters, waiting);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await landed;
      freeDelays = [...freeDelays, Date.now() - tickAt];
      cents += 1;
    }
    // Held all along: its row still has the price from before the lock.
    expect(await awayBuy(heldGame)).toBe(41);
  } finally {
    await tx`ROLLBACK`;
    tx.release();
    await api.end({ timeout: 5 });
    await observer.end({ timeout: 5 });
  }
  const releasedAt = Date.now();
  const lastHeld = ((await awayBuy(freeGame)) as number) - 9; // its ask is 9 cents under the free one
  await waitFor(async () => (await awayBuy(heldGame)) === lastHeld, { timeoutMs: FLUSH_MS + 2000, message: 'the held game written after the release' });
  const heldDelay = Date.now() - releasedAt;

  expect(readiness.length).toBeGreaterThan(20);
  expect(readiness.every((status) => status === 200)).toBe(true);
  expect(maxLockWaiters).toBeLessThanOrEqual(1);
  process.stdout.write(
    `row lock ${HOLD_MS} ms: free game landed within ${Math.max(...freeDelays)} ms of each tick (${freeDelays.length} ticks), ` +
      `held game written ${heldDelay} ms after the release, /readyz ${readiness.length}×200, max lock waiters ${maxLockWaiters}\n`,
  );
}, 60_000);
