import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { waitFor } from './wait';

// KALSHI_SERVICE_MAIN: run another build (e.g. the previous code) to watch a test fail on it.
const MAIN = process.env.KALSHI_SERVICE_MAIN ?? path.resolve(__dirname, '../../dist/main.js');

export interface ServiceProcess {
  child: ChildProcess;
  /** Parsed JSON log lines so far. */
  logs: Record<string, unknown>[];
  /** Lines that were not JSON (stderr, configuration errors). */
  text: string[];
  /** http://127.0.0.1:PORT once listening. */
  address(): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  get(route: string): Promise<{ status: number; body: Record<string, unknown> }>;
  kill(signal?: NodeJS.Signals): void;
}

/** Runs the built service (`node dist/main.js`) as a child process with this environment. */
export function spawnService(env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const text: string[] = [];
  const collect = (chunk: Buffer, buffer: { rest: string }) => {
    const lines = (buffer.rest + chunk.toString()).split('\n');
    buffer.rest = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        text.push(line);
      }
    }
  };
  const out = { rest: '' };
  const err = { rest: '' };
  child.stdout?.on('data', (chunk: Buffer) => collect(chunk, out));
  child.stderr?.on('data', (chunk: Buffer) => collect(chunk, err));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  let cachedAddress: string | undefined;
  const service: ServiceProcess = {
    child,
    logs,
    text,
    exited,
    async address() {
      cachedAddress ??= await waitFor(() => logs.find((l) => typeof l.address === 'string')?.address as string | undefined, {
        timeoutMs: 10_000,
        message: 'the service listening',
      });
      return cachedAddress;
    },
    async get(route) {
      const response = await fetch(`${await service.address()}${route}`);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
  return service;
}
