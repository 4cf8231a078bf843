import { benchGames, tickersOf, type BenchGame, type StreamResult } from '../common';
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
import { redisKeys } from '../../src/sinks/redis-keys';

export const LATENCY_RATE = 5000;
const WARMUP_MS = 2000;
const MEASURE_MS = 10_000;
/** Isolated probes: games quiet far longer than any window, each ticking once every ISOLATED_EVERY_MS. */
const ISOLATED_GAMES = 50;
const ISOLATED_EVERY_MS = 500;
/** The busy game: one market ticking every BUSY_EVERY_MS. */
const BUSY_EVERY_MS = 5;

export interface IsolatedResult {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  samples: number;
  /** Isolated ticks sent in the measured part, and how many of them never reached the channel. */
  sent: number;
  missing: number;
}

export interface BusyResult {
  everyMs: number;
  ticks: number;
  /** Publishes of the busy game while it ticked (and after its last tick). */
  publishes: number;
  /** At most one a window: floor(ticking time / window) + 1 (with PUBLISH_INTERVAL_MS=0: every tick). */
  allowed: number;
  /** Smallest gap between two of its publishes as they arrived on the channel (jitter of the delivery included). */
  minGapMs: number | null;
  /** Its last tick → that state on the channel. */
  lastDelayMs: number | null;
}

export interface PerTickResult {
  /** For every background tick: time until that tick's state, or a newer one of its game, was on the channel. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  samples: number;
  /** Ticks whose state never reached the channel (nor a newer one of the same game). */
  lost: number;
}

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
  isolated: IsolatedResult;
  busy: BusyResult;
  perTick: PerTickResult;
  /** Runs pooled into these figures (BENCH_LATENCY_PAIRS, alternating with the other setting). */
  runs?: number;
}

interface Arrival {
  gameId: string;
  timestamp: number;
  at: number;
}

/** Records every message on the channel: its game, its tick's exchange time, and when it arrived. */
export async function collectArrivals(channel: string): Promise<{ arrivals: Arrival[]; close(): void }> {
  const subscriber = newRedis();
  const arrivals: Arrival[] = [];
  subscriber.on('message', (_channel: string, text: string) => {
    const at = Date.now();
    const message = JSON.parse(text) as { gameId: string; timestamp: number };
    arrivals.push({ gameId: message.gameId, timestamp: message.timestamp, at });
  });
  await subscriber.subscribe(channel);
  return { arrivals, close: () => subscriber.disconnect() };
}

/** Collects (arrival − message.timestamp) for every message on the channel after `fromMs` (the memory soak). */
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
    maxMs: sorted.length === 0 ? NaN : (sorted[sorted.length - 1]),
    meanMs: round1(mean),
    samples: samples.length,
  };
}

interface Layout {
  background: BenchGame[];
  isolated: BenchGame[];
  busy: BenchGame;
  tickers: string[];
}

interface Raw {
  background: number[];
  isolated: number[];
  perTick: number[];
}

