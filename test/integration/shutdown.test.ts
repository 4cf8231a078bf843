import { Value } from '@sinclair/typebox/value';
import { uniqueId } from '../helpers/db';
import { startHarness, type Harness } from '../helpers/harness';
import { spawnService } from '../helpers/service-process';
import { TcpProxy } from '../helpers/tcp-proxy';
import { waitFor } from '../helpers/wait';
import { PriceMessageSchema } from '../../src/sinks/price-message';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ start: false });
});

afterAll(async () => {
  await h?.close();
});

describe('the built service as a child process', () => {
  it('writes a tick received just before SIGTERM to Postgres, releases the lock and exits 0', async () => {
    const home = uniqueId('KX-TERM').toUpperCase();
    const { gameId } = await h.addGame([{ ticker: home, side: 'home', yesBid: 0.5, yesAsk: 0.52 }]);
    // A flush period far longer than the test: only the shutdown flush can write the tick.
    const service = spawnService({ ...h.env, FLUSH_INTERVAL_MS: '600000', FLUSH_OFFSET_MS: '0' });
    try {
      await waitFor(() => h.sim.subscribedTickers().has(home), { timeoutMs: 10_000, message: 'the service subscribed' });
      const tsMs = Date.now();
      h.sim.setQuote(home, { yesBid: 0.61, yesAsk: 0.63, tsMs });
      const message = await h.waitForMessage(gameId, (m) => m.timestamp === tsMs);
      expect(Value.Check(PriceMessageSchema, message)).toBe(true);
      expect(await h.frontendData(gameId)).toEqual({});

      service.kill('SIGTERM');
      const exit = await service.exited;
      expect(exit).toEqual({ code: 0, signal: null });
      const data = await h.frontendData(gameId);
      expect(data).toMatchObject({ homeTeam: { kalshiBuyPrice: 63, kalshiSellPrice: 61 }, kalshiUpdatedAt: tsMs });
      expect(await h.redis.redis.exists(h.redis.keys.leader)).toBe(0);
      expect(service.logs.some((l) => l.msg === 'leader lock released' && l.released === true)).toBe(true);
    } finally {
      service.kill('SIGKILL');
    }
  });

  it('refuses a bad configuration before connecting to anything: exit 1, one line per variable', async () => {
    const authenticated = h.sim.stats.authenticatedTotal;
    const service = spawnService({ ...h.env, PORT: 'eighty', FLUSH_INTERVAL_MS: 'soon', KALSHI_PRIVATE_KEY: 'SECRET-VALUE' });
    const exit = await service.exited;
    expect(exit.code).toBe(1);
    const output = service.text.join('\n');
    expect(output).toMatch(/^ {2}PORT: needs a TCP port/m);
    expect(output).toMatch(/^ {2}FLUSH_INTERVAL_MS: needs an integer number of milliseconds/m);
    expect(output).not.toContain('SECRET-VALUE');
    expect(service.logs).toEqual([]); // not even a log line: it stopped before starting anything
    expect(h.sim.stats.authenticatedTotal).toBe(authenticated);
  });

  it('never prints the password of a malformed DATABASE_URL or REDIS_URL', async () => {
    const service = spawnService({
      ...h.env,
      DATABASE_URL: 'postgres://ingestor:pg-hunter2@db.internal:5432/prices with a space',
      REDIS_URL: 'redis://:redis-hunter2@cache.internal:6379 oops',
    });
    const exit = await service.exited;
    expect(exit.code).toBe(1);
    const output = [...service.text, ...service.logs.map((l) => JSON.stringify(l))].join('\n');
    expect(output).toMatch(/^ {2}DATABASE_URL: needs a URL starting with postgres:\/\//m);
    expect(output).toMatch(/^ {2}REDIS_URL: needs a URL starting with redis:\/\//m);
    expect(output).toContain('postgres://***@db.internal'); // without its user information (docs/CONTRACT.md "Configuration")
    expect(output).not.toContain('hunter2');
  });

  it('exits 1 when the last flush overruns SHUTDOWN_TIMEOUT_MS, naming what did not finish; a second signal exits at once', async () => {
    const proxy = new TcpProxy('127.0.0.1', 5432);
    await proxy.start();
    const children: ReturnType<typeof spawnService>[] = [];
    try {
      const home = uniqueId('KX-OVERRUN').toUpperCase();
      const { gameId } = await h.addGame([{ ticker: home, side: 'home', yesBid: 0.5, yesAsk: 0.52 }]);
      const env = { ...h.env, DATABASE_URL: proxy.url(h.env.DATABASE_URL), FLUSH_INTERVAL_MS: '600000', SHUTDOWN_TIMEOUT_MS: '1500' };

      const slow = spawnService(env);
      children.push(slow);
      await waitFor(() => h.sim.subscribedTickers().has(home), { timeoutMs: 10_000 });
      const tsMs = Date.now();
      h.sim.setQuote(home, { yesBid: 0.6, yesAsk: 0.62, tsMs });
      await h.waitForMessage(gameId, (m) => m.timestamp === tsMs);
      proxy.blackhole(); // Postgres accepts and never answers: the last flush hangs
      const signalledAt = Date.now();
      slow.kill('SIGTERM');
      expect((await slow.exited).code).toBe(1);
      expect(Date.now() - signalledAt).toBeLessThan(5000);
      const overrun = slow.logs.find((l) => typeof l.msg === 'string' && l.msg.includes('overran SHUTDOWN_TIMEOUT_MS'));
      expect(overrun).toMatchObject({ stage: 'last flush to Postgres and publish to Redis', timeoutMs: 1500 });
      // The lock is released all the same (the flush's share of the time ran out, the release had its own).
      expect(await h.redis.redis.exists(h.redis.keys.leader)).toBe(0);
      expect(slow.logs.some((l) => l.msg === 'leader lock released' && l.released === true)).toBe(true);

      proxy.restore();
      const twice = spawnService(env);
      children.push(twice);
      await waitFor(() => h.sim.stats.connectionsOpen === 1, { timeoutMs: 10_000 });
      h.sim.setQuote(home, { yesBid: 0.61, yesAsk: 0.63 });
      await h.waitForMessage(gameId, (m) => m.homeTeam.kalshiBuyPrice === 63);
      proxy.blackhole();
      twice.kill('SIGTERM');
      await waitFor(() => twice.logs.some((l) => l.msg === 'signal received'));
      twice.kill('SIGTERM');
      expect((await twice.exited).code).toBe(1);
      expect(twice.logs.some((l) => typeof l.msg === 'string' && l.msg.startsWith('second signal'))).toBe(true);
    } finally {
      for (const child of children) child.kill('SIGKILL');
      await proxy.close();
    }
  });
});
