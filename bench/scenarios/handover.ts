import { benchGames, tickersOf } from '../common';
import { startSim, stopHelper, type BenchContext, type SimHandle } from '../context';
import { benchPrefix, createBenchDatabase, seedGames, sleep, waitFor, type BenchDatabase } from '../infra';
import { BenchService } from '../service';

const TTL_MS = 5000;
const RETRY_MS = 100;

export interface HandoverResult {
  /** SIGTERM of the leader → the simulator receives the new leader's first subscribe. */
  plannedMs: number;
  /** SIGKILL of the leader → the same. */
  crashMs: number;
  ttlMs: number;
  retryMs: number;
  /** … → the new leader has every market subscribed again. */
  plannedAllSubscribedMs: number;
  crashAllSubscribedMs: number;
  /** SIGTERM → the old leader's process exited (its last flush, lock release). */
  plannedExitMs: number;
  plannedExitCode: number | null;
}

async function standby(spec: () => Promise<BenchService>): Promise<BenchService> {
  const service = await spec();
  await waitFor(async () => (await service.status()).role === 'standby', 'a Ready standby', 10_000, 50);
  await sleep(3 * RETRY_MS); // it has tried (and failed) to take the lock a few times
  return service;
}

async function handover(
  sim: SimHandle,
  leader: BenchService,
  next: BenchService,
  signal: 'SIGTERM' | 'SIGKILL',
  markets: number,
): Promise<{ firstMs: number; allMs: number; exit: { code: number | null; at: number }; t0: number }> {
  const before = (await sim.rpc.call('connections', {})).map((c) => c.id);
  const t0 = Date.now();
  leader.child.kill(signal);
  const all = await sim.rpc.call('waitSubscribed', { count: markets, excludeIds: before, timeoutMs: TTL_MS + 20_000 }, TTL_MS + 25_000);
  const exit = await leader.exited;
  const commands = await sim.rpc.call('commands', { sinceMs: t0 });
  const first = commands.find((c) => c.cmd === 'subscribe' && !before.includes(c.connectionId));
  if (first === undefined) throw new Error('no subscribe from the new leader in the command log');
  await waitFor(async () => (await next.status()).role === 'leader', 'the standby leading', 10_000, 50);
  return { firstMs: first.at - t0, allMs: all.atMs - t0, exit, t0 };
}

export async function runHandover(ctx: BenchContext): Promise<HandoverResult> {
  const games = benchGames(500, 'H');
  const tickers = tickersOf(games);
  const sim = await startSim(ctx);
  const db: BenchDatabase = await createBenchDatabase();
  const prefix = benchPrefix();
  const services: BenchService[] = [];
  const start = async () => {
    const service = await BenchService.start({
      wsUrl: sim.wsUrl,
      restUrl: sim.restUrl,
      db,
      prefix,
      privatePem: ctx.keys.privatePem,
      env: { LEADER_LOCK_TTL_MS: String(TTL_MS), LEADER_RETRY_MS: String(RETRY_MS), PUBLISH_INTERVAL_MS: '100' },
    });
    services.push(service);
    return service;
  };
  try {
    await sim.rpc.call('addMarkets', { tickers });
    await seedGames(db.sql, games);
    const a = await start();
    await a.waitReady(tickers.length);
    const b = await standby(start);
    // Prices flowing while the leader goes, as in production.
    const flowing = sim.rpc.call('steady', { tickers, ratePerSec: 1000, durationMs: 2000 }, 30_000);
    await sleep(1000);
    ctx.log('handover: SIGTERM to the leader');
    const planned = await handover(sim, a, b, 'SIGTERM', tickers.length);
    await flowing.catch(() => undefined);
    await b.waitReady(tickers.length);

    const c = await standby(start);
    ctx.log('handover: SIGKILL to the leader');
    const crash = await handover(sim, b, c, 'SIGKILL', tickers.length);
    return {
      plannedMs: planned.firstMs,
      crashMs: crash.firstMs,
      ttlMs: TTL_MS,
      retryMs: RETRY_MS,
      plannedAllSubscribedMs: planned.allMs,
      crashAllSubscribedMs: crash.allMs,
      plannedExitMs: planned.exit.at - planned.t0,
      plannedExitCode: planned.exit.code,
    };
  } finally {
    await Promise.allSettled(services.map((s) => s.stop('SIGTERM', 12_000)));
    await stopHelper(sim.rpc);
    await db.drop();
  }
}
