import { uniqueId } from '../helpers/db';
import { startHarness, type Harness } from '../helpers/harness';
import { RestHold } from '../helpers/rest-hold';
import { spawnService, type ServiceProcess } from '../helpers/service-process';
import { TcpProxy } from '../helpers/tcp-proxy';
import { waitFor } from '../helpers/wait';

/** Leader terms, from outside: the built service as a child process against the simulator, Postgres and Redis. */

let h: Harness;
let gate: RestHold;
const children: ServiceProcess[] = [];

beforeAll(async () => {
  h = await startHarness({ start: false });
  gate = new RestHold(h.sim.restUrl);
  await gate.start();
});

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  gate.reset();
  await h.redis.redis.del(h.redis.keys.leader);
});

afterAll(async () => {
  await gate?.close();
  await h?.close();
});

function spawn(env: Record<string, string>): ServiceProcess {
  const child = spawnService({ ...h.env, WORKER_ID: uniqueId('replica'), KALSHI_REST_URL: gate.url, ...env });
  children.push(child);
  return child;
}

const homeBuy = (data: Record<string, unknown> | undefined) => (data?.homeTeam as { kalshiBuyPrice?: number } | undefined)?.kalshiBuyPrice;

async function updatedAt(gameId: string): Promise<string> {
  const rows = await h.db.sql<{ at: string }[]>`select updated_at::text as at from frontend_games where live_game_id = ${gameId}`;
  return rows[0]?.at ?? '';
}

async function roleOf(service: ServiceProcess): Promise<string | undefined> {
  try {
    return (await service.get('/status')).body.role as string;
  } catch {
    return undefined;
  }
}

describe('a leader deposed with a REST call in flight', () => {
  it('writes nothing more: the late REST answer reaches neither Postgres nor Redis', async () => {
    const ticker = uniqueId('KX-DEPOSE').toUpperCase();
    const { gameId } = await h.addGame([{ ticker, side: 'home', yesBid: 0.4, yesAsk: 0.42 }]);
    const service = spawn({
      KALSHI_WS_ENABLED: 'false',
      KALSHI_API_KEY_ID: '',
      KALSHI_PRIVATE_KEY: '',
      FALLBACK_POLL_INTERVAL_MS: '100',
      LEADER_LOCK_TTL_MS: '3000',
    });
    await waitFor(async () => homeBuy(await h.frontendData(gameId)) === 42, { timeoutMs: 10_000, message: 'REST prices flowing to Postgres' });

    gate.hold();
    await waitFor(() => gate.held > 0, { message: 'a REST poll in flight' });
    h.sim.setQuote(ticker, { yesBid: 0.77, yesAsk: 0.79 }); // what the late answer will carry
    await h.redis.redis.set(h.redis.keys.leader, 'new-leader:feedfacecafebeef', 'PX', 60_000);
    await waitFor(() => service.logs.some((l) => l.msg === 'stepping down to standby'), { timeoutMs: 5000, message: 'the step-down' });
    const messagesAtStepDown = h.messagesOf(gameId).length;
    const rowAtStepDown = await updatedAt(gameId);

    await gate.release();
    // The term's abort cancels the held call (or, if the cancel has not reached the gate yet, its answer lands late).
    expect(gate.delivered + gate.cancelled).toBeGreaterThan(0);
    // A standby's shutdown writes nothing either; once it has exited, nothing of it can still be on the way.
    service.kill('SIGTERM');
    expect((await service.exited).code).toBe(0);

    expect(h.messagesOf(gameId).filter((m) => m.homeTeam.kalshiBuyPrice === 79)).toEqual([]);
    expect(h.messagesOf(gameId)).toHaveLength(messagesAtStepDown);
    expect(await updatedAt(gameId)).toBe(rowAtStepDown);
    expect(homeBuy(await h.frontendData(gameId))).toBe(42);
    expect(await h.redis.redis.hget(h.redis.keys.prices(gameId), 'homeBuyPrice')).toBe('42');
    expect(await h.redis.redis.get(h.redis.keys.leader)).toBe('new-leader:feedfacecafebeef');
  });
});

