/** Targets of issue 6, the results table, and its rendering. */
import type { FlushResult } from './scenarios/flush';
import type { HandoverResult } from './scenarios/handover';
import type { LatencyResult } from './scenarios/latency';
import type { MemoryResult } from './scenarios/memory';
import type { RestResult } from './scenarios/rest';
import type { ThroughputResult } from './scenarios/throughput';

export interface Row {
  scenario: string;
  measure: string;
  value: string;
  target?: string;
  /** undefined: informational. */
  pass?: boolean;
}

export interface TargetCheck {
  name: string;
  target: string;
  value: number | null;
  pass: boolean;
}

/** What the scenarios reported; a scenario that failed (or was not run) is missing, and named in `errors` if it failed. */
export interface BenchResults {
  throughput?: ThroughputResult;
  latency?: LatencyResult;
  latencyZero?: LatencyResult;
  flush?: FlushResult;
  memory?: MemoryResult;
  handover?: HandoverResult;
  rest?: RestResult;
  errors?: Record<string, string>;
}
type Results = BenchResults;

const fmt = (value: unknown, digits = 0): string => {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
};

export function checkTargets(r: Results): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const add = (name: string, target: string, value: unknown, ok: (v: number) => boolean) => {
    const v = typeof value === 'number' && Number.isFinite(value) ? value : null;
    checks.push({ name, target, value: v, pass: v !== null && ok(v) });
  };
  if (r.throughput !== undefined || r.errors?.throughput !== undefined) {
    const t: Partial<ThroughputResult> = r.throughput ?? {};
    add('throughput.serviceMsgsPerSec', '>= 50000', t.serviceMsgsPerSec, (v) => v >= 50_000);
    add('throughput.ratio', '>= 0.5', t.ratio, (v) => v >= 0.5);
    add('throughput.lostGames', '== 0', t.lostGames, (v) => v === 0);
    add('throughput.cpuRatio', '<= 1.2', t.cpuRatio, (v) => v <= 1.2);
    add('throughput.sendingTsCpuRatio', '<= 1.1', t.sendingTsCpuRatio, (v) => v <= 1.1);
  }
  if (r.latency !== undefined || r.errors?.latency !== undefined) {
    const l: Partial<LatencyResult> = r.latency ?? {};
    const z: Partial<LatencyResult> = r.latencyZero ?? {};
    add('latency.p99Ms', `<= ${(l.publishIntervalMs ?? 100) + 50}`, l.p99Ms, (v) => v <= (l.publishIntervalMs ?? 100) + 50);
    add('latencyZero.p99Ms', `<= ${(z.publishIntervalMs ?? 0) + 50}`, z.p99Ms, (v) => v <= (z.publishIntervalMs ?? 0) + 50);
    // Issue 13: an isolated tick is as fast with the window as without, measured side by side.
    const delta = (a: unknown, b: unknown) => (typeof a === 'number' && typeof b === 'number' ? a - b : null);
    add('latency.isolatedP50DeltaMs', '<= 3', delta(l.isolated?.p50Ms, z.isolated?.p50Ms), (v) => v <= 3);
    add('latency.isolatedP99DeltaMs', '<= 10', delta(l.isolated?.p99Ms, z.isolated?.p99Ms), (v) => v <= 10);
    const window = l.publishIntervalMs ?? 100;
    add('latency.busy.publishes', `<= ${l.busy?.allowed ?? '?'}`, l.busy?.publishes, (v) => v <= (l.busy?.allowed ?? -1));
    add('latency.busy.lastDelayMs', `<= ${window + 15}`, l.busy?.lastDelayMs, (v) => v <= window + 15);
    add('latency.perTick.p99Ms', `<= ${window + 15}`, l.perTick?.p99Ms, (v) => v <= window + 15);
    add('latency.perTick.lost', '== 0', l.perTick?.lost, (v) => v === 0);
    add('latencyZero.perTick.lost', '== 0', z.perTick?.lost, (v) => v === 0);
  }
  if (r.flush !== undefined || r.errors?.flush !== undefined) {
    add('flush.games5000P99Ms', '< 250', r.flush?.games5000P99Ms, (v) => v < 250);
  }
  if (r.memory !== undefined || r.errors?.memory !== undefined) {
    add('memory.peakRssMb', '< 250', r.memory?.peakRssMb, (v) => v < 250);
    add('memory.heapGrowthMb', '< 10', r.memory?.heapGrowthMb, (v) => v < 10);
  }
  if (r.handover !== undefined || r.errors?.handover !== undefined) {
    const h: Partial<HandoverResult> = r.handover ?? {};
    add('handover.plannedMs', '< 3000', h.plannedMs, (v) => v < 3000);
    add('handover.crashMs', `< ${(h.ttlMs ?? 5000) + 2000}`, h.crashMs, (v) => v < (h.ttlMs ?? 5000) + 2000);
  }
  return checks;
}

