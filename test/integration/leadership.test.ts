import { uniqueId } from '../helpers/db';
import { startHarness, type Harness } from '../helpers/harness';
import { spawnService, type ServiceProcess } from '../helpers/service-process';
import { TcpProxy } from '../helpers/tcp-proxy';
import { waitFor } from '../helpers/wait';

const TTL_MS = 4000;
let h: Harness;
let ticker: string;
const running: ServiceProcess[] = [];

beforeAll(async () => {
  h = await startHarness({ start: false });
  ticker = uniqueId('KX-LEAD').toUpperCase();
  await h.addGame([{ ticker, side: 'home', yesBid: 0.4, yesAsk: 0.42 }]);
});

afterEach(() => {
  for (const service of running.splice(0)) service.kill('SIGKILL');
});

afterAll(async () => {
  await h?.close();
});

function replica(name: string, env: Record<string, string> = {}): ServiceProcess {
  const service = spawnService({
    ...h.env,
    WORKER_ID: uniqueId(name),
    LEADER_LOCK_TTL_MS: String(TTL_MS),
    LEADER_RETRY_MS: '100',
    SHUTDOWN_TIMEOUT_MS: '5000',
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

async function leaderAndStandby(a: ServiceProcess, b: ServiceProcess): Promise<[ServiceProcess, ServiceProcess]> {
  return waitFor(
    async () => {
      const [ra, rb] = await Promise.all([roleOf(a), roleOf(b)]);
      if (ra === 'leader' && rb === 'standby') return [a, b] as [ServiceProcess, ServiceProcess];
      if (rb === 'leader' && ra === 'standby') return [b, a] as [ServiceProcess, ServiceProcess];
      return undefined;
    },
    { timeoutMs: 10_000, message: 'one leader and one standby' },
  );
}

/** Resolves when the simulator has a new authenticated connection subscribed to the test's market. */
async function nextSubscription(sinceAuthenticated: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  await waitFor(() => h.sim.stats.authenticatedTotal > sinceAuthenticated && h.sim.subscribedTickers().has(ticker), {
    timeoutMs,
    intervalMs: 10,
    message: 'a new leader subscribed',
  });
  return Date.now() - started;
}

async function metric(service: ServiceProcess, name: string): Promise<number> {
  const text = await (await fetch(`${await service.address()}/metrics`)).text();
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return match === null ? Number.NaN : Number(match[1]);
}

describe('leadership across two replicas', () => {
  it('lets exactly one replica hold a socket; the standby is Ready and publishes nothing; handovers are quick and never overlap', async () => {
    const maxBefore = h.sim.stats.connectionsOpen;
    expect(maxBefore).toBe(0);
    const a = replica('a');
    const b = replica('b');
    const [leader, standby] = await leaderAndStandby(a, b);
    await waitFor(() => h.sim.subscribedTickers().has(ticker), { timeoutMs: 10_000 });

    // Readiness is probed in the background about once a second.
    const ready = await waitFor(async () => {
      const answer = await standby.get('/readyz');
      return answer.status === 200 && answer;
    }, { message: 'the standby Ready' });
    expect(ready.body).toMatchObject({ role: 'standby', checks: { redis: { ok: true } } });
    // The simulator sees the subscription before the leader has read Kalshi's reply (and readiness is a cached check).
    const leaderReady = await waitFor(
      async () => {
        const reply = await leader.get('/readyz');
        return reply.status === 200 ? reply : undefined;
      },
      { timeoutMs: 5000, message: 'the leader became ready' },
    );
    expect(leaderReady.body).toMatchObject({ role: 'leader', status: 'ready' });
    expect(await metric(leader, 'kalshi_leader')).toBe(1);
    expect(await metric(standby, 'kalshi_leader')).toBe(0);
    expect(h.sim.stats.connectionsOpen).toBe(1);

    h.sim.setQuote(ticker, { yesBid: 0.41, yesAsk: 0.43 });
    await waitFor(async () => (await metric(leader, 'kalshi_tick_to_publish_seconds_count')) > 0);
    expect(await metric(standby, 'kalshi_tick_to_publish_seconds_count')).toBe(0);

    // Planned handover: SIGTERM to the leader.
    let authenticated = h.sim.stats.authenticatedTotal;
    leader.kill('SIGTERM');
    const planned = await nextSubscription(authenticated, 3000);
    expect((await leader.exited).code).toBe(0);
    expect(await roleOf(standby)).toBe('leader');

    // Crash: SIGKILL to the new leader, with a fresh standby waiting.
    const c = replica('c');
    await waitFor(async () => (await roleOf(c)) === 'standby', { timeoutMs: 10_000 });
    authenticated = h.sim.stats.authenticatedTotal;
    standby.kill('SIGKILL');
    const crash = await nextSubscription(authenticated, TTL_MS + 2000);
    expect(await roleOf(c)).toBe('leader');

    expect(h.sim.stats.maxConcurrentConnections).toBe(1);
    process.stdout.write(`handover: planned ${planned} ms, crash ${crash} ms (ttl ${TTL_MS} ms)\n`);
  });

  it('steps down when another owner overwrites the lock, leaves it alone, and leads again once it is free', async () => {
    const a = replica('solo');
    await waitFor(async () => (await roleOf(a)) === 'leader', { timeoutMs: 10_000 });
    await waitFor(() => h.sim.stats.connectionsOpen === 1 && h.sim.subscribedTickers().has(ticker), { timeoutMs: 10_000 });

    const intruder = 'intruder:0123456789abcdef';
    await h.redis.redis.set(h.redis.keys.leader, intruder, 'PX', 60_000);
    const overwrittenAt = Date.now();
    await waitFor(() => h.sim.stats.connectionsOpen === 0, { timeoutMs: (TTL_MS * 2) / 3, intervalMs: 10, message: 'the socket closed within 2/3 ttl' });
    expect(Date.now() - overwrittenAt).toBeLessThanOrEqual((TTL_MS * 2) / 3);
    expect(await roleOf(a)).toBe('standby');
    expect(await h.redis.redis.get(h.redis.keys.leader)).toBe(intruder);

    const authenticated = h.sim.stats.authenticatedTotal;
    await h.redis.redis.del(h.redis.keys.leader);
    await nextSubscription(authenticated, 3000);
    expect(await roleOf(a)).toBe('leader');
  });

  it('steps down when Redis stays unreachable past 2/3 ttl, and one replica leads again when it is back', async () => {
    const proxy = new TcpProxy('127.0.0.1', 6379);
    await proxy.start();
    try {
      const env = { REDIS_URL: proxy.url(h.env.REDIS_URL) };
      const a = replica('cut-a', env);
      const b = replica('cut-b', env);
      const [leader] = await leaderAndStandby(a, b);
      await waitFor(() => h.sim.stats.connectionsOpen === 1 && h.sim.subscribedTickers().has(ticker), { timeoutMs: 10_000 });

      proxy.cut();
      await waitFor(() => h.sim.stats.connectionsOpen === 0, { timeoutMs: TTL_MS, intervalMs: 10, message: 'the leader stepped down' });
      expect(await roleOf(leader)).toBe('standby');
      const down = await waitFor(async () => {
        const answer = await leader.get('/readyz');
        return answer.status === 503 && answer;
      }, { message: '/readyz saying Redis is down' });
      expect(down.body).toMatchObject({ checks: { redis: { ok: false } } });

      const authenticated = h.sim.stats.authenticatedTotal;
      proxy.restore();
      await nextSubscription(authenticated, TTL_MS + 3000);
      const roles = await Promise.all([roleOf(a), roleOf(b)]);
      expect(roles.sort()).toEqual(['leader', 'standby']);
      expect(h.sim.stats.connectionsOpen).toBe(1);
    } finally {
      await proxy.close();
    }
  });
});
