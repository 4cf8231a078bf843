import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cluster, Redis } from 'ioredis';
import { loadConfig, type RedisConfig } from '../../src/config';
import { createRedis, describeRedis, isCluster } from '../../src/redis/connect';

const base = { KALSHI_WS_ENABLED: 'false' };
const CA = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';

function redisConfig(env: Record<string, string>): RedisConfig {
  const result = loadConfig({ ...base, ...env });
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.config.redis;
}

function problems(env: Record<string, string>): string[] {
  const result = loadConfig({ ...base, ...env });
  if (result.ok) throw new Error('expected the configuration to be refused');
  return result.problems;
}

describe('Redis configuration', () => {
  it('defaults to a single node at REDIS_URL, and keeps config.redisUrl', () => {
    const result = loadConfig(base);
    if (!result.ok) throw new Error(result.problems.join('\n'));
    expect(result.config.redis).toEqual({
      shape: 'single',
      url: 'redis://127.0.0.1:6379',
      sentinels: undefined,
      sentinelName: 'mymaster',
      sentinelPassword: undefined,
      clusterNodes: undefined,
      tlsCaPath: undefined,
      tlsCa: undefined,
    });
    expect(result.config.redisUrl).toBe('redis://127.0.0.1:6379');
  });

  it('reads Sentinel: the sentinels, the name and their password', () => {
    const config = redisConfig({
      REDIS_URL: 'redis://:datapass@ignored:6379',
      REDIS_SENTINELS: 'sentinel-0:26379,10.0.0.2:26380,[::1]:26381',
      REDIS_SENTINEL_NAME: 'prices',
      REDIS_SENTINEL_PASSWORD: 'sentpass',
    });
    expect(config.shape).toBe('sentinel');
    expect(config.sentinels).toEqual([
      { host: 'sentinel-0', port: 26379 },
      { host: '10.0.0.2', port: 26380 },
      { host: '::1', port: 26381 },
    ]);
    expect([config.sentinelName, config.sentinelPassword]).toEqual(['prices', 'sentpass']);
  });

  it('reads Cluster nodes', () => {
    const config = redisConfig({ REDIS_CLUSTER_NODES: 'a:7000,b:7001' });
    expect(config.shape).toBe('cluster');
    expect(config.clusterNodes).toEqual([
      { host: 'a', port: 7000 },
      { host: 'b', port: 7001 },
    ]);
  });

  it('refuses bad lists, both shapes at once and an unreadable CA, one line per variable, never printing passwords', () => {
    const lines = problems({
      REDIS_URL: 'localhost:6379',
      REDIS_SENTINELS: 'a:26379,b',
      REDIS_CLUSTER_NODES: 'a:99999',
      REDIS_TLS_CA_PATH: '/nonexistent/ca.pem',
    });
    expect(lines).toHaveLength(4);
    expect(lines.find((l) => l.startsWith('REDIS_SENTINELS:'))).toMatch(/host:port/);
    expect(lines.find((l) => l.startsWith('REDIS_CLUSTER_NODES:'))).toMatch(/ports 1 to 65535/);
    expect(lines.find((l) => l.startsWith('REDIS_TLS_CA_PATH:'))).toMatch(/readable PEM file.*ENOENT/);
    expect(lines.find((l) => l.startsWith('REDIS_URL:'))).toMatch(/redis:\/\//);

    const both = problems({ REDIS_SENTINELS: 'a:26379', REDIS_CLUSTER_NODES: 'b:7000' });
    expect(both).toEqual([expect.stringMatching(/at most one may be set/)]);

    const secret = problems({ REDIS_URL: 'redis//user:hunter2@host', REDIS_SENTINEL_PASSWORD: 'hunter3' });
    expect(secret.join('\n')).not.toMatch(/hunter2|hunter3/);
    expect(secret.find((l) => l.startsWith('REDIS_SENTINEL_PASSWORD:'))).toMatch(/needs REDIS_SENTINELS/);
  });

  it('refuses a CA file that holds no certificate', () => {
    const dir = mkdtempSync(join(tmpdir(), 'redis-ca-'));
    writeFileSync(join(dir, 'ca.pem'), 'not a certificate');
    expect(problems({ REDIS_TLS_CA_PATH: join(dir, 'ca.pem') })).toEqual([expect.stringMatching(/holds none/)]);
  });
});

describe('createRedis', () => {
  const dir = mkdtempSync(join(tmpdir(), 'redis-ca-'));
  writeFileSync(join(dir, 'ca.pem'), CA);
  const caPath = join(dir, 'ca.pem');
  const opened: (Redis | Cluster)[] = [];
  afterAll(() => opened.forEach((client) => client.disconnect()));
  const create = (config: RedisConfig, role: 'main' | 'lock' | 'subscriber' = 'main') => {
    const client = createRedis(config, { role, connectionName: 'test', lazyConnect: true });
    opened.push(client);
    return client;
  };

  it('single node: host, port, password, db and TLS (ca, server name) from rediss:// and the CA path', () => {
    const client = create(redisConfig({ REDIS_URL: 'rediss://app:s%40cret@redis.example:6380/2', REDIS_TLS_CA_PATH: caPath }));
    expect(isCluster(client)).toBe(false);
    const { options } = client as Redis;
    expect(options).toMatchObject({ host: 'redis.example', port: 6380, username: 'app', password: 's@cret', db: 2 });
    expect(options.tls).toEqual({ ca: CA, servername: 'redis.example' });
    expect(options).toMatchObject({ enableOfflineQueue: false, maxRetriesPerRequest: 1, connectionName: 'test' });
    expect(options.reconnectOnError?.(new Error('READONLY You can\'t write against a read only replica.'))).toBe(true);
  });

  it('no TLS for redis:// without a CA', () => {
    expect((create(redisConfig({})) as Redis).options.tls).toBeUndefined();
  });

  it('Sentinel: ioredis sentinels, name, sentinel password, the data password from REDIS_URL, role master', () => {
    const client = create(
      redisConfig({
        REDIS_URL: 'rediss://:datapass@primary.example:6379',
        REDIS_SENTINELS: 's1:26379,s2:26379',
        REDIS_SENTINEL_NAME: 'prices',
        REDIS_SENTINEL_PASSWORD: 'sentpass',
        REDIS_TLS_CA_PATH: caPath,
      }),
    ) as Redis;
    expect(client.options).toMatchObject({
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
      name: 'prices',
      sentinelPassword: 'sentpass',
      password: 'datapass',
      role: 'master',
      failoverDetector: true,
      enableTLSForSentinelMode: true,
      sentinelTLS: { ca: CA },
      tls: { ca: CA, servername: 'primary.example' },
    });
  });

  it('Cluster: ioredis Cluster of the nodes, per-node options carry the password, TLS and connection name', () => {
    const client = create(redisConfig({ REDIS_URL: 'redis://:datapass@x:6379', REDIS_CLUSTER_NODES: 'n1:7000,n2:7001' }), 'lock');
    expect(isCluster(client)).toBe(true);
    const cluster = client as Cluster;
    expect(cluster.options.enableOfflineQueue).toBe(false);
    expect(cluster.options.redisOptions).toMatchObject({ password: 'datapass', connectionName: 'test', maxRetriesPerRequest: 1 });
    expect(describeRedis(redisConfig({ REDIS_CLUSTER_NODES: 'n1:7000,n2:7001' }))).toBe('cluster n1:7000,n2:7001 (redis)');
  });

  it('the subscriber role resubscribes by itself: no ioredis autoResubscribe, no fail-fast limits', () => {
    const { options } = create(redisConfig({}), 'subscriber') as Redis;
    expect(options.autoResubscribe).toBe(false);
    expect(options.enableOfflineQueue).toBe(true);
  });

  it('describes a single node without its password', () => {
    expect(describeRedis(redisConfig({ REDIS_URL: 'redis://:hunter2@h:1' }))).toBe('redis://:***@h:1');
  });
});
