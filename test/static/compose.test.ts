/**
 * docker-compose.yml: the whole stack from one image (keygen, migrate, sim, ingestor) plus Postgres and Redis,
 * in the right order, with the contract's variables only. The keygen script is run here for real.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { EnvSchema } from '../../src/config';
import { REPO } from './helpers/helm';

interface Service {
  image?: string;
  build?: { context: string; target?: string };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  user?: string;
  read_only?: boolean;
  healthcheck?: { test: string[] };
}
const compose = parseYaml(readFileSync(path.join(REPO, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const { services } = compose;

describe('docker-compose.yml', () => {
  test('has the stores, the one-shot jobs, the simulator and the service', () => {
    expect(Object.keys(services).sort()).toEqual(['ingestor', 'keygen', 'migrate', 'postgres', 'redis', 'seed', 'sim']);
    expect(services.postgres.healthcheck?.test.join(' ')).toContain('pg_isready');
    expect(services.redis.healthcheck?.test.join(' ')).toContain('ping');
  });

  test('keygen, migrate and ingestor run the service image built from this repository, the simulator its own target, read-only', () => {
    const image = services.ingestor.image;
    for (const name of ['keygen', 'migrate', 'ingestor']) {
      expect([name, services[name].build?.context, services[name].build?.target, services[name].image, services[name].read_only]).toEqual([
        name,
        '.',
        undefined, // the Dockerfile's last stage: the production image, without the simulator
        image,
        true,
      ]);
    }
    const sim = services.sim;
    expect([sim.build?.context, sim.build?.target, sim.read_only]).toEqual(['.', 'sim', true]);
    expect(sim.image).not.toBe(image);
    expect(services.migrate.command).toEqual(['node', 'dist/db/migrate-cli.js']);
    expect(sim.command).toEqual(['node', 'packages/kalshi-sim/dist/main.js']);
    expect(services.ingestor.command).toBeUndefined(); // the image's CMD: node dist/main.js
  });

  test('start order: stores healthy, key pair made, schema migrated and seeded, then the service', () => {
    expect(services.migrate.depends_on?.postgres.condition).toBe('service_healthy');
    expect(services.seed.depends_on?.migrate.condition).toBe('service_completed_successfully');
    expect(services.sim.depends_on?.keygen.condition).toBe('service_completed_successfully');
    expect(services.ingestor.depends_on).toEqual(
      expect.objectContaining({
        redis: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
        sim: expect.anything(),
      }),
    );
  });

  test('the service talks to the simulator with the shared key pair, and sets only contract variables', () => {
    const env = services.ingestor.environment ?? {};
    expect(env.KALSHI_WS_URL).toBe('ws://sim:9090/trade-api/ws/v2');
    expect(env.KALSHI_REST_URL).toBe('http://sim:9090/trade-api/v2');
    expect(env.KALSHI_API_KEY_ID).toBe(services.sim.environment?.SIM_KEY_ID);
    expect(env.DATABASE_URL).toBe(services.migrate.environment?.DATABASE_URL);
    expect(Object.keys(env).filter((name) => !(name in EnvSchema.properties))).toEqual([]);
    const sim = services.sim.environment ?? {};
    expect(Object.keys(sim).sort()).toEqual(['SIM_HOST', 'SIM_KEY_ID', 'SIM_MARKETS', 'SIM_PORT', 'SIM_PUBLIC_KEY_PATH']);
    expect(sim.SIM_HOST).toBe('0.0.0.0'); // reachable from the ingestor container
    expect(new URL(env.KALSHI_WS_URL).port).toBe(sim.SIM_PORT);
    const keysVolume = (s: Service) => s.volumes?.find((v) => v.startsWith('kalshi-keys:'))?.split(':')[1];
    expect(path.posix.dirname(env.KALSHI_PRIVATE_KEY_PATH)).toBe(keysVolume(services.ingestor));
    expect(path.posix.dirname(sim.SIM_PUBLIC_KEY_PATH)).toBe(keysVolume(services.sim));
    expect(keysVolume(services.keygen)).toBe(services.keygen.environment?.KEY_DIR);
  });

  test('the simulator quotes exactly the markets the seed maps', () => {
    const sql = (services.seed.command ?? []).join('\n');
    const seeded = [...sql.matchAll(/\('([A-Z0-9-]+)', 'demo-\d+', '(home|away)'/g)].map((m) => m[1]).sort();
    expect(seeded.length).toBeGreaterThanOrEqual(3);
    expect((services.sim.environment?.SIM_MARKETS ?? '').split(',').sort()).toEqual(seeded);
  });

  test('the keygen script writes a working RSA key pair, once', () => {
    const command = services.keygen.command ?? [];
    expect(command.slice(0, 2)).toEqual(['node', '-e']);
    expect(command[2]).not.toContain('$'); // compose would interpolate it
    const dir = mkdtempSync(path.join(tmpdir(), 'kalshi-keygen-'));
    try {
      const first = execFileSync(process.execPath, ['-e', command[2]], { env: { ...process.env, KEY_DIR: dir } }).toString();
      expect(first).toContain('wrote a new key pair');
      const privatePem = readFileSync(path.join(dir, 'kalshi.pem'), 'utf8');
      const publicPem = readFileSync(path.join(dir, 'kalshi.pub.pem'), 'utf8');
      expect(statSync(path.join(dir, 'kalshi.pem')).mode & 0o777).toBe(0o600);
      const signature = sign('sha256', Buffer.from('hello'), createPrivateKey(privatePem));
      expect(verify('sha256', Buffer.from('hello'), createPublicKey(publicPem), signature)).toBe(true);
      const second = execFileSync(process.execPath, ['-e', command[2]], { env: { ...process.env, KEY_DIR: dir } }).toString();
      expect(second).toContain('already');
      expect(readFileSync(path.join(dir, 'kalshi.pem'), 'utf8')).toBe(privatePem);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
