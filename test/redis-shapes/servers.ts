import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { waitFor } from '../helpers/wait';

/**
 * Real Redis topologies on loopback for the shape tests, from Debian's redis-server (scripts/setup-redis.sh
 * installs it; `redis-server --sentinel` is the sentinel). Ports are chosen free at run time, data lives in a
 * temp dir, and stop() kills every process and removes the dir.
 */

/** Why the shape tests cannot run here, or undefined when they can. */
export function missingBinaries(): string | undefined {
  for (const binary of ['redis-server', 'redis-cli']) {
    const probe = spawnSync(binary, ['--version'], { encoding: 'utf8' });
    if (probe.error !== undefined || probe.status !== 0) {
      return `${binary} is not installed: run scripts/setup-redis.sh (apt-get install redis-server) to run the Sentinel and Cluster tests`;
    }
  }
  return undefined;
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

const taken = new Set<number>();

/** A free port in 20000–29999 whose cluster bus port (+10000) is free too. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    if (taken.has(port) || taken.has(port + 10_000)) continue;
    if ((await portIsFree(port)) && (await portIsFree(port + 10_000))) {
      taken.add(port);
      return port;
    }
  }
  throw new Error('no free port found in 20000-29999');
}

interface Server {
  port: number;
  args: string[];
  child: ChildProcess | undefined;
}

class Processes {
  readonly dir = mkdtempSync(join(tmpdir(), 'redis-shapes-'));
  protected readonly servers: Server[] = [];

  protected async launch(port: number, args: string[]): Promise<Server> {
    const server: Server = { port, args, child: undefined };
    this.servers.push(server);
    await this.run(server);
    return server;
  }

  protected async run(server: Server): Promise<void> {
    server.child = spawn('redis-server', server.args, { stdio: 'ignore' });
    await waitFor(() => ping(server.port), { timeoutMs: 10_000, message: `redis-server on ${server.port}` });
  }

  /** Stops a server (SIGTERM: an AOF node fsyncs on the way out) and waits for its exit. */
  protected async halt(server: Server): Promise<void> {
    const child = server.child;
    server.child = undefined;
    if (child?.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  async stop(): Promise<void> {
    for (const server of this.servers) server.child?.kill('SIGKILL');
    await Promise.all(
      this.servers.map(async (server) => {
        const child = server.child;
        if (child?.exitCode === null && child.signalCode === null) {
          await new Promise((resolve) => child.once('exit', resolve));
        }
      }),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function ping(port: number): Promise<boolean> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Runs a command on a server and closes the connection. */
export async function command(port: number, ...args: (string | number)[]): Promise<unknown> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await client.call(String(args[0]), ...args.slice(1).map(String));
  } finally {
    client.disconnect();
  }
}

const COMMON = ['--bind', '127.0.0.1', '--save', '', '--protected-mode', 'no', '--loglevel', 'warning'];

/** A primary, a replica and three sentinels (quorum 2) watching them as `mymaster`. */
export class SentinelGroup extends Processes {
  readonly name = 'mymaster';
  dataPorts: number[] = [];
  sentinelPorts: number[] = [];

  static async start(): Promise<SentinelGroup> {
    const group = new SentinelGroup();
    try {
      await group.boot();
    } catch (error) {
      await group.stop();
      throw error;
    }
    return group;
  }

  private async boot(): Promise<void> {
    const primary = await freePort();
    const replica = await freePort();
    this.dataPorts = [primary, replica];
    await this.launch(primary, ['--port', String(primary), '--dir', this.dir, '--appendonly', 'no', ...COMMON]);
    await this.launch(replica, ['--port', String(replica), '--dir', this.dir, '--appendonly', 'no', '--replicaof', '127.0.0.1', String(primary), ...COMMON]);
    await waitFor(async () => String(await command(replica, 'INFO', 'replication')).includes('master_link_status:up'), {
      timeoutMs: 10_000,
      message: 'the replica in sync',
    });
    for (let i = 0; i < 3; i += 1) {
      const port = await freePort();
      this.sentinelPorts.push(port);
      const dir = join(this.dir, `sentinel-${port}`);
      mkdirSync(dir);
      const file = join(dir, 'sentinel.conf');
      writeFileSync(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          'protected-mode no',
          `dir ${dir}`,
          'loglevel warning',
          `sentinel monitor ${this.name} 127.0.0.1 ${primary} 2`,
          `sentinel down-after-milliseconds ${this.name} 1000`,
          `sentinel failover-timeout ${this.name} 10000`,
          `sentinel parallel-syncs ${this.name} 1`,
          '',
        ].join('\n'),
      );
      await this.launch(port, [file, '--sentinel']);
    }
    // Every sentinel knows the replica and the two other sentinels: a failover can be run and agreed on.
    for (const port of this.sentinelPorts) {
      await waitFor(
        async () =>
          ((await command(port, 'SENTINEL', 'REPLICAS', this.name)) as unknown[]).length === 1 &&
          ((await command(port, 'SENTINEL', 'SENTINELS', this.name)) as unknown[]).length === 2,
        { timeoutMs: 15_000, message: `sentinel ${port} discovered the group` },
      );
    }
  }

  /** The primary's port as the sentinels tell it. */
  async primaryPort(): Promise<number> {
    const [, port] = (await command(this.sentinelPorts[0], 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.name)) as [string, string];
    return Number(port);
  }

  get env(): Record<string, string> {
    return {
      REDIS_SENTINELS: this.sentinelPorts.map((port) => `127.0.0.1:${port}`).join(','),
      REDIS_SENTINEL_NAME: this.name,
    };
  }
}

/** Three primaries, no replicas, slots spread by redis-cli; a node that is down leaves the others serving. */
export class RedisCluster extends Processes {
  ports: number[] = [];

  static async start(): Promise<RedisCluster> {
    const cluster = new RedisCluster();
    try {
      await cluster.boot();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  private async boot(): Promise<void> {
    for (let i = 0; i < 3; i += 1) this.ports.push(await freePort());
    for (const port of this.ports) {
      const dir = join(this.dir, String(port));
      mkdirSync(dir);
      await this.launch(port, [
        '--port', String(port),
        '--dir', dir,
        '--cluster-enabled', 'yes',
        '--cluster-config-file', 'nodes.conf',
        '--cluster-node-timeout', '2000',
        '--cluster-require-full-coverage', 'no',
        '--appendonly', 'yes',
        ...COMMON,
      ]);
    }
    const create = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...this.ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'],
      { encoding: 'utf8', timeout: 30_000 },
    );
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout} ${create.stderr}`);
    await this.waitHealthy();
  }

  async waitHealthy(): Promise<void> {
    for (const port of this.ports) {
      await waitFor(async () => String(await command(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok'), {
        timeoutMs: 15_000,
        message: `cluster node ${port} sees the cluster ok`,
      });
    }
  }

  /** Stops the node (SIGTERM) and returns a function that starts it again on the same port, data and nodes.conf. */
  async stopNode(index: number): Promise<() => Promise<void>> {
    const server = this.servers[index];
    await this.halt(server);
    return () => this.run(server);
  }

  get env(): Record<string, string> {
    return { REDIS_CLUSTER_NODES: this.ports.map((port) => `127.0.0.1:${port}`).join(',') };
  }
}
