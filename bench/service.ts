import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BenchDatabase } from './infra';
import { freePort, REDIS_URL, ROOT_DIR, sleep, uniqueTag, waitFor } from './infra';
import { KEY_ID } from './common';

/** The service under test: the built dist/main.js, or BENCH_SERVICE_MAIN (e.g. a patched copy). */
export const SERVICE_MAIN = process.env.BENCH_SERVICE_MAIN || path.join(ROOT_DIR, 'dist/main.js');
const PROBE = path.join(__dirname, 'service-probe.js');

export interface ServiceSpec {
  wsUrl: string;
  restUrl: string;
  db: BenchDatabase;
  prefix: string;
  privatePem: string;
  env?: Record<string, string>;
  /** node --cpu-prof into this directory under this name. */
  cpuProfile?: { dir: string; name: string };
  /** Preload the memory probe (IPC) and --expose-gc. */
  probe?: boolean;
}

export interface MemorySample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  gcDone: boolean;
}

export interface StatusBody {
  role?: string;
  subscribedMarkets?: number;
  queues?: { postgres: number; redis: number };
  socket?: { state: string };
  lastFlush?: { rows: number; ms: number } | null;
  tickerMapSize?: number;
}

export class BenchService {
  readonly child: ChildProcess;
  readonly url: string;
  readonly workerId: string;
  /** Last output lines (warnings and errors; LOG_LEVEL=warn), bounded. */
  readonly output: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  private nextProbe = 1;
  private readonly probes = new Map<number, (sample: MemorySample) => void>();

  private constructor(spec: ServiceSpec, port: number) {
    this.workerId = `bench-${uniqueTag()}`;
    this.url = `http://127.0.0.1:${port}`;
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      KALSHI_WS_URL: spec.wsUrl,
      KALSHI_REST_URL: spec.restUrl,
      KALSHI_API_KEY_ID: KEY_ID,
      KALSHI_PRIVATE_KEY: spec.privatePem,
      DATABASE_URL: spec.db.url,
      REDIS_URL,
      REDIS_KEY_PREFIX: spec.prefix,
      PORT: String(port),
      HOST: '127.0.0.1',
      WORKER_ID: this.workerId,
      LOG_LEVEL: 'warn',
      ...spec.env,
    };
    const execArgv: string[] = [];
    if (spec.cpuProfile !== undefined) {
      execArgv.push('--cpu-prof', `--cpu-prof-dir=${spec.cpuProfile.dir}`, `--cpu-prof-name=${spec.cpuProfile.name}`);
    }
    if (spec.probe === true) execArgv.push('--expose-gc', '-r', PROBE);
    this.child = spawn(process.execPath, [...execArgv, SERVICE_MAIN], {
      env,
      stdio: ['ignore', 'pipe', 'pipe', spec.probe === true ? 'ipc' : 'ignore'],
    });
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim() === '') continue;
        this.output.push(line.length > 500 ? `${line.slice(0, 500)}…` : line);
        if (this.output.length > 200) this.output.shift();
      }
    };
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    this.child.on('message', (message: MemorySample & { probe?: number }) => {
      if (typeof message?.probe !== 'number') return;
      this.probes.get(message.probe)?.(message);
      this.probes.delete(message.probe);
    });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() }));
    });
  }

  static async start(spec: ServiceSpec): Promise<BenchService> {
    const service = new BenchService(spec, await freePort());
    running.add(service);
    void service.exited.then(() => running.delete(service));
    await waitFor(async () => (await service.status().catch(() => undefined)) !== undefined, 'the service HTTP server', 15_000, 50);
    return service;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async status(): Promise<StatusBody> {
    if (!this.alive) throw new Error(`the service exited: ${this.output.slice(-5).join(' | ')}`);
    const response = await fetch(`${this.url}/status`, { signal: AbortSignal.timeout(3000) });
    return (await response.json()) as StatusBody;
  }

  async metrics(): Promise<string> {
    const response = await fetch(`${this.url}/metrics`, { signal: AbortSignal.timeout(5000) });
    return response.text();
  }

  /** Sum of a metric's samples whose line contains `filter` (e.g. a label). */
  async metricSum(name: string, filter = ''): Promise<number> {
    const text = await this.metrics();
    let sum = 0;
    for (const line of text.split('\n')) {
      if (!line.startsWith(name) || !line.includes(filter)) continue;
      const rest = line.slice(name.length);
      if (!rest.startsWith(' ') && !rest.startsWith('{')) continue;
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return sum;
  }

  /** Leader, every market subscribed on an open socket, initial snapshots published. */
  async waitReady(markets: number, timeoutMs = 30_000): Promise<void> {
    await waitFor(
      async () => {
        const s = await this.status();
        return s.role === 'leader' && s.subscribedMarkets === markets && s.socket?.state === 'open' && s.queues?.redis === 0;
      },
      `the service leading with ${markets} markets subscribed`,
      timeoutMs,
      50,
    );
  }

  /** VmRSS and VmHWM (peak resident set) from /proc, MB. */
  procMemory(): { rssMb: number; peakRssMb: number } | undefined {
    try {
      const text = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
      return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
    } catch {
      return undefined;
    }
  }

  /** Memory from the preloaded probe (spec.probe); gc = full GC first. */
  memory(gc = false, timeoutMs = 10_000): Promise<MemorySample> {
    const id = this.nextProbe++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.probes.delete(id);
        reject(new Error('memory probe: no answer'));
      }, timeoutMs);
      this.probes.set(id, (sample) => {
        clearTimeout(timer);
        resolve(sample);
      });
      this.child.send?.({ probe: id, gc });
    });
  }

  /** Sends the signal and waits for the exit (SIGKILL after timeoutMs). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }> {
    if (this.alive) this.child.kill(signal);
    const timer = setTimeout(() => {
      if (this.alive) this.child.kill('SIGKILL');
    }, timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

const running = new Set<BenchService>();

/** Kills every service child still running (cleanup after a failed scenario). */
export async function killAllServices(): Promise<void> {
  const list = [...running];
  for (const service of list) if (service.alive) service.child.kill('SIGKILL');
  await Promise.race([Promise.allSettled(list.map((s) => s.exited)), sleep(5000)]);
}
