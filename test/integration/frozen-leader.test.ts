/**
 * Issue 23 item 2, from outside: a leader frozen (SIGSTOP) past its lock with a REST answer in its socket buffer
 * wakes (SIGCONT) after the standby took over and wrote newer prices. It must write nothing in either store: not the
 * hash, not the channel, not frontend_data. The fences: the lease checked on a monotonic clock before every write,
 * the lock value checked inside the price scripts, and a REST state never stamped newer than the exchange's time.
 */
import type { PriceMessage } from '../../src/sinks/price-message';
import { uniqueId } from '../helpers/db';
import { serviceEnv, startHarness, type Harness } from '../helpers/harness';
import { RestHold } from '../helpers/rest-hold';
import { spawnService, type ServiceProcess } from '../helpers/service-process';
import { TcpProxy } from '../helpers/tcp-proxy';
import { waitFor } from '../helpers/wait';

jest.setTimeout(90_000);

const TTL_MS = 3000;
/**
 * Redis's replies to the frozen leader take this long (its requests do not wait): on waking, the renewal that would
 * tell it the lock is gone answers only after whatever it does with the REST answer in its buffer, as on any real
 * network. Without the delay the race is the loopback's to decide; with it, only the fences stand in the way.
 */
const REPLY_DELAY_MS = 250;
const RUNS = Number(process.env.FROZEN_RUNS ?? '3');
let h: Harness;
let hold: RestHold;
let slowRedis: TcpProxy;
const running: ServiceProcess[] = [];

beforeAll(async () => {
  h = await startHarness({ start: false });
  hold = new RestHold(h.sim.restUrl);
  await hold.start();
  slowRedis = new TcpProxy('127.0.0.1', Number(new URL(h.env.REDIS_URL).port || 6379));
  await slowRedis.start();
  slowRedis.delayMs = REPLY_DELAY_MS;
});

afterEach(() => {
  for (const service of running.splice(0)) {
    service.kill('SIGCONT');
    service.kill('SIGKILL');
  }
});

afterAll(async () => {
  await hold?.close();
  await slowRedis?.close();
  await h?.close();
});

function replica(name: string, env: Record<string, string> = {}): ServiceProcess {
  const service = spawnService({
    ...serviceEnv(h.sim, h.db, h.redis),
    // REST only: every price is a REST answer stamped with its receive time, the case the data guards cannot order.
    KALSHI_WS_ENABLED: 'false',
    KALSHI_API_KEY_ID: '',
    KALSHI_PRIVATE_KEY: '',
    KALSHI_REST_URL: hold.url,
    FALLBACK_POLL_INTERVAL_MS: '300',
    // A flush slot soon after waking: a stale price that got into the queue would reach Postgres before the step-down.
    FLUSH_INTERVAL_MS: '50',
    LEADER_LOCK_TTL_MS: String(TTL_MS),
    LEADER_RETRY_MS: '100',
    WORKER_ID: uniqueId(name),
    ...env,
  });
  running.push(service);
  return service;
}

async function roleOf(service: ServiceProcess): Promise<string | undefined> {
  try {
    return (await service.get('/status')).body.role as string;
  } catch {
    return undefined;
  }
}

const cents = (dollars: number) => ({ yesBid: dollars - 0.02, yesAsk: dollars });

async function homeBuyInPostgres(gameId: string): Promise<unknown> {
  return ((await h.frontendData(gameId))?.homeTeam as { kalshiBuyPrice?: unknown } | undefined)?.kalshiBuyPrice;
}

