import path from 'node:path';
import { KEY_ID, type BareApi, type SimApi } from './common';
import { forkHelper, type RpcClient } from './ipc';

export interface BenchContext {
  keys: { publicPem: string; privatePem: string };
  /** Write CPU profiles of the service (BENCH_CPU_PROF=1) into this directory. */
  cpuProfileDir: string | undefined;
  soakMs: number;
  log(message: string): void;
}

export interface SimHandle {
  rpc: RpcClient<SimApi>;
  wsUrl: string;
  restUrl: string;
}

const helpers = new Set<RpcClient<never>>();

/** A fresh simulator process. */
export async function startSim(ctx: BenchContext): Promise<SimHandle> {
  const rpc = forkHelper<SimApi>(path.join(__dirname, 'sim-process.js'), 'sim');
  helpers.add(rpc);
  const { wsUrl, restUrl } = await rpc.call('start', { publicKeyPem: ctx.keys.publicPem, keyId: KEY_ID }, 15_000);
  return { rpc, wsUrl, restUrl };
}

export function startBare(ctx: BenchContext): RpcClient<BareApi> {
  const execArgv =
    ctx.cpuProfileDir === undefined
      ? []
      : ['--cpu-prof', `--cpu-prof-dir=${ctx.cpuProfileDir}`, `--cpu-prof-name=bare-throughput-${Date.now()}.cpuprofile`];
  const rpc = forkHelper<BareApi>(path.join(__dirname, 'bare-client.js'), 'bare', execArgv);
  helpers.add(rpc);
  return rpc;
}

export async function stopHelper(rpc: { shutdown(graceMs?: number): Promise<void> }): Promise<void> {
  await rpc.shutdown(3000).catch(() => undefined);
  helpers.delete(rpc as unknown as RpcClient<never>);
}

export async function stopAllHelpers(): Promise<void> {
  await Promise.allSettled([...helpers].map((h) => h.shutdown(2000)));
  helpers.clear();
}
