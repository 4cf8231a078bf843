import { benchGames, expectedFinals, KEY_ID, tickersOf, type BenchGame, type ExpectedGame, type SendingTsAt } from '../common';
import { startBare, startSim, stopHelper, type BenchContext } from '../context';
import {
  benchPrefix,
  createBenchDatabase,
  newRedis,
  percentile,
  foreignCpuMeter,
  procCpuMs,
  redisCpuMs,
  round1,
  seedGames,
  sleep,
  sortedNumbers,
  waitFor,
  type BenchDatabase,
} from '../infra';
import { BenchService } from '../service';
import { redisKeys, type RedisKeys } from '../../src/sinks/redis-keys';
import type { PriceMessage } from '../../src/sinks/price-message';
import type { Redis } from 'ioredis';

export const THROUGHPUT_GAMES = 500;
export const THROUGHPUT_MESSAGES = 200_000;
const WARMUP_MESSAGES = 50_000;

export interface ThroughputRun {
  bareMsgsPerSec: number;
  serviceMsgsPerSec: number;
  bareMs: number;
  redisMs: number;
  postgresMs: number | null;
  lostGames: number;
  lostDetail?: { notOnChannel: number; hashWrong: number; postgresWrong: number };
  serviceTickersCounted: number;
  publishedMessages: number;
  simSendMs: { bare: number; service: number };
  /** CPU time per message (user + system, from /proc): a steadier comparison than wall time on a shared machine. */
  cpuUsPerMsg: { bare: number | null; service: number | null; redis: number | null };
  /**
   * The same service, same run, on the frames without sending_ts_ms (as before October 2026): what the field costs
   * is service / this. The bare client and `service` above get today's frames (sending_ts_ms, BENCH_SENDING_TS).
   */
  withoutSendingTs: { serviceMsgsPerSec: number; redisMs: number; lostGames: number; cpuUsPerMsg: number | null; foreignCpuPct: number | null };
  /** Share of all cores used by processes other than the bench's own during each blast (%): noise. */
  foreignCpuPct: { bare: number | null; service: number | null };
}

export interface ThroughputResult {
  /** Medians over the runs (bare and service blasts alternate). */
  serviceMsgsPerSec: number;
  bareMsgsPerSec: number;
  ratio: number;
  /** Games whose final price was missing on Redis or in Postgres, summed over the runs. */
  lostGames: number;
  messages: number;
  markets: number;
  games: number;
  /** First message sent → every game's final price on Redis (hash written and PUBLISHed), median. */
  redisMs: number;
  /** First message sent → every game's final price in frontend_games (FLUSH_INTERVAL_MS default 5000), median. */
  postgresMs: number | null;
  /** First message sent → the bare client parsed the last one, median. */
  bareMs: number;
  blastMode: string;
  /** Largest share of all cores used by other processes during any measured blast (%). Above ~10: noisy. */
  maxForeignCpuPct: number | null;
  /** Median over the runs of (service CPU per message / bare CPU per message), each run's pair measured back to back. */
  cpuRatio: number | null;
  /** Median CPU time per message of the bare client, the service, and the Redis server (during the service blast). */
  cpuUsPerMsg: { bare: number | null; service: number | null; redis: number | null; serviceWithoutSendingTs: number | null };
  /** Where today's frames carried sending_ts_ms (BENCH_SENDING_TS: second, the default, or after). */
  sendingTs: SendingTsAt;
  /** Median over the runs of (service CPU per message with sending_ts_ms / without), each pair from the same run. */
  sendingTsCpuRatio: number | null;
  runs: ThroughputRun[];
  serviceRssMb?: number;
  servicePeakRssMb?: number;
  cpuProfile?: string;
}

function matches(expected: ExpectedGame, away: unknown, home: unknown): boolean {
  const a = away as { kalshiBuyPrice?: unknown; kalshiSellPrice?: unknown } | undefined;
  const h = home as { kalshiBuyPrice?: unknown; kalshiSellPrice?: unknown } | undefined;
  return (
    a?.kalshiBuyPrice === expected.awayBuy &&
    a?.kalshiSellPrice === expected.awaySell &&
    h?.kalshiBuyPrice === expected.homeBuy &&
    h?.kalshiSellPrice === expected.homeSell
  );
}

const median = (values: number[]) => percentile(sortedNumbers(values), 0.5);
const maxOrNull = (values: (number | null)[]) => {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : Math.max(...known);
};
const medianOrNull = (values: (number | null)[]) => {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : median(known);
};

function ratioOf(runs: ThroughputRun[], over: (r: ThroughputRun) => [number | null, number | null]): number | null {
  const ratios = runs
    .map((r) => over(r))
    .map(([a, b]) => (a === null || b === null || b === 0 ? null : a / b))
    .filter((v): v is number => v !== null);
  return ratios.length === 0 ? null : Math.round(median(ratios) * 100) / 100;
}

