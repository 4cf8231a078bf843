import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('loadConfig', () => {
  it('applies every default of the contract', () => {
    const result = loadConfig({ KALSHI_WS_ENABLED: 'false' });
    if (!result.ok) throw new Error(result.problems.join('\n'));
    const c = result.config;
    expect(c.kalshi.wsUrl).toBe('wss://external-api-ws.kalshi.com/trade-api/ws/v2');
    expect(c.kalshi.restUrl).toBe('https://external-api.kalshi.com/trade-api/v2');
    expect(c.kalshi.wsEnabled).toBe(false);
    expect(c.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/postgres');
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.http).toEqual({ port: 8080, host: '0.0.0.0' });
    expect([c.flushIntervalMs, c.flushOffsetMs, c.maxQueueSize, c.publishIntervalMs]).toEqual([5000, 2500, 1000, 100]);
    expect([c.mapperRefreshMs, c.leaderLockTtlMs, c.leaderRetryMs]).toEqual([60000, 30000, 1000]);
    expect([c.fallbackAfterMs, c.fallbackPollIntervalMs, c.stallTimeoutMs]).toEqual([10000, 30000, 30000]);
    expect([c.reconcileIntervalMs, c.maxMarkets, c.shutdownTimeoutMs]).toEqual([300000, 5000, 10000]);
    expect(c.restRatePerS).toBe(10);
    expect(c.exchangeStatusIntervalMs).toBe(60000);
    expect(c.workerId.length).toBeGreaterThan(0);
    expect(c.logLevel).toBe('info');
  });

  it('takes KALSHI_REST_RATE_PER_S as a number above 0 and at most 1000 (fractions allowed)', () => {
    const rate = (value: string) => {
      const result = loadConfig({ KALSHI_WS_ENABLED: 'false', KALSHI_REST_RATE_PER_S: value });
      return result.ok ? result.config.restRatePerS : result.problems.join('\n');
    };
    expect(rate('2.5')).toBe(2.5);
    expect(rate('20')).toBe(20);
    for (const bad of ['0', '-1', '1001', 'fast', 'Infinity']) {
      expect(rate(bad)).toMatch(/^KALSHI_REST_RATE_PER_S: needs a number of requests per second, above 0 and at most 1000/);
    }
  });

  it('takes EXCHANGE_STATUS_INTERVAL_MS as whole milliseconds, from 100 to 2^31 - 1', () => {
    const interval = (value: string) => {
      const result = loadConfig({ KALSHI_WS_ENABLED: 'false', EXCHANGE_STATUS_INTERVAL_MS: value });
      return result.ok ? result.config.exchangeStatusIntervalMs : result.problems.join('\n');
    };
    expect(interval('15000')).toBe(15000);
    for (const bad of ['99', '-1', '1.5', 'often', '2147483648']) {
      expect(interval(bad)).toMatch(/^EXCHANGE_STATUS_INTERVAL_MS: needs an integer number of milliseconds, from 100 to 2147483647/);
    }
  });

  it('reports every bad variable at once, one line each, naming the form it needs', () => {
    const result = loadConfig({
      KALSHI_WS_ENABLED: 'false',
      PORT: 'eighty',
      FLUSH_INTERVAL_MS: '-5',
      LOG_LEVEL: 'loud',
      REDIS_URL: 'localhost:6379',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(4);
    expect(result.problems.find((p) => p.startsWith('PORT:'))).toMatch(/TCP port/);
    expect(result.problems.find((p) => p.startsWith('FLUSH_INTERVAL_MS:'))).toMatch(/milliseconds/);
    expect(result.problems.find((p) => p.startsWith('LOG_LEVEL:'))).toMatch(/one of/);
    expect(result.problems.find((p) => p.startsWith('REDIS_URL:'))).toMatch(/redis:\/\//);
  });

  it('requires a key id and a key while the socket is enabled', () => {
    const result = loadConfig({});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.join('\n')).toMatch(/KALSHI_API_KEY_ID: missing/);
    expect(result.problems.join('\n')).toMatch(/KALSHI_PRIVATE_KEY_PATH \/ KALSHI_PRIVATE_KEY: missing/);
  });

  it('reads the key from a file or from text, and never prints it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'key.pem'), pem);
    const fromFile = loadConfig({ KALSHI_API_KEY_ID: 'kid', KALSHI_PRIVATE_KEY_PATH: join(dir, 'key.pem') });
    expect(fromFile.ok && fromFile.config.kalshi.credentials?.keyId).toBe('kid');
    const fromText = loadConfig({ KALSHI_API_KEY_ID: 'kid', KALSHI_PRIVATE_KEY: pem.replace(/\n/g, '\\n') });
    expect(fromText.ok && fromText.config.kalshi.credentials?.privateKey.asymmetricKeyType).toBe('rsa');

    const bad = loadConfig({ KALSHI_API_KEY_ID: 'kid', KALSHI_PRIVATE_KEY: 'TOP-SECRET-NOT-A-KEY' });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.problems.join('\n')).toMatch(/KALSHI_PRIVATE_KEY: needs an RSA or Ed25519 private key/);
    expect(bad.problems.join('\n')).not.toContain('TOP-SECRET');
  });

  it('accepts an Ed25519 key as well as an RSA one, told apart by the key itself', () => {
    const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'ed.pem'), ed);
    const fromFile = loadConfig({ KALSHI_API_KEY_ID: 'kid', KALSHI_PRIVATE_KEY_PATH: join(dir, 'ed.pem') });
    expect(fromFile.ok && fromFile.config.kalshi.credentials?.privateKey.asymmetricKeyType).toBe('ed25519');
    const fromText = loadConfig({ KALSHI_API_KEY_ID: 'kid', KALSHI_PRIVATE_KEY: ed.replace(/\n/g, '\\n') });
    expect(fromText.ok && fromText.config.kalshi.credentials?.privateKey.asymmetricKeyType).toBe('ed25519');
  });

  it.each([
    ['EC (P-256)', () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey, 'ec'],
    ['X25519', () => generateKeyPairSync('x25519').privateKey, 'x25519'],
    ['Ed448', () => generateKeyPairSync('ed448').privateKey, 'ed448'],
  ])('refuses an %s key in one line that names the variable and the two accepted types', (_name, make, type) => {
    const text = make().export({ type: 'pkcs8', format: 'pem' }).toString();
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'other.pem'), text);
    const fromFile = loadConfig({ KALSHI_API_KEY_ID: 'kid', KALSHI_PRIVATE_KEY_PATH: join(dir, 'other.pem') });
    expect(fromFile.ok ? [] : fromFile.problems).toEqual([`KALSHI_PRIVATE_KEY_PATH: needs an RSA or Ed25519 private key; got a ${type} key`]);
    const fromText = loadConfig({ KALSHI_API_KEY_ID: 'kid', KALSHI_PRIVATE_KEY: text });
    expect(fromText.ok ? [] : fromText.problems).toEqual([`KALSHI_PRIVATE_KEY: needs an RSA or Ed25519 private key; got a ${type} key`]);
  });

  it('takes the flush offset modulo the period', () => {
    const result = loadConfig({ KALSHI_WS_ENABLED: 'false', FLUSH_INTERVAL_MS: '1000', FLUSH_OFFSET_MS: '2500' });
    expect(result.ok && result.config.flushOffsetMs).toBe(500);
  });
});

