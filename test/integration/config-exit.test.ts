import { createServer, type Server } from 'node:net';
import { spawnService } from '../helpers/service-process';

// A bad configuration stops the built service before it connects to anything: exit 1, one line per bad variable
// naming it, no stack trace, no user information of any URL (docs/CONTRACT.md "Configuration").
let redis: Server;
let connections = 0;
let redisPort = 0;

beforeAll(async () => {
  redis = createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => redis.listen(0, '127.0.0.1', resolve));
  const address = redis.address();
  redisPort = typeof address === 'object' && address !== null ? address.port : 0;
});
afterAll(async () => {
  await new Promise<void>((resolve) => redis.close(() => resolve()));
});

it('exits 1 with one line per bad variable, before connecting to anything', async () => {
  const service = spawnService({
    KALSHI_WS_ENABLED: 'false',
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    DATABASE_URL: 'postgres://ingest:Zq#Wv/x@db.internal:5432/prices',
    MAPPER_REFRESH_MS: String(30 * 24 * 3600 * 1000),
    FLUSH_INTERVAL_MS: '0',
  });
  const { code } = await service.exited;
  const output = [...service.text, ...service.logs.map((line) => JSON.stringify(line))];
  expect(code).toBe(1);
  expect(output[0]).toBe('kalshi-ingestor: invalid configuration');
  expect(output.slice(1).map((line) => line.trim().split(':')[0]).sort()).toEqual(['DATABASE_URL', 'FLUSH_INTERVAL_MS', 'MAPPER_REFRESH_MS']);
  expect(output.find((line) => line.includes('DATABASE_URL'))).toContain('"postgres://***@db.internal:5432/prices"');
  expect(output.join('\n')).not.toMatch(/Zq|Wv|ingest:|\n\s+at /);
  expect(connections).toBe(0);
}, 20_000);