interface RunState {
  expected: Map<string, ExpectedGame>;
  doneAt: Map<string, number>;
  published: number;
}

/** One service blast: time to every final price on Redis and in Postgres, and what was lost. */
async function serviceRun(
  ctx: BenchContext,
  sim: Awaited<ReturnType<typeof startSim>>,
  service: BenchService,
  db: BenchDatabase,
  reader: Redis,
  keys: RedisKeys,
  games: BenchGame[],
  tickers: string[],
  connectionIds: number[],
  state: RunState,
  variant: number,
  total: number,
  sendingTs: SendingTsAt,
): Promise<
  Omit<ThroughputRun, 'bareMsgsPerSec' | 'bareMs' | 'simSendMs' | 'cpuUsPerMsg' | 'foreignCpuPct' | 'withoutSendingTs'> & {
    sendMs: number;
    mode: string;
    cpu: { service: number | null; redis: number | null };
    foreignPct: number | null;
  }
> {
  const ticksBefore = await service.metricSum('kalshi_messages_total', 'type="ticker"');
  const cpuBefore = procCpuMs(service.pid);
  const redisBefore = await redisCpuMs(reader);
  const foreign = await foreignCpuMeter([service.pid, sim.rpc.child.pid], reader);
  const blast = await sim.rpc.call('blast', { tickers, total, tsBase: Date.now(), variant, connectionIds, sendingTs }, 180_000);
  const firstAt = blast.firstSendAt;
  await waitFor(() => state.doneAt.size === games.length, 'every final price on Redis', 60_000, 10).catch(() => undefined);
  const redisAt = state.doneAt.size === games.length ? Math.max(...state.doneAt.values()) : NaN;
  const cpuAfter = procCpuMs(service.pid);
  const redisAfter = await redisCpuMs(reader);
  const foreignPct = await foreign();
  const perMsg = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? null : round1(((b - a) * 1000) / total));

  // Postgres: FLUSH_INTERVAL_MS (5 s, wall-clock aligned) after the blast at most, plus the write.
  const pgOk = new Set<string>();
  const pgAt = await waitFor(
    async () => {
      const rows = await db.sql<{ id: string; data: Record<string, unknown> }[]>`
        select live_game_id as id, frontend_data as data from frontend_games`;
      pgOk.clear();
      for (const row of rows) {
        const want = state.expected.get(row.id);
        if (want !== undefined && matches(want, row.data.awayTeam, row.data.homeTeam)) pgOk.add(row.id);
      }
      return pgOk.size === games.length ? Date.now() : undefined;
    },
    'every final price in Postgres',
    20_000,
    50,
  ).catch(() => undefined);

  // Nothing lost: every game's hash holds its final price, and so does its row.
  const hashes = await reader.pipeline(games.map((g) => ['hgetall', keys.prices(g.gameId)])).exec();
  let hashWrong = 0;
  const lost = new Set<string>();
  games.forEach((g, i) => {
    const hash = (hashes?.[i]?.[1] ?? {}) as Record<string, string>;
    const want = state.expected.get(g.gameId) as ExpectedGame;
    const ok =
      hash.awayBuyPrice === String(want.awayBuy) &&
      hash.awaySellPrice === String(want.awaySell) &&
      hash.homeBuyPrice === String(want.homeBuy) &&
      hash.homeSellPrice === String(want.homeSell);
    if (!ok) hashWrong++;
    if (!ok || !state.doneAt.has(g.gameId) || !pgOk.has(g.gameId)) lost.add(g.gameId);
  });
  const ticksAfter = await service.metricSum('kalshi_messages_total', 'type="ticker"');
  const redisMs = redisAt - firstAt;
  ctx.log(`throughput: service run ${variant === 0 ? '(warm-up)' : variant} (sending_ts_ms ${sendingTs}): Redis ${redisMs} ms, Postgres ${pgAt === undefined ? 'never' : pgAt - firstAt} ms, lost ${lost.size}`);
  return {
    serviceMsgsPerSec: Number.isFinite(redisMs) ? Math.round((total * 1000) / redisMs) : 0,
    redisMs,
    postgresMs: pgAt === undefined ? null : pgAt - firstAt,
    lostGames: lost.size,
    ...(lost.size > 0 ? { lostDetail: { notOnChannel: games.length - state.doneAt.size, hashWrong, postgresWrong: games.length - pgOk.size } } : {}),
    serviceTickersCounted: ticksAfter - ticksBefore,
    publishedMessages: state.published,
    sendMs: blast.lastSendAt - blast.firstSendAt,
    mode: blast.mode,
    cpu: { service: perMsg(cpuBefore, cpuAfter), redis: perMsg(redisBefore, redisAfter) },
    foreignPct,
  };
}