export function rowsOf(r: Results, checks: TargetCheck[]): Row[] {
  const pass = (name: string) => checks.find((c) => c.name === name)?.pass;
  const rows: Row[] = [];
  const t = r.throughput;
  if (t !== undefined) {
    rows.push(
      { scenario: 'throughput', measure: `service, ${fmt(t.messages)} msgs / ${fmt(t.markets)} markets → all on Redis`, value: `${fmt(t.serviceMsgsPerSec)} msg/s`, target: '≥ 50,000 msg/s', pass: pass('throughput.serviceMsgsPerSec') },
      { scenario: '', measure: 'bare socket + JSON.parse (physical limit)', value: `${fmt(t.bareMsgsPerSec)} msg/s` },
      { scenario: '', measure: 'service / bare', value: fmt(t.ratio, 2), target: '≥ 0.50', pass: pass('throughput.ratio') },
      {
        scenario: '',
        measure: 'CPU per message: bare / service (+ Redis server)',
        value: `${fmt(t.cpuUsPerMsg.bare, 1)} / ${fmt(t.cpuUsPerMsg.service, 1)} µs (+${fmt(t.cpuUsPerMsg.redis, 1)})`,
      },
      { scenario: '', measure: `CPU per message: service / bare (frames with sending_ts_ms ${t.sendingTs ?? 'second'}, as today)`, value: fmt(t.cpuRatio, 2), target: '≤ 1.20', pass: pass('throughput.cpuRatio') },
      {
        scenario: '',
        measure: 'CPU per message, service: with sending_ts_ms / without (same run)',
        value: `${fmt(t.sendingTsCpuRatio, 2)} (${fmt(t.cpuUsPerMsg.service, 1)} / ${fmt(t.cpuUsPerMsg.serviceWithoutSendingTs, 1)} µs)`,
        target: '≤ 1.10',
        pass: pass('throughput.sendingTsCpuRatio'),
      },
      { scenario: '', measure: "games whose final price was lost", value: fmt(t.lostGames), target: '0', pass: pass('throughput.lostGames') },
      { scenario: '', measure: 'first message → all final prices on Redis', value: `${fmt(t.redisMs)} ms` },
      { scenario: '', measure: 'first message → all final prices in Postgres', value: t.postgresMs === null ? 'never' : `${fmt(t.postgresMs)} ms`, target: '(5 s flush slots)' },
      { scenario: '', measure: 'CPU used by other processes during the blasts (max)', value: `${fmt(t.maxForeignCpuPct, 1)}% of all cores`, target: '(noise; ≤ 10 is quiet)' },
    );
  }
  for (const key of ['latency', 'latencyZero'] as const) {
    const l = r[key];
    if (l === undefined) continue;
    rows.push({
      scenario: key === 'latency' ? 'latency' : '',
      measure: `tick→Redis p50 / p99 @ ${fmt(l.ratePerSec)} msg/s, PUBLISH_INTERVAL_MS=${l.publishIntervalMs}`,
      value: `${fmt(l.p50Ms)} / ${fmt(l.p99Ms)} ms${typeof l.foreignCpuPct === 'number' && l.foreignCpuPct > 10 ? ` (other processes: ${fmt(l.foreignCpuPct, 0)}% CPU)` : ''}`,
      target: `p99 ≤ ${l.publishIntervalMs + 50} ms`,
      pass: pass(`${key}.p99Ms`),
    });
    rows.push({
      scenario: '',
      measure: `  isolated ticks (game quiet 500 ms) → Redis p50 / p99, PUBLISH_INTERVAL_MS=${l.publishIntervalMs}`,
      value: `${fmt(l.isolated.p50Ms)} / ${fmt(l.isolated.p99Ms)} ms (${fmt(l.isolated.samples)} ticks, ${fmt(l.isolated.missing)} missing)`,
    });
    const own = key === 'latency';
    rows.push({
      scenario: '',
      measure: `  every background tick → its state (or newer) on Redis p50 / p99, PUBLISH_INTERVAL_MS=${l.publishIntervalMs}`,
      value: `${fmt(l.perTick.p50Ms)} / ${fmt(l.perTick.p99Ms)} ms (${fmt(l.perTick.lost)} lost)`,
      ...(own ? { target: `p99 ≤ ${l.publishIntervalMs + 15} ms`, pass: pass('latency.perTick.p99Ms') === true && pass('latency.perTick.lost') === true } : {}),
    });
    rows.push({
      scenario: '',
      measure: `  a game ticking every ${l.busy.everyMs} ms: publishes (allowed) / last tick → Redis, PUBLISH_INTERVAL_MS=${l.publishIntervalMs}`,
      value: `${fmt(l.busy.publishes)} of ${fmt(l.busy.ticks)} ticks (≤ ${fmt(l.busy.allowed)}) / ${fmt(l.busy.lastDelayMs)} ms`,
      ...(own ? { target: `≤ 1 per ${l.publishIntervalMs} ms / ≤ ${l.publishIntervalMs + 15} ms`, pass: pass('latency.busy.publishes') === true && pass('latency.busy.lastDelayMs') === true } : {}),
    });
  }
  if (r.latency?.isolated !== undefined && r.latencyZero?.isolated !== undefined) {
    const d = (a: number, b: number) => `${a - b >= 0 ? '+' : ''}${fmt(a - b)}`;
    rows.push({
      scenario: '',
      measure: 'isolated ticks: window 100 ms vs none, Δ p50 / Δ p99',
      value: `${d(r.latency.isolated.p50Ms, r.latencyZero.isolated.p50Ms)} / ${d(r.latency.isolated.p99Ms, r.latencyZero.isolated.p99Ms)} ms`,
      target: '≤ +3 / ≤ +10 ms',
      pass: pass('latency.isolatedP50DeltaMs') === true && pass('latency.isolatedP99DeltaMs') === true,
    });
  }
  const f = r.flush;
  if (f !== undefined) {
    rows.push(
      { scenario: 'flush', measure: 'one statement, 1,000 changed games, p50 / p99', value: `${fmt(f.games1000P50Ms, 1)} / ${fmt(f.games1000P99Ms, 1)} ms` },
      { scenario: '', measure: 'one statement, 5,000 changed games, p50 / p99', value: `${fmt(f.games5000P50Ms, 1)} / ${fmt(f.games5000P99Ms, 1)} ms`, target: 'p99 < 250 ms', pass: pass('flush.games5000P99Ms') },
      { scenario: '', measure: 'naive per-row UPDATE, 1,000 games, p50 / p99', value: `${fmt(f.naive1000P50Ms, 1)} / ${fmt(f.naive1000P99Ms, 1)} ms` },
      { scenario: '', measure: 'naive per-row UPDATE, 5,000 games, p50 / p99', value: `${fmt(f.naive5000P50Ms, 1)} / ${fmt(f.naive5000P99Ms, 1)} ms` },
    );
  }
  const m = r.memory;
  if (m !== undefined) {
    rows.push(
      { scenario: 'memory', measure: `peak RSS, ${fmt(m.soakMs / 1000)} s soak @ ${fmt(m.ratePerSec)} msg/s`, value: `${fmt(m.peakRssMb, 1)} MB`, target: '< 250 MB', pass: pass('memory.peakRssMb') },
      { scenario: '', measure: 'CPU during the soak: service / Redis server', value: `${fmt(m.serviceCpuPct, 1)}% / ${fmt(m.redisCpuPct, 1)}% of one core` },
      { scenario: '', measure: 'heap after full GC: first → last minute', value: `${fmt(m.heapAfterGcFirstMb, 1)} → ${fmt(m.heapAfterGcLastMb, 1)} MB (${m.heapGrowthMb > 0 ? '+' : ''}${fmt(m.heapGrowthMb, 1)})`, target: 'growth < 10 MB', pass: pass('memory.heapGrowthMb') },
    );
  }
  const h = r.handover;
  if (h !== undefined) {
    rows.push(
      { scenario: 'handover', measure: 'SIGTERM leader → standby subscribed (all markets)', value: `${fmt(h.plannedMs)} ms (${fmt(h.plannedAllSubscribedMs)} ms)`, target: '< 3,000 ms', pass: pass('handover.plannedMs') },
      { scenario: '', measure: `SIGKILL leader → standby subscribed (ttl ${fmt(h.ttlMs)} ms)`, value: `${fmt(h.crashMs)} ms (${fmt(h.crashAllSubscribedMs)} ms)`, target: `< ${fmt(h.ttlMs + 2000)} ms`, pass: pass('handover.crashMs') },
    );
  }
  const rest = r.rest;
  if (rest !== undefined) {
    rows.push(
      { scenario: 'rest', measure: `one fallback pass, ${fmt(rest.markets)} markets @ ${fmt(rest.ratePerS)} requests/s`, value: `${fmt(rest.passMs)} ms`, target: `(floor ${fmt(rest.floorMs)} ms: the rate)` },
      { scenario: '', measure: 'REST-only start → every game priced in Postgres', value: `${fmt(rest.allPricedMs)} ms` },
    );
  }
  for (const [scenario, error] of Object.entries(r.errors ?? {})) {
    rows.push({ scenario, measure: `FAILED: ${error.slice(0, 100)}`, value: '', pass: false });
  }
  return rows;
}

export function renderTable(rows: Row[]): string {
  const head: Row = { scenario: 'scenario', measure: 'measure', value: 'value', target: 'target' };
  const cells = (row: Row) => [row.scenario, row.measure, row.value, row.target ?? '', row.pass === undefined ? '' : row.pass ? 'PASS' : 'MISS'];
  const all = [cells({ ...head, pass: undefined }).slice(0, 4).concat('result'), ...rows.map(cells)];
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...all.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(all[0]), rule, ...all.slice(1).map(line)].join('\n');
}

/** The same table as Markdown (docs/PERFORMANCE.md). */
export function renderMarkdown(rows: Row[]): string {
  const out = ['| scenario | measure | value | target | result |', '|---|---|---|---|---|'];
  for (const row of rows) {
    out.push(`| ${row.scenario} | ${row.measure} | ${row.value} | ${row.target ?? ''} | ${row.pass === undefined ? '' : row.pass ? 'PASS' : 'MISS'} |`);
  }
  return out.join('\n');
}
