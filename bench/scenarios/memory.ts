import { benchGames, tickersOf } from '../common';
import { startSim, stopHelper, type BenchContext } from '../context';
import { benchPrefix, createBenchDatabase, foreignCpuMeter, newRedis, procCpuMs, redisCpuMs, round1, seedGames, sleep } from '../infra';
import { BenchService, type MemorySample } from '../service';
import { redisKeys } from '../../src/sinks/redis-keys';
import { collectLatency, summarize } from './latency';

const RATE = 5000;
const MB = 1024 * 1024;

export interface MemoryResult {
  peakRssMb: number;
  heapGrowthMb: number;
  soakMs: number;
  ratePerSec: number;
  /** Heap used after a full GC at the end of the first half ("first minute") and at the end ("last minute"). */
  heapAfterGcFirstMb: number;
  heapAfterGcLastMb: number;
  /** Same, a few seconds into the soak (after warm-up), for the trend. */
  heapAfterGcWarmMb: number;
  rssStartMb: number;
  rssEndMb: number;
  /** Mean heap used (no forced GC) over each half. */
  heapMeanFirstMb: number;
  heapMeanLastMb: number;
  samples: number;
  sent: number;
  /** Tick-to-publish over the whole soak (PUBLISH_INTERVAL_MS 100). */
  soakLatencyP50Ms: number;
  soakLatencyP99Ms: number;
  /** Service CPU over the soak, share of one core (%). */
  serviceCpuPct: number | null;
  /** Redis server CPU over the soak, share of one core (%) (everything Redis did, mostly the publishes). */
  redisCpuPct: number | null;
  /** Share of all cores used by other processes during the soak (%): noise. */
  foreignCpuPct: number | null;
}

export async function runMemory(ctx: BenchContext): Promise<MemoryResult> {
  const games = benchGames(500, 'M');
  const tickers = tickersOf(games);
  const sim = await startSim(ctx);
  const db = await createBenchDatabase();
  const prefix = benchPrefix();
  let service: BenchService | undefined;
  let collector: Awaited<ReturnType<typeof collectLatency>> | undefined;
  try {
    await sim.rpc.call('addMarkets', { tickers });
    await seedGames(db.sql, games);
    service = await BenchService.start({
      wsUrl: sim.wsUrl,
      restUrl: sim.restUrl,
      db,
      prefix,
      privatePem: ctx.keys.privatePem,
      env: { PUBLISH_INTERVAL_MS: '100' },
      probe: true,
      ...(ctx.cpuProfileDir === undefined ? {} : { cpuProfile: { dir: ctx.cpuProfileDir, name: `service-steady-${Date.now()}.cpuprofile` } }),
    });
    const svc = service;
    await svc.waitReady(tickers.length);
    collector = await collectLatency(redisKeys(prefix).channel);
    const soakMs = ctx.soakMs;
    ctx.log(`memory: ${RATE} msgs/s for ${soakMs / 1000} s`);
    const reader = newRedis();
    const foreign = await foreignCpuMeter([svc.pid, sim.rpc.child.pid], reader);
    const cpu0 = procCpuMs(svc.pid);
    const redis0 = await redisCpuMs(reader);
    const started = Date.now();
    collector.from(started);
    const steady = sim.rpc.call('steady', { tickers, ratePerSec: RATE, durationMs: soakMs }, soakMs + 60_000);
    const rssStartMb = svc.procMemory()?.rssMb ?? NaN;

    const samples: { at: number; sample: MemorySample }[] = [];
    const warmAt = started + Math.min(10_000, soakMs / 6);
    const halfAt = started + soakMs / 2;
    const endAt = started + soakMs - 500;
    let warm: MemorySample | undefined;
    let first: MemorySample | undefined;
    for (let i = 0; i < 100_000 && Date.now() < endAt; i++) {
      const now = Date.now();
      if (warm === undefined && now >= warmAt) warm = await svc.memory(true);
      else if (first === undefined && now >= halfAt) first = await svc.memory(true);
      else samples.push({ at: now, sample: await svc.memory(false) });
      await sleep(Math.max(0, Math.min(1000, endAt - Date.now())));
    }
    const last = await svc.memory(true);
    const sent = (await steady).sent;
    const cpu1 = procCpuMs(svc.pid);
    const redis1 = await redisCpuMs(reader);
    const foreignCpuPct = await foreign();
    reader.disconnect();
    const soakWallMs = Date.now() - started;
    const proc = svc.procMemory();
    const mean = (list: MemorySample[]) => (list.length === 0 ? NaN : list.reduce((a, s) => a + s.heapUsed, 0) / list.length / MB);
    const firstHalf = samples.filter((s) => s.at < halfAt).map((s) => s.sample);
    const lastHalf = samples.filter((s) => s.at >= halfAt).map((s) => s.sample);
    const latency = summarize(collector.samples);
    const heapFirst = (first ?? warm ?? last).heapUsed / MB;
    return {
      peakRssMb: round1(proc?.peakRssMb ?? Math.max(...samples.map((s) => s.sample.rss)) / MB),
      heapGrowthMb: round1(last.heapUsed / MB - heapFirst),
      soakMs,
      ratePerSec: RATE,
      heapAfterGcFirstMb: round1(heapFirst),
      heapAfterGcLastMb: round1(last.heapUsed / MB),
      heapAfterGcWarmMb: round1((warm ?? last).heapUsed / MB),
      rssStartMb: round1(rssStartMb),
      rssEndMb: round1(proc?.rssMb ?? NaN),
      heapMeanFirstMb: round1(mean(firstHalf)),
      heapMeanLastMb: round1(mean(lastHalf)),
      samples: samples.length,
      sent,
      soakLatencyP50Ms: latency.p50Ms,
      soakLatencyP99Ms: latency.p99Ms,
      serviceCpuPct: cpu0 === undefined || cpu1 === undefined ? null : round1(((cpu1 - cpu0) / soakWallMs) * 100),
      redisCpuPct: redis0 === undefined || redis1 === undefined ? null : round1(((redis1 - redis0) / soakWallMs) * 100),
      foreignCpuPct,
    };
  } finally {
    collector?.close();
    await service?.stop('SIGTERM');
    await stopHelper(sim.rpc);
    await db.drop();
  }
}