export async function runThroughput(ctx: BenchContext): Promise<ThroughputResult> {
  const runsWanted = Math.max(1, Math.min(10, Number(process.env.BENCH_THROUGHPUT_RUNS ?? 5) || 5));
  // Today's frames: sending_ts_ms second, as Kalshi's docs show (or after msg, as a live frame, with BENCH_SENDING_TS=after).
  const today: SendingTsAt = process.env.BENCH_SENDING_TS === 'after' ? 'after' : 'second';
  const games = benchGames(THROUGHPUT_GAMES, 'T');
  const tickers = tickersOf(games);
  const total = THROUGHPUT_MESSAGES;
  const sim = await startSim(ctx);
  const db = await createBenchDatabase();
  const subscriber = newRedis();
  const reader = newRedis();
  let service: BenchService | undefined;
  let bare: ReturnType<typeof startBare> | undefined;
  try {
    await sim.rpc.call('addMarkets', { tickers });
    await seedGames(db.sql, games);
    const prefix = benchPrefix();
    const keys = redisKeys(prefix);
    const profileName = `service-throughput-${Date.now()}.cpuprofile`;

    // The service, in its own process, with the production defaults (PUBLISH_INTERVAL_MS 100, FLUSH_INTERVAL_MS 5000).
    service = await BenchService.start({
      wsUrl: sim.wsUrl,
      restUrl: sim.restUrl,
      db,
      prefix,
      privatePem: ctx.keys.privatePem,
      env: { PUBLISH_INTERVAL_MS: '100' },
      ...(ctx.cpuProfileDir === undefined ? {} : { cpuProfile: { dir: ctx.cpuProfileDir, name: profileName } }),
    });
    ctx.log('throughput: service started; waiting for it to lead and subscribe');
    await service.waitReady(tickers.length);
    const serviceIds = (await sim.rpc.call('connections', {})).map((c) => c.id);

    // The physical limit: a bare client on the same simulator, the same markets, the same frames.
    bare = startBare(ctx);
    await bare.call('connect', { wsUrl: sim.wsUrl, keyId: KEY_ID, privateKeyPem: ctx.keys.privatePem, tickers });
    const bareIds = (await sim.rpc.call('connections', {})).map((c) => c.id).filter((id) => !serviceIds.includes(id));
    await sleep(500);

    let state: RunState = { expected: new Map(), doneAt: new Map(), published: 0 };
    subscriber.on('message', (_channel: string, text: string) => {
      state.published++;
      const message = JSON.parse(text) as PriceMessage;
      const want = state.expected.get(message.gameId);
      if (want !== undefined && !state.doneAt.has(message.gameId) && matches(want, message.awayTeam, message.homeTeam)) {
        state.doneAt.set(message.gameId, Date.now());
      }
    });
    await subscriber.subscribe(keys.channel);

    // Warm-up (not counted): a long-running service has its hot path compiled; so does the bare client.
    ctx.log(`throughput: warm-up, ${WARMUP_MESSAGES} messages to each`);
    await bare.call('arm', { count: WARMUP_MESSAGES });
    await sim.rpc.call('blast', { tickers, total: WARMUP_MESSAGES, tsBase: Date.now(), variant: 0, connectionIds: bareIds, sendingTs: today }, 60_000);
    await bare.call('wait', { timeoutMs: 60_000 }, 65_000);
    // Both frame forms warm the service's hot path (final prices of variant 0, then of the last variant + 1).
    state = { expected: expectedFinals(games, 0), doneAt: new Map(), published: 0 };
    await serviceRun(ctx, sim, service, db, reader, keys, games, tickers, serviceIds, state, 0, WARMUP_MESSAGES, 'none');
    await sleep(300);
    state = { expected: expectedFinals(games, 2 * runsWanted + 1), doneAt: new Map(), published: 0 };
    await serviceRun(ctx, sim, service, db, reader, keys, games, tickers, serviceIds, state, 2 * runsWanted + 1, WARMUP_MESSAGES, today);
    await sleep(300);

    // Bare and service blasts alternate, so that drift of the machine hits both alike; medians are reported.
    const runs: ThroughputRun[] = [];
    let mode = '';
    for (let run = 1; run <= runsWanted; run++) {
      ctx.log(`throughput: run ${run}/${runsWanted}: ${total} messages over ${tickers.length} markets to the bare client, then to the service`);
      await bare.call('arm', { count: total });
      const bareCpuBefore = procCpuMs(bare.child.pid);
      const bareForeign = await foreignCpuMeter([bare.child.pid, sim.rpc.child.pid, service.pid], reader);
      const bareBlast = await sim.rpc.call('blast', { tickers, total, tsBase: Date.now(), variant: run, connectionIds: bareIds, sendingTs: today }, 180_000);
      const bareDone = await bare.call('wait', { timeoutMs: 120_000 }, 130_000);
      const bareMs = bareDone.lastAt - bareBlast.firstSendAt;
      const bareCpuAfter = procCpuMs(bare.child.pid);
      const bareForeignPct = await bareForeign();
      const bareCpu = bareCpuBefore === undefined || bareCpuAfter === undefined ? null : round1(((bareCpuAfter - bareCpuBefore) * 1000) / total);
      await sleep(300);

      // With and without sending_ts_ms, back to back, the order swapped every run so that drift hits both alike.
      const serviceBlast = async (sendingTs: SendingTsAt) => {
        const variant = sendingTs === 'none' ? 2 * run : 2 * run - 1;
        state = { expected: expectedFinals(games, variant), doneAt: new Map(), published: 0 };
        const result = await serviceRun(ctx, sim, service as BenchService, db, reader, keys, games, tickers, serviceIds, state, variant, total, sendingTs);
        await sleep(300);
        return result;
      };
      const withoutFirst = run % 2 === 0;
      const first = await serviceBlast(withoutFirst ? 'none' : today);
      const second = await serviceBlast(withoutFirst ? today : 'none');
      const [s, without] = withoutFirst ? [second, first] : [first, second];
      mode = s.mode;
      const { sendMs, mode: _mode, cpu, foreignPct, ...rest } = s;
      runs.push({
        ...rest,
        foreignCpuPct: { bare: bareForeignPct, service: foreignPct },
        cpuUsPerMsg: { bare: bareCpu, service: cpu.service, redis: cpu.redis },
        bareMsgsPerSec: Math.round((total * 1000) / bareMs),
        bareMs,
        simSendMs: { bare: bareBlast.lastSendAt - bareBlast.firstSendAt, service: sendMs },
        withoutSendingTs: {
          serviceMsgsPerSec: without.serviceMsgsPerSec,
          redisMs: without.redisMs,
          lostGames: without.lostGames,
          cpuUsPerMsg: without.cpu.service,
          foreignCpuPct: without.foreignPct,
        },
      });
    }
    const mem = service.procMemory();
    await stopHelper(bare);
    bare = undefined;
    await service.stop('SIGTERM');
    service = undefined;

    const serviceRate = median(runs.map((r) => r.serviceMsgsPerSec));
    const bareRate = median(runs.map((r) => r.bareMsgsPerSec));
    const pg = runs.map((r) => r.postgresMs).filter((v): v is number => v !== null);
    return {
      serviceMsgsPerSec: serviceRate,
      bareMsgsPerSec: bareRate,
      ratio: Math.round((serviceRate / bareRate) * 1000) / 1000,
      lostGames: runs.reduce((sum, r) => sum + r.lostGames + r.withoutSendingTs.lostGames, 0),
      messages: total,
      markets: tickers.length,
      games: games.length,
      redisMs: median(runs.map((r) => r.redisMs)),
      postgresMs: pg.length === runs.length ? median(pg) : null,
      bareMs: median(runs.map((r) => r.bareMs)),
      blastMode: mode,
      maxForeignCpuPct: maxOrNull(runs.flatMap((r) => [r.foreignCpuPct.bare, r.foreignCpuPct.service, r.withoutSendingTs.foreignCpuPct])),
      cpuUsPerMsg: {
        bare: medianOrNull(runs.map((r) => r.cpuUsPerMsg.bare)),
        service: medianOrNull(runs.map((r) => r.cpuUsPerMsg.service)),
        redis: medianOrNull(runs.map((r) => r.cpuUsPerMsg.redis)),
        serviceWithoutSendingTs: medianOrNull(runs.map((r) => r.withoutSendingTs.cpuUsPerMsg)),
      },
      cpuRatio: ratioOf(runs, (r) => [r.cpuUsPerMsg.service, r.cpuUsPerMsg.bare]),
      sendingTs: today,
      sendingTsCpuRatio: ratioOf(runs, (r) => [r.cpuUsPerMsg.service, r.withoutSendingTs.cpuUsPerMsg]),
      runs,
      ...(mem === undefined ? {} : { serviceRssMb: round1(mem.rssMb), servicePeakRssMb: round1(mem.peakRssMb) }),
      ...(ctx.cpuProfileDir === undefined ? {} : { cpuProfile: `${ctx.cpuProfileDir}/${profileName}` }),
    };
  } finally {
    subscriber.disconnect();
    reader.disconnect();
    if (bare !== undefined) await stopHelper(bare);
    await service?.stop('SIGKILL');
    await stopHelper(sim.rpc);
    await db.drop();
  }
}
