import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { subscribeKalshiPrices } from '@kalshi-ingestor/client';
import { loadConfig, type RedisConfig } from '../../src/config';
import { createRedis, quitRedis, type RedisClient } from '../../src/redis/connect';
import { redisKeys } from '../../src/sinks/redis-keys';
import { RedisPublisher } from '../../src/sinks/redis-publisher';
import { gameState, Recorder } from '../client/helpers';
import { waitFor } from '../helpers/wait';
import { freePort, missingBinaries } from './servers';

const openssl = spawnSync('openssl', ['version']).status === 0;
const missing = missingBinaries() ?? (openssl ? undefined : 'openssl is not installed (it makes the test certificates)');
if (missing !== undefined) process.stdout.write(`SKIPPED test/redis-shapes/tls.test.ts: ${missing}\n`);
const describeIf = missing === undefined ? describe : describe.skip;

function run(args: string[], cwd: string): void {
  const result = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
}

describeIf('Redis over TLS (rediss:// and REDIS_TLS_CA_PATH)', () => {
  let dir: string;
  let port: number;
  let server: ChildProcess;
  const clients: RedisClient[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'redis-tls-'));
    // A private CA and a server certificate for localhost / 127.0.0.1 signed by it.
    run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=kalshi-test-ca'], dir);
    run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir);
    writeFileSync(join(dir, 'ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'ext'], dir);
    port = await freePort();
    server = spawn(
      'redis-server',
      ['--port', '0', '--tls-port', String(port), '--tls-cert-file', 'server.pem', '--tls-key-file', 'server.key',
        '--tls-ca-cert-file', 'ca.pem', '--tls-auth-clients', 'no', '--requirepass', 'tls-secret',
        '--bind', '127.0.0.1', '--save', '', '--dir', dir],
      { cwd: dir, stdio: 'ignore' },
    );
    const probe = create({ REDIS_URL: `rediss://:tls-secret@localhost:${port}`, REDIS_TLS_CA_PATH: join(dir, 'ca.pem') });
    await waitFor(() => probe.ping().then((reply) => reply === 'PONG'), { timeoutMs: 10_000, message: 'redis-server with TLS' });
  });
  afterAll(async () => {
    await Promise.allSettled(clients.map(quitRedis));
    if (server?.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGKILL');
      await exited;
    }
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  function config(env: Record<string, string>): RedisConfig {
    const result = loadConfig({ KALSHI_WS_ENABLED: 'false', ...env });
    if (!result.ok) throw new Error(result.problems.join('\n'));
    return result.config.redis;
  }
  function create(env: Record<string, string>): RedisClient {
    const client = createRedis(config(env), { role: 'main', connectionName: 'tls-test', lazyConnect: false, enableOfflineQueue: true, retryStrategy: () => null });
    client.on('error', () => undefined);
    clients.push(client);
    return client;
  }

  it('publishes over TLS and the consumer client receives it, the server checked against the CA and its name', async () => {
    const env = { REDIS_URL: `rediss://:tls-secret@localhost:${port}`, REDIS_TLS_CA_PATH: join(dir, 'ca.pem') };
    const redis = create(env);
    const keys = redisKeys('tls:');
    const recorder = new Recorder();
    const reader = createRedis(config(env), { role: 'subscriber', connectionName: 'tls-consumer' });
    clients.push(reader);
    const subscription = subscribeKalshiPrices({ redis: reader, keyPrefix: 'tls:', onUpdate: recorder.onUpdate, onError: recorder.onError });
    try {
      await subscription.ready;
      await new RedisPublisher(redis, keys, { hashTtlMs: 60_000 }).publish([gameState('g1', [40, 39, 61, 60], 1_738_772_400_000)]);
      await waitFor(() => recorder.last('g1')?.homeTeam.kalshiBuyPrice === 61, { message: 'the message over TLS' });
      expect(await redis.hget(keys.prices('g1'), 'homeBuyPrice')).toBe('61');
    } finally {
      await subscription.close();
    }
  });

  it('refuses a server its CA did not sign: without REDIS_TLS_CA_PATH the system CAs do not know the test CA', async () => {
    const redis = create({ REDIS_URL: `rediss://:tls-secret@localhost:${port}` });
    await expect(waitFor(() => redis.status === 'end', { timeoutMs: 5000 })).resolves.toBe(true);
    await expect(redis.ping()).rejects.toThrow();
  });
});