describe('SIGTERM during a black-holed REST call', () => {
  it('exits 0 within SHUTDOWN_TIMEOUT_MS with the last tick in Postgres and the lock key gone', async () => {
    const ticker = uniqueId('KX-BLACKHOLE').toUpperCase();
    const { gameId } = await h.addGame([{ ticker, side: 'home', yesBid: 0.4, yesAsk: 0.42 }]);
    const service = spawn({ RECONCILE_INTERVAL_MS: '200', FLUSH_INTERVAL_MS: '600000', SHUTDOWN_TIMEOUT_MS: '3000' });
    await waitFor(() => h.sim.subscribedTickers().has(ticker), { timeoutMs: 10_000, message: 'subscribed' });
    const tsMs = Date.now();
    h.sim.setQuote(ticker, { yesBid: 0.61, yesAsk: 0.63, tsMs });
    await h.waitForMessage(gameId, (m) => m.timestamp === tsMs);

    gate.hold(); // and never release: Kalshi's REST accepts the reconciliation and never answers
    await waitFor(() => gate.held > 0, { timeoutMs: 5000, message: 'a reconciliation in flight' });
    const signalledAt = Date.now();
    service.kill('SIGTERM');
    const exit = await service.exited;
    const tookMs = Date.now() - signalledAt;

    expect(exit).toEqual({ code: 0, signal: null });
    expect(await h.frontendData(gameId)).toMatchObject({ homeTeam: { kalshiBuyPrice: 63, kalshiSellPrice: 61 }, kalshiUpdatedAt: tsMs });
    expect(await h.redis.redis.exists(h.redis.keys.leader)).toBe(0);
    expect(service.logs.some((l) => l.msg === 'leader lock released' && l.released === true)).toBe(true);
    expect(gate.held).toBeGreaterThan(0); // the REST call never answered
    process.stdout.write(`SIGTERM with REST black-holed: exit 0 after ${tookMs} ms (SHUTDOWN_TIMEOUT_MS 3000)\n`);
  });
});

describe('the leader lock over a slow Redis', () => {
  const proxy = new TcpProxy('127.0.0.1', 6379);
  beforeAll(async () => proxy.start());
  afterEach(() => {
    proxy.delayMs = 0;
  });
  afterAll(async () => proxy.close());

  async function standbyBehindIntruder(): Promise<{ service: ServiceProcess; workerId: string }> {
    await h.redis.redis.set(h.redis.keys.leader, 'intruder:0123456789abcdef', 'PX', 60_000);
    const workerId = uniqueId('slowredis');
    // A long ttl: the lock command timeout is 2 s, and expiry cannot explain anything in this test.
    const service = spawn({ WORKER_ID: workerId, REDIS_URL: proxy.url(h.env.REDIS_URL), LEADER_LOCK_TTL_MS: '60000', LEADER_RETRY_MS: '50' });
    await waitFor(async () => (await roleOf(service)) === 'standby', { timeoutMs: 10_000, message: 'a standby' });
    await waitFor(async () => (await service.get('/readyz')).status === 200, { timeoutMs: 5000, message: 'the standby ready' });
    return { service, workerId };
  }

  const holder = async () => (await h.redis.redis.get(h.redis.keys.leader)) ?? '';

  it('releases a lock whose SET was answered after shutdown began', async () => {
    const { service, workerId } = await standbyBehindIntruder();
    const authenticated = h.sim.stats.authenticatedTotal;
    proxy.delayMs = 1000; // under the lock's 2 s command timeout: the SET succeeds, slowly
    await h.redis.redis.del(h.redis.keys.leader);
    await waitFor(async () => (await holder()).startsWith(`${workerId}:`), { intervalMs: 5, message: 'the SET ran in Redis' });
    service.kill('SIGTERM'); // its reply is still on the way

    expect((await service.exited).code).toBe(0);
    expect(service.logs.some((l) => l.msg === 'took the leader lock while shutting down: released it' && l.released === true)).toBe(true);
    expect(await h.redis.redis.exists(h.redis.keys.leader)).toBe(0);
    expect(h.sim.stats.authenticatedTotal).toBe(authenticated); // it never led
  });

  it('takes a lock whose SET NX succeeded but whose reply timed out, instead of locking everyone out for a ttl', async () => {
    const { service, workerId } = await standbyBehindIntruder();
    proxy.delayMs = 3000; // over the lock's 2 s command timeout: the SET runs, its reply comes too late
    await h.redis.redis.del(h.redis.keys.leader);
    await waitFor(async () => (await holder()).startsWith(`${workerId}:`), { intervalMs: 5, message: 'the SET ran in Redis' });
    proxy.delayMs = 0;

    await waitFor(async () => (await roleOf(service)) === 'leader', { timeoutMs: 10_000, message: 'the replica leads with its own lock' });
    expect(await holder()).toMatch(new RegExp(`^${workerId}:`));
    expect(await h.redis.redis.pttl(h.redis.keys.leader)).toBeGreaterThan(50_000); // renewed, not left to run out
  });
});