async function oneRun(ctx: BenchContext, sim: SimHandle, db: BenchDatabase, layout: Layout, publishIntervalMs: number): Promise<LatencyResult & { raw: Raw }> {
  const prefix = benchPrefix();
  const service = await BenchService.start({
    wsUrl: sim.wsUrl,
    restUrl: sim.restUrl,
    db,
    prefix,
    privatePem: ctx.keys.privatePem,
    env: { PUBLISH_INTERVAL_MS: String(publishIntervalMs) },
  });
  const collector = await collectArrivals(redisKeys(prefix).channel);
  try {
    await service.waitReady(layout.tickers.length);
    await sleep(300);
    const durationMs = WARMUP_MS + MEASURE_MS;
    const backgroundTickers = tickersOf(layout.background);
    ctx.log(
      `latency: PUBLISH_INTERVAL_MS=${publishIntervalMs}: ${LATENCY_RATE} msgs/s over ${backgroundTickers.length} markets, ` +
        `${ISOLATED_GAMES} isolated games every ${ISOLATED_EVERY_MS} ms, one game every ${BUSY_EVERY_MS} ms, for ${durationMs / 1000} s`,
    );
    const reader = newRedis();
    const foreign = await foreignCpuMeter([service.pid, sim.rpc.child.pid], reader);
    const cpu0 = procCpuMs(service.pid);
    const mixed = await sim.rpc.call(
      'mix',
      {
        durationMs,
        streams: [
          { name: 'background', tickers: backgroundTickers, ratePerSec: LATENCY_RATE, record: true },
          { name: 'isolated', tickers: layout.isolated.map((g) => g.home), ratePerSec: (ISOLATED_GAMES * 1000) / ISOLATED_EVERY_MS },
          { name: 'busy', tickers: [layout.busy.home], ratePerSec: 1000 / BUSY_EVERY_MS },
        ],
      },
      60_000,
    );
    const cpu1 = procCpuMs(service.pid);
    const foreignCpuPct = await foreign();
    reader.disconnect();
    await sleep(publishIntervalMs + 500);
    const from = mixed.startAt + WARMUP_MS;
    const arrivals = collector.arrivals;
    const stream = (name: string) => mixed.streams.find((st) => st.name === name) as StreamResult;

    // Background: per message (the published state's tick → on the channel) and per tick (any tick → its state or a newer one on the channel).
    const backgroundIds = new Set(layout.background.map((g) => g.gameId));
    const backgroundSamples = arrivals.filter((a) => backgroundIds.has(a.gameId) && a.timestamp >= from).map((a) => a.at - a.timestamp);
    const summary = summarize(backgroundSamples);
    const perTick = perTickDelays(stream('background'), backgroundTickers, layout.background, arrivals, from);

    // Isolated probes: each message is exactly one tick of a game quiet for ISOLATED_EVERY_MS.
    const isolatedIds = new Set(layout.isolated.map((g) => g.gameId));
    const isolatedArrivals = arrivals.filter((a) => isolatedIds.has(a.gameId) && a.timestamp >= from);
    const isolatedSent = Math.round((stream('isolated').sent * MEASURE_MS) / durationMs);
    const isolatedSamples = isolatedArrivals.map((a) => a.at - a.timestamp);
    const isolated = {
      ...summarize(isolatedSamples),
      sent: isolatedSent,
      missing: Math.max(0, isolatedSent - isolatedArrivals.length),
    };

    // The busy game: count its publishes from its first tick on; its last state's delay.
    const busyStream = stream('busy');
    const busyArrivals = arrivals.filter((a) => a.gameId === layout.busy.gameId && a.timestamp >= mixed.startAt);
    const tickingMs = (busyStream.lastTsMs ?? mixed.endAt) - mixed.startAt;
    const lastArrival = busyArrivals.find((a) => a.timestamp === busyStream.lastTsMs);
    const gapsMs = busyArrivals.slice(1).map((a, i) => a.at - (busyArrivals[i]).at);
    const busy: BusyResult = {
      everyMs: BUSY_EVERY_MS,
      ticks: busyStream.sent,
      publishes: busyArrivals.length,
      allowed: publishIntervalMs === 0 ? busyStream.sent : Math.floor(tickingMs / publishIntervalMs) + 1,
      minGapMs: gapsMs.length === 0 ? null : Math.min(...gapsMs),
      lastDelayMs: lastArrival === undefined || busyStream.lastTsMs === null ? null : lastArrival.at - busyStream.lastTsMs,
    };

    const sent = mixed.streams.reduce((sum, st) => sum + st.sent, 0);
    const cpuMs = cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0;
    ctx.log(
      `latency: PUBLISH_INTERVAL_MS=${publishIntervalMs}: isolated p50/p99 ${isolated.p50Ms}/${isolated.p99Ms} ms, ` +
        `per tick p99 ${perTick.p99Ms} ms, busy game ${busy.publishes} publishes (≤ ${busy.allowed}), last state after ${busy.lastDelayMs} ms`,
    );
    return {
      ...summary,
      publishIntervalMs,
      ratePerSec: LATENCY_RATE,
      sent,
      measuredMs: MEASURE_MS,
      simMaxBehindMs: mixed.maxBehindMs,
      serviceCpuUsPerMsg: cpuMs === undefined ? null : round1((cpuMs * 1000) / sent),
      serviceCpuPct: cpuMs === undefined ? null : round1((cpuMs / (mixed.endAt - mixed.startAt)) * 100),
      foreignCpuPct,
      isolated,
      busy,
      perTick,
      raw: { background: backgroundSamples, isolated: isolatedSamples, perTick: perTick.delays },
    };
  } finally {
    collector.close();
    await service.stop('SIGTERM');
  }
}

