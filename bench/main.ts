/**
 * `npm run bench`: kalshi-ingestor against the real Postgres and Redis, with the simulator and the service each
 * in a process of its own. Prints a table and writes bench/results.json.
 *
 * BENCH_SOAK_MS   length of the memory soak (default 120000)
 * BENCH_ONLY      comma-separated subset: throughput,latency,flush,memory,handover,rest (writes bench/results.partial.json)
 * BENCH_CPU_PROF  1: CPU-profile the service during the throughput scenario (bench/profiles/*.cpuprofile)
 * BENCH_SENDING_TS second (default) | after: where today's frames carry sending_ts_ms in the throughput scenario
 * BENCH_SERVICE_MAIN  the service entry to run (default dist/main.js), e.g. a patched copy
 * DATABASE_URL / REDIS_URL  as for the service (defaults: local Postgres and Redis)
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BenchContext } from './context';
import { stopAllHelpers } from './context';
import { cleanRedis, dropAllDatabases, machineBusyPct, machineInfo, ROOT_DIR, rsaKeys } from './infra';
import { summarizeProfile } from './profile-summary';
import { checkTargets, renderMarkdown, renderTable, rowsOf } from './report';
import { killAllServices, SERVICE_MAIN } from './service';
import { runFlush } from './scenarios/flush';
import { runHandover } from './scenarios/handover';
import { runRest } from './scenarios/rest';
import { runLatency } from './scenarios/latency';
import { runMemory } from './scenarios/memory';
import { runThroughput } from './scenarios/throughput';

const SCENARIOS = ['throughput', 'latency', 'flush', 'memory', 'handover', 'rest'] as const;
type Scenario = (typeof SCENARIOS)[number];

function soakMsFromEnv(): number {
  const raw = process.env.BENCH_SOAK_MS;
  if (raw === undefined || raw.trim() === '') return 120_000;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 4000 || value > 3_600_000) {
    process.stderr.write(`BENCH_SOAK_MS: needs an integer number of milliseconds between 4000 and 3600000, got ${JSON.stringify(raw)}\n`);
    process.exit(1);
  }
  return value;
}

async function cleanup(): Promise<void> {
  await killAllServices();
  await stopAllHelpers();
  await dropAllDatabases();
  await cleanRedis().catch(() => undefined);
}

async function main(): Promise<void> {
  const only = (process.env.BENCH_ONLY ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const name of only) {
    if (!SCENARIOS.includes(name as Scenario)) {
      process.stderr.write(`BENCH_ONLY: unknown scenario ${name}; one of ${SCENARIOS.join(', ')}\n`);
      process.exit(1);
    }
  }
  const selected = SCENARIOS.filter((s) => only.length === 0 || only.includes(s));
  if (!existsSync(SERVICE_MAIN)) {
    process.stderr.write(`${SERVICE_MAIN} not found: run npm run build first\n`);
    process.exit(1);
  }
  const benchDir = path.join(ROOT_DIR, 'bench');
  mkdirSync(benchDir, { recursive: true });
  const cpuProfileDir = process.env.BENCH_CPU_PROF === '1' ? path.join(benchDir, 'profiles') : undefined;
  if (cpuProfileDir !== undefined) mkdirSync(cpuProfileDir, { recursive: true });

  const started = Date.now();
  const log = (message: string) => process.stderr.write(`[bench +${((Date.now() - started) / 1000).toFixed(1)}s] ${message}\n`);
  const ctx: BenchContext = { keys: rsaKeys(), cpuProfileDir, soakMs: soakMsFromEnv(), log };
  const machine = await machineInfo();
  log(`${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}, Postgres ${machine.postgres ?? '?'}, Redis ${machine.redis ?? '?'}`);

  const results: Record<string, unknown> = {
    generatedAt: new Date().toISOString(),
    machine,
    service: path.relative(ROOT_DIR, SERVICE_MAIN),
    scenarios: selected,
  };
  const errors: Record<string, string> = {};
  const durations: Record<string, number> = {};
  const backgroundCpuPct: Record<string, number | null> = {};
  for (const scenario of selected) {
    // What the rest of the machine is doing right before the scenario (the bench itself is idle here).
    const busy = await machineBusyPct(1000);
    backgroundCpuPct[scenario] = busy;
    const t0 = Date.now();
    log(`--- ${scenario} (machine busy before start: ${busy ?? '?'}% of all cores)`);
    if (busy !== null && busy > 15) log(`warning: other processes are using ${busy}% of the CPUs; results will be noisy`);
    try {
      switch (scenario) {
        case 'throughput':
          results.throughput = await runThroughput(ctx);
          break;
        case 'latency':
          Object.assign(results, await runLatency(ctx));
          break;
        case 'flush':
          results.flush = await runFlush(ctx);
          break;
        case 'memory':
          results.memory = await runMemory(ctx);
          break;
        case 'handover':
          results.handover = await runHandover(ctx);
          break;
        case 'rest':
          results.rest = await runRest(ctx);
          break;
      }
    } catch (error) {
      errors[scenario] = error instanceof Error ? error.message : String(error);
      log(`${scenario} FAILED: ${errors[scenario]}`);
    } finally {
      await killAllServices();
    }
    durations[scenario] = Math.round((Date.now() - t0) / 100) / 10;
  }
  const throughput = results.throughput as { cpuProfile?: string } | undefined;
  if (throughput?.cpuProfile !== undefined && existsSync(throughput.cpuProfile)) {
    const summary = summarizeProfile(throughput.cpuProfile, 15);
    results.profile = { file: path.relative(ROOT_DIR, throughput.cpuProfile), ...summary };
  }
  results.backgroundCpuPct = backgroundCpuPct;
  if (Object.keys(errors).length > 0) results.errors = errors;
  results.durationsSec = { ...durations, total: Math.round((Date.now() - started) / 100) / 10 };
  const targets = checkTargets(results);
  results.targets = targets;
  results.passed = targets.filter((t) => t.pass).length;
  results.missed = targets.filter((t) => !t.pass).map((t) => t.name);

  const rows = rowsOf(results, targets);
  const header = `kalshi-ingestor benchmark: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGb} GB, node ${machine.node}`;
  const noisy = Object.entries(backgroundCpuPct).filter(([, pct]) => pct !== null && pct > 15);
  const warning =
    noisy.length === 0 ? '' : `\nwarning: the machine was busy with other work before ${noisy.map(([s, p]) => `${s} (${p}%)`).join(', ')}: rerun on an idle machine\n`;
  process.stdout.write(`\n${header}\n\n${renderTable(rows)}\n\n${targets.filter((t) => t.pass).length}/${targets.length} targets met\n${warning}`);
  results.markdown = renderMarkdown(rows);
  const out = process.env.BENCH_OUT || path.join(benchDir, only.length === 0 ? 'results.json' : 'results.partial.json');
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`written ${path.relative(process.cwd(), out)}\n`);
  await cleanup();
  process.exit(Object.keys(errors).length > 0 ? 1 : 0);
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`\n${signal}: cleaning up (databases, Redis keys, child processes)\n`);
    void cleanup().finally(() => process.exit(130));
  });
}

main().catch(async (error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  await cleanup().catch(() => undefined);
  process.exit(1);
});