describe('a leader frozen past its lock with a REST answer in flight', () => {
  for (let run = 1; run <= RUNS; run += 1) {
    it(`writes nothing in either store after it wakes (run ${run} of ${RUNS})`, async () => {
      const ticker = uniqueId('KX-FROZEN').toUpperCase();
      const { gameId } = await h.addGame([{ ticker, side: 'home', yesBid: 0.4, yesAsk: 0.42 }]);
      const a = replica('frozen', { REDIS_URL: slowRedis.url(h.env.REDIS_URL) });
      await waitFor(async () => (await roleOf(a)) === 'leader', { timeoutMs: 15_000, message: 'the first replica leads' });
      const b = replica('standby');
      await waitFor(async () => (await roleOf(b)) === 'standby', { timeoutMs: 15_000, message: 'the second replica waits' });
      const hashKey = h.redis.keys.prices(gameId);
      await waitFor(async () => (await h.redis.redis.hget(hashKey, 'homeBuyPrice')) === '42', { timeoutMs: 10_000, message: 'the leader wrote 42' });
      const termA = ((await a.get('/status')).body.fence as { term: number }).term;
      expect(termA).toBeGreaterThan(0);

      // The leader's next poll is held; it is frozen; the answer (52) reaches its socket while it sleeps.
      hold.hold();
      await waitFor(() => hold.held > 0, { timeoutMs: 5000, message: 'a REST poll of the leader in flight' });
      a.kill('SIGSTOP');
      h.sim.setQuote(ticker, cents(0.52));
      await hold.release();
      // The market moves on; the lock runs out; the standby takes over and writes 62 everywhere.
      h.sim.setQuote(ticker, cents(0.62));
      await waitFor(async () => (await roleOf(b)) === 'leader', { timeoutMs: 3 * TTL_MS + 5000, message: 'the standby took over' });
      const termB = ((await b.get('/status')).body.fence as { term: number }).term;
      expect(termB).toBeGreaterThan(termA);
      await waitFor(async () => (await h.redis.redis.hget(hashKey, 'homeBuyPrice')) === '62', { timeoutMs: 10_000, message: 'the new leader wrote 62 to the hash' });
      await waitFor(async () => (await homeBuyInPostgres(gameId)) === 62, { timeoutMs: 10_000, message: 'the new leader wrote 62 to Postgres' });
      await h.waitForMessage(gameId, (m) => m.homeTeam.kalshiBuyPrice === 62);
      const hashBefore = await h.redis.redis.hgetall(hashKey);
      const dataBefore = await h.frontendData(gameId);
      const seenBefore = h.messagesOf(gameId).length;

      // The frozen leader wakes with 52 in its socket buffer, stamped by its clock later than anything B wrote.
      const wokeAt = Date.now();
      a.kill('SIGCONT');
      await waitFor(async () => (await roleOf(a)) === 'standby', { timeoutMs: 10_000, message: 'the old leader stepped down' });
      // Well past a flush period and a publish window, and a keep-alive could have run if it wanted to.
      await waitFor(() => a.logs.some((l) => typeof l.msg === 'string' && l.msg.startsWith('leader term ended')), {
        timeoutMs: 10_000,
        message: 'the old term ended',
      });
      await new Promise((resolve) => setTimeout(resolve, 1000));

      const after = h.messagesOf(gameId).slice(seenBefore);
      const stale = after.filter((m: PriceMessage) => m.homeTeam.kalshiBuyPrice === 52);
      expect(stale).toEqual([]);
      expect(await homeBuyInPostgres(gameId)).toBe(62);
      expect(await h.frontendData(gameId)).toEqual(dataBefore);
      const hashAfter = await h.redis.redis.hgetall(hashKey);
      expect(hashAfter.homeBuyPrice).toBe('62');
      expect(Number(hashAfter.timestamp)).toBeGreaterThanOrEqual(Number(hashBefore.timestamp));
      expect(await roleOf(b)).toBe('leader');
      const ended = a.logs.find((l) => typeof l.msg === 'string' && l.msg.startsWith('leader term ended'));
      expect(ended).toMatchObject({ lockStillOurs: false });
      const refused = ((await a.get('/status')).body.fence as { refusedWrites: number }).refusedWrites;
      process.stdout.write(
        `frozen leader run ${run}: term ${termA} → ${termB}; woke ${Date.now() - wokeAt} ms ago; messages after waking ${after.length} (stale 52: ${stale.length}); ` +
          `old leader's fence refusals ${refused}; lease-lapsed holds ${a.logs.filter((l) => JSON.stringify(l).includes('LEASE_LAPSED') || JSON.stringify(l).includes('is not valid')).length}\n`,
      );
      if (process.env.FROZEN_DEBUG === '1') {
        for (const l of a.logs) process.stdout.write(`A ${JSON.stringify(l).slice(0, 300)}\n`);
      }
      hold.reset();
      b.kill('SIGTERM');
      await b.exited;
      a.kill('SIGTERM');
      await a.exited;
      running.splice(0);
    });
  }
});