describe('loadConfig: bounds and URLs (issue 23)', () => {
  const problemsOf = (env: Record<string, string>): string[] => {
    const result = loadConfig({ KALSHI_WS_ENABLED: 'false', ...env });
    return result.ok ? [] : result.problems;
  };
  const TIME_VARIABLES = [
    'FLUSH_INTERVAL_MS', 'FLUSH_OFFSET_MS', 'PUBLISH_INTERVAL_MS', 'MAPPER_REFRESH_MS', 'LEADER_LOCK_TTL_MS', 'LEADER_RETRY_MS',
    'FALLBACK_AFTER_MS', 'FALLBACK_POLL_INTERVAL_MS', 'STALL_TIMEOUT_MS', 'RECONCILE_INTERVAL_MS', 'SHUTDOWN_TIMEOUT_MS',
  ];

  it('refuses every time above 2,147,483,647 ms (a timer fires after 1 ms beyond it), one line each', () => {
    const thirtyDays = String(30 * 24 * 3600 * 1000);
    const problems = problemsOf(Object.fromEntries(TIME_VARIABLES.map((name) => [name, thirtyDays])));
    expect(problems).toHaveLength(TIME_VARIABLES.length);
    for (const name of TIME_VARIABLES) {
      expect(problems.filter((p) => p.startsWith(`${name}:`))).toEqual([expect.stringMatching(/2147483647/)]);
    }
    expect(problemsOf(Object.fromEntries(TIME_VARIABLES.map((name) => [name, '2147483647'])))).toEqual([]);
  });

  it('keeps sensible minimums (a 0 ms flush period or lock ttl is refused)', () => {
    expect(problemsOf({ FLUSH_INTERVAL_MS: '0', LEADER_LOCK_TTL_MS: '0', STALL_TIMEOUT_MS: '0' })).toHaveLength(3);
  });

  it.each([
    ['/', 'postgres://ingest:Zq/Wv@db:5432/prices'],
    ['?', 'postgres://ingest:Zq?Wv@db:5432/prices'],
    ['#', 'postgres://ingest:Zq#Wv@db:5432/prices'],
    ['@', 'postgres://ingest:Zq@Wv@db:5432/prices'],
    ['/ after digits', 'postgres://ingest:7731/4419@db:5432/prices'],
  ])('a DATABASE_URL whose password holds an unencoded %s: one line naming the variable, no user information', (_label, url) => {
    const problems = problemsOf({ DATABASE_URL: url });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^DATABASE_URL: needs a URL .*percent-encoded/);
    expect(problems[0]).not.toMatch(/Zq|Wv|7731|4419|ingest/);
    expect(problems[0]).toContain('***@');
  });

  it('the same for REDIS_URL and the Kalshi URLs that match the pattern but do not parse', () => {
    const problems = problemsOf({ REDIS_URL: 'redis://:hunter#2@cache:6379', KALSHI_WS_URL: 'wss://[::1', KALSHI_REST_URL: 'https://exa mple' });
    expect(problems.find((p) => p.startsWith('REDIS_URL:'))).toMatch(/percent-encoded/);
    expect(problems.join('\n')).not.toContain('hunter');
    expect(problems.find((p) => p.startsWith('KALSHI_WS_URL:'))).toMatch(/parses/);
    expect(problems.filter((p) => p.startsWith('KALSHI_REST_URL:'))).toHaveLength(1);
  });

  it('a password percent-encoded is fine, and so are multi-host URLs with read-write or primary', () => {
    expect(problemsOf({ DATABASE_URL: 'postgres://ingest:p%2F%3F%23%40ss@db:5432/prices' })).toEqual([]);
    expect(problemsOf({ DATABASE_URL: 'postgres://u:p@h1:5432,h2:5432/db?target_session_attrs=read-write' })).toEqual([]);
    expect(problemsOf({ DATABASE_URL: 'postgres://u:p@h1,h2:5433/db?target_session_attrs=primary' })).toEqual([]);
    const result = loadConfig({ KALSHI_WS_ENABLED: 'false', DATABASE_URL: 'postgres://u:p@h1:5432,h2:5432/db?target_session_attrs=read-write' });
    expect(result.ok && result.config.databaseUrl).toBe('postgres://u:p@h1:5432,h2:5432/db?target_session_attrs=read-write');
  });

  it('a multi-host URL with a bad port or a target the service cannot write to is refused, one line', () => {
    expect(problemsOf({ DATABASE_URL: 'postgres://u:p@h1:5432,h2:99999/db' })).toEqual([expect.stringMatching(/^DATABASE_URL: .*ports 1 to 65535/)]);
    expect(problemsOf({ DATABASE_URL: 'postgres://u:p@h1,h2/db?target_session_attrs=read-only' })).toEqual([
      expect.stringMatching(/^DATABASE_URL: needs target_session_attrs read-write or primary/),
    ]);
  });
});
