// @ts-nocheck
import { benchGames, tickersOf } from '../common';
import { startSim, stopHelper, type BenchContext, type SimHandle } from '../context';
import {
  benchPrefix,
  createBenchDatabase,
  foreignCpuMeter,
  newRedis,
  percentile,
  procCpuMs,
  round1,
  seedGames,
  sleep,
  sortedNumbers,
  type BenchDatabase,
} from '../infra';
import { BenchService } from '../service';
import { redisKeys } from '../../sinks/redis-keys';

export const LATENCY_RATE = 5000;
const WARMUP_MS = 2000;
const MEASURE_MS = 10_000;

export interface LatencyResult {
  p50Ms: number;
  p99Ms: number;
  publishIntervalMs: number;
  maxMs: number;
  meanMs: number;
  samples: number;
  ratePerSec: number;
  sent: number;
  measuredMs: number;
  /** Largest delay of the simulator's own send schedule (ms): it should be ~0. */
  simMaxBehindMs: number;
  /** Service CPU per message at this rate (µs), and its share of one core (%). */
  serviceCpuUsPerMsg: number | null;
  serviceCpuPct: number | null;
  /** Share of all cores used by other processes during the run (%): noise. */
  foreignCpuPct: number | null;
}

/** Collects (arrival − message.timestamp) for every message on the channel after `fromMs`. */
export async function collectLatency(channel: string): Promise<{ samples: number[]; from(ms: number): void; close(): void }> {
  const subscriber = newRedis();
  const samples: number[] = [];
  let fromMs = Infinity;
  subscriber.on('message', (_channel: string, text: string) => {
    const now = Date.now();
    const timestamp = (JSON.parse(text) as { timestamp: number }).timestamp;
    if (timestamp >= fromMs) samples.push(now - timestamp);
  });
  await subscriber.subscribe(channel);
  return {
    samples,
    from(ms: number) {
      fromMs = ms;
    },
    close: () => subscriber.disconnect(),
  };
}

export function summarize(samples: number[]): { p50Ms: number; p99Ms: number; maxMs: number; meanMs: number; samples: number } {
  const sorted = sortedNumbers(samples);
  const mean = samples.length === 0 ? NaN : samples.reduce((a, b) => a + b, 0) / samples.length;
  return {
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.length === 0 ? NaN : (sorted[sorted.length - 1] as number),
    meanMs: round1(mean),
    samples: samples.length,
  };
}

async function oneRun(ctx: BenchContext, sim: SimHandle, db: BenchDatabase, tickers: string[], publishIntervalMs: number): Promise<LatencyResult> {
  const prefix = benchPrefix();
  const service = await BenchService.start({
    wsUrl: sim.wsUrl,
    restUrl: sim.restUrl,
    db,
    prefix,
    privatePem: ctx.keys.privatePem,
    env: { PUBLISH_INTERVAL_MS: String(publishIntervalMs) },
  });
  const collector = await collectLatency(redisKeys(prefix).channel);
  try {
    await service.waitReady(tickers.length);
    await sleep(300);
    ctx.log(`latency: ${LATENCY_RATE} msgs/s for ${(WARMUP_MS + MEASURE_MS) / 1000} s, PUBLISH_INTERVAL_MS=${publishIntervalMs}`);
    const started = Date.now();
    collector.from(started + WARMUP_MS);
    const reader = newRedis();
    const foreign = await foreignCpuMeter([service.pid, sim.rpc.child.pid], reader);
    const cpu0 = procCpuMs(service.pid);
    const steady = await sim.rpc.call('steady', { tickers, ratePerSec: LATENCY_RATE, durationMs: WARMUP_MS + MEASURE_MS }, 60_000);
    const cpu1 = procCpuMs(service.pid);
    const foreignCpuPct = await foreign();
    reader.disconnect();
    await sleep(publishIntervalMs + 500);
    const summary = summarize(collector.samples);
    const cpuMs = cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0;
    return {
      ...summary,
      publishIntervalMs,
      ratePerSec: LATENCY_RATE,
      sent: steady.sent,
      measuredMs: MEASURE_MS,
      simMaxBehindMs: steady.maxBehindMs,
      serviceCpuUsPerMsg: cpuMs === undefined ? null : round1((cpuMs * 1000) / steady.sent),
      serviceCpuPct: cpuMs === undefined ? null : round1((cpuMs / (steady.endAt - steady.startAt)) * 100),
      foreignCpuPct,
    };
  } finally {
    collector.close();
    await service.stop('SIGTERM');
  }
}

export async function runLatency(ctx: BenchContext): Promise<{ latency: LatencyResult; latencyZero: LatencyResult }> {
  const games = benchGames(500, 'L');
  const tickers = tickersOf(games);
  const sim = await startSim(ctx);
  const db = await createBenchDatabase();
  try {
    await sim.rpc.call('addMarkets', { tickers });
    await seedGames(db.sql, games);
    const latency = await oneRun(ctx, sim, db, tickers, 100);
    const latencyZero = await oneRun(ctx, sim, db, tickers, 0);
    return { latency, latencyZero };
  } finally {
    await stopHelper(sim.rpc);
    await db.drop();
  }
}