/** For each recorded tick after `from`: the first arrival of its game carrying that tick's time or a later one. */
function perTickDelays(stream: StreamResult, tickers: string[], games: BenchGame[], arrivals: Arrival[], from: number): PerTickResult & { delays: number[] } {
  const gameOf = new Map<string, string>();
  for (const g of games) {
    gameOf.set(g.home, g.gameId);
    gameOf.set(g.away, g.gameId);
  }
  const byGame = new Map<string, Arrival[]>();
  for (const a of arrivals) {
    let list = byGame.get(a.gameId);
    if (list === undefined) byGame.set(a.gameId, (list = []));
    list.push(a);
  }
  const cursor = new Map<string, number>();
  const delays: number[] = [];
  let lost = 0;
  const index = stream.tickerIndex ?? [];
  const times = stream.tsMs ?? [];
  for (let k = 0; k < index.length; k++) {
    const t = times[k];
    const gameId = gameOf.get(tickers[index[k]]) as string;
    const list = byGame.get(gameId) ?? [];
    // A game's messages arrive in order of their ticks (one batch in flight), and its ticks are sent in order.
    let i = cursor.get(gameId) ?? 0;
    while (i < list.length && (list[i]).timestamp < t) i++;
    cursor.set(gameId, i);
    if (t < from) continue;
    const hit = list[i];
    if (hit === undefined) lost++;
    else delays.push(hit.at - t);
  }
  const sorted = sortedNumbers(delays);
  return {
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.length === 0 ? NaN : (sorted[sorted.length - 1]),
    samples: delays.length,
    lost,
    delays,
  };
}

/** Runs of one setting pooled: percentiles over every sample, counts summed, the worst busy-game figures. */
function pooled(runs: (LatencyResult & { raw: Raw })[]): LatencyResult {
  const first = runs[0];
  const all = (pick: (raw: Raw) => number[]) => runs.flatMap((r) => pick(r.raw));
  const sum = (pick: (r: LatencyResult) => number) => runs.reduce((acc, r) => acc + pick(r), 0);
  const worst = runs.reduce((a, b) => (b.busy.publishes - b.busy.allowed > a.busy.publishes - a.busy.allowed ? b : a)).busy;
  const lastDelays = runs.map((r) => r.busy.lastDelayMs).filter((v): v is number => v !== null);
  const gaps = runs.map((r) => r.busy.minGapMs).filter((v): v is number => v !== null);
  const perTickSorted = sortedNumbers(all((raw) => raw.perTick));
  const maxOf = (xs: (number | null)[]) => {
    const known = xs.filter((v): v is number => v !== null);
    return known.length === 0 ? null : Math.max(...known);
  };
  return {
    ...summarize(all((raw) => raw.background)),
    publishIntervalMs: first.publishIntervalMs,
    ratePerSec: first.ratePerSec,
    sent: sum((r) => r.sent),
    measuredMs: sum((r) => r.measuredMs),
    simMaxBehindMs: Math.max(...runs.map((r) => r.simMaxBehindMs)),
    serviceCpuUsPerMsg: maxOf(runs.map((r) => r.serviceCpuUsPerMsg)),
    serviceCpuPct: maxOf(runs.map((r) => r.serviceCpuPct)),
    foreignCpuPct: maxOf(runs.map((r) => r.foreignCpuPct)),
    isolated: { ...summarize(all((raw) => raw.isolated)), sent: sum((r) => r.isolated.sent), missing: sum((r) => r.isolated.missing) },
    busy: {
      ...worst,
      lastDelayMs: lastDelays.length === runs.length ? Math.max(...lastDelays) : null,
      minGapMs: gaps.length === 0 ? null : Math.min(...gaps),
    },
    perTick: {
      p50Ms: percentile(perTickSorted, 0.5),
      p99Ms: percentile(perTickSorted, 0.99),
      maxMs: perTickSorted.length === 0 ? NaN : (perTickSorted[perTickSorted.length - 1]),
      samples: perTickSorted.length,
      lost: sum((r) => r.perTick.lost),
    },
    runs: runs.length,
  };
}

export async function runLatency(ctx: BenchContext): Promise<{ latency: LatencyResult; latencyZero: LatencyResult }> {
  const background = benchGames(500, 'L');
  const isolated = benchGames(ISOLATED_GAMES, 'I');
  const busy = benchGames(1, 'F')[0];
  const all = [...background, ...isolated, busy];
  const layout: Layout = { background, isolated, busy, tickers: tickersOf(all) };
  const sim = await startSim(ctx);
  const db = await createBenchDatabase();
  try {
    await sim.rpc.call('addMarkets', { tickers: layout.tickers });
    await seedGames(db.sql, all);
    // Side by side in one run: the same load with the window and without, alternating, samples pooled per setting.
    const pairs = Math.max(1, Math.min(5, Number(process.env.BENCH_LATENCY_PAIRS ?? 2) || 2));
    const withWindow: (LatencyResult & { raw: Raw })[] = [];
    const without: (LatencyResult & { raw: Raw })[] = [];
    for (let pair = 0; pair < pairs; pair++) {
      withWindow.push(await oneRun(ctx, sim, db, layout, 100));
      without.push(await oneRun(ctx, sim, db, layout, 0));
    }
    return { latency: pooled(withWindow), latencyZero: pooled(without) };
  } finally {
    await stopHelper(sim.rpc);
    await db.drop();
  }
}
