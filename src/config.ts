import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { TARGET_SESSION_ATTRS, targetSessionAttrs, urlHosts } from './db/connect-options';
import { withoutUserInfo } from './observability/redact';
import { ACCEPTED_KEY_TYPES, signingKeyType } from './kalshi/auth';

/** Node's timers take at most 2^31 − 1 ms; a longer delay fires after 1 ms (a 30-day refresh would loop). */
export const MAX_TIMER_MS = 2_147_483_647;
const Millis = (minimum: number) =>
  Type.Integer({ minimum, maximum: MAX_TIMER_MS, description: `an integer number of milliseconds, from ${minimum} to ${MAX_TIMER_MS}` });
const Count = (minimum: number) => Type.Integer({ minimum, description: `an integer, at least ${minimum}` });
const Url = (schemes: string[]) =>
  Type.String({
    pattern: `^(${schemes.join('|')})://[^\\s]+$`,
    description: `a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')}`,
  });
/** Far above Kalshi's Basic read tier (≈ 20/s): a value past it is a typo, not a plan. */
const MAX_REST_RATE_PER_S = 1000;
const Text = (description: string) => Type.String({ minLength: 1, description });
const HOST_PORT = '(\\[[0-9A-Fa-f:.]+\\]|[^\\s,:\\[\\]]+):[0-9]{1,5}';
const HostPorts = (what: string) =>
  Type.String({
    pattern: `^${HOST_PORT}(,${HOST_PORT})*$`,
    description: `a comma-separated list of host:port of ${what} (ports 1 to 65535)`,
  });

/** The environment variables of the contract (docs/CONTRACT.md "Configuration"), with their defaults. */
export const EnvSchema = Type.Object({
  KALSHI_WS_URL: Url(['ws', 'wss']),
  KALSHI_REST_URL: Url(['http', 'https']),
  KALSHI_API_KEY_ID: Type.Optional(Text('the Kalshi API key id')),
  KALSHI_PRIVATE_KEY_PATH: Type.Optional(Text('the path of a PEM file holding the RSA or Ed25519 private key')),
  KALSHI_PRIVATE_KEY: Type.Optional(Text('the RSA or Ed25519 private key as PEM text')),
  KALSHI_WS_ENABLED: Type.Boolean({ description: 'true or false' }),
  DATABASE_URL: Url(['postgres', 'postgresql']),
  REDIS_URL: Url(['redis', 'rediss']),
  REDIS_SENTINELS: Type.Optional(HostPorts('the sentinels')),
  REDIS_SENTINEL_NAME: Text('the name of the primary the sentinels monitor'),
  REDIS_SENTINEL_PASSWORD: Type.Optional(Text("the sentinels' own password")),
  REDIS_CLUSTER_NODES: Type.Optional(HostPorts('some Redis Cluster nodes')),
  REDIS_TLS_CA_PATH: Type.Optional(Text('the path of a PEM file holding the CA bundle')),
  REDIS_KEY_PREFIX: Type.String({ pattern: '^[^\\s]*$', description: 'a key prefix without spaces (empty by default)' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, description: 'a TCP port, 0 to 65535' }),
  HOST: Text('a host name or address to listen on'),
  FLUSH_INTERVAL_MS: Millis(10),
  FLUSH_OFFSET_MS: Millis(0),
  MAX_QUEUE_SIZE: Count(1),
  PUBLISH_INTERVAL_MS: Millis(0),
  MAPPER_REFRESH_MS: Millis(100),
  LEADER_LOCK_TTL_MS: Millis(300),
  LEADER_RETRY_MS: Millis(10),
  FALLBACK_AFTER_MS: Millis(0),
  FALLBACK_POLL_INTERVAL_MS: Millis(50),
  STALL_TIMEOUT_MS: Millis(100),
  KALSHI_REST_RATE_PER_S: Type.Number({
    exclusiveMinimum: 0,
    maximum: MAX_REST_RATE_PER_S,
    description: `a number of requests per second, above 0 and at most ${MAX_REST_RATE_PER_S}`,
  }),
  RECONCILE_INTERVAL_MS: Millis(100),
  EXCHANGE_STATUS_INTERVAL_MS: Millis(100),
  MAX_MARKETS: Count(1),
  SHUTDOWN_TIMEOUT_MS: Millis(100),
  WORKER_ID: Type.String({ pattern: '^[^\\s:]+$', description: 'a name without spaces or colons' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { description: 'one of fatal, error, warn, info, debug, trace, silent' },
  ),
});
export type Env = Static<typeof EnvSchema>;

export const ENV_DEFAULTS: Readonly<Record<keyof Env, string | undefined>> = {
  KALSHI_WS_URL: 'wss://external-api-ws.kalshi.com/trade-api/ws/v2',
  KALSHI_REST_URL: 'https://external-api.kalshi.com/trade-api/v2',
  KALSHI_API_KEY_ID: undefined,
  KALSHI_PRIVATE_KEY_PATH: undefined,
  KALSHI_PRIVATE_KEY: undefined,
  KALSHI_WS_ENABLED: 'true',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
  REDIS_URL: 'redis://127.0.0.1:6379',
  REDIS_SENTINELS: undefined,
  REDIS_SENTINEL_NAME: 'mymaster',
  REDIS_SENTINEL_PASSWORD: undefined,
  REDIS_CLUSTER_NODES: undefined,
  REDIS_TLS_CA_PATH: undefined,
  REDIS_KEY_PREFIX: '',
  PORT: '8080',
  HOST: '0.0.0.0',
  FLUSH_INTERVAL_MS: '5000',
  FLUSH_OFFSET_MS: '2500',
  MAX_QUEUE_SIZE: '1000',
  PUBLISH_INTERVAL_MS: '100',
  MAPPER_REFRESH_MS: '60000',
  LEADER_LOCK_TTL_MS: '30000',
  LEADER_RETRY_MS: '1000',
  FALLBACK_AFTER_MS: '10000',
  FALLBACK_POLL_INTERVAL_MS: '30000',
  STALL_TIMEOUT_MS: '30000',
  KALSHI_REST_RATE_PER_S: '10',
  RECONCILE_INTERVAL_MS: '300000',
  EXCHANGE_STATUS_INTERVAL_MS: '60000',
  MAX_MARKETS: '5000',
  SHUTDOWN_TIMEOUT_MS: '10000',
  WORKER_ID: undefined, // the host name, resolved at load time
  LOG_LEVEL: 'info',
};

const SECRET_VARIABLES = new Set<string>(['KALSHI_PRIVATE_KEY', 'REDIS_SENTINEL_PASSWORD']);

export interface HostPort {
  host: string;
  port: number;
}

/**
 * Where Redis is and how to reach it: one of three shapes. `url` always carries the data password (and
 * username) and the scheme (`rediss://` = TLS); in the Sentinel and Cluster shapes its host is not dialled.
 */
export interface RedisConfig {
  shape: 'single' | 'sentinel' | 'cluster';
  url: string;
  /** Sentinel: the sentinels to ask for the current primary. */
  sentinels?: HostPort[];
  /** Sentinel: the monitored primary's name. */
  sentinelName: string;
  /** Sentinel: the sentinels' own password (the data password stays in `url`). */
  sentinelPassword?: string;
  /** Cluster: some nodes to discover the cluster from. */
  clusterNodes?: HostPort[];
  tlsCaPath?: string;
  /** The CA bundle read from tlsCaPath at load time (PEM). */
  tlsCa?: string;
}

export interface Config {
  kalshi: {
    wsUrl: string;
    restUrl: string;
    wsEnabled: boolean;
    /** Present whenever the socket is enabled. */
    credentials?: { keyId: string; privateKey: KeyObject };
  };
  databaseUrl: string;
  redis: RedisConfig;
  /** The same as redis.url (kept for code written before the Sentinel and Cluster shapes). */
  redisUrl: string;
  redisKeyPrefix: string;
  http: { port: number; host: string };
  flushIntervalMs: number;
  flushOffsetMs: number;
  maxQueueSize: number;
  publishIntervalMs: number;
  mapperRefreshMs: number;
  leaderLockTtlMs: number;
  leaderRetryMs: number;
  fallbackAfterMs: number;
  fallbackPollIntervalMs: number;
  stallTimeoutMs: number;
  /** Requests per second to Kalshi's REST, every use together. */
  restRatePerS: number;
  reconcileIntervalMs: number;
  /** How often the leader reads Kalshi's GET /exchange/status. */
  exchangeStatusIntervalMs: number;
  maxMarkets: number;
  shutdownTimeoutMs: number;
  workerId: string;
  logLevel: Env['LOG_LEVEL'];
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

type Source = Record<string, string | undefined>;

/** Reads the environment into a Config, or reports every problem at once (one line per variable). */
export function loadConfig(source: Source): ConfigResult {
  const raw: Record<string, unknown> = {};
  for (const name of Object.keys(ENV_DEFAULTS) as (keyof Env)[]) {
    const given = source[name];
    const value = given === undefined || given === '' ? ENV_DEFAULTS[name] : given.trim();
    if (value !== undefined) raw[name] = value;
  }
  raw.WORKER_ID ??= hostname();

  const converted = Value.Convert(EnvSchema, raw) as Record<string, unknown>;
  const problems = new Map<string, string>();
  for (const error of Value.Errors(EnvSchema, converted)) {
    const name = error.path.replace(/^\//, '');
    if (problems.has(name)) continue;
    problems.set(name, describeProblem(name, error.schema, raw[name]));
  }
  // URLs are parsed, not only pattern-matched: a driver would otherwise throw a stack trace naming no variable.
  checkUrls(converted as Env, problems);
  // The Redis variables are checked together (lists, exclusivity, the CA file) even when others failed the schema.
  const redis = readRedis(converted as Env, problems);
  if (problems.size > 0) return { ok: false, problems: [...problems.values()] };

  const env = converted as Env;
  const credentials = env.KALSHI_WS_ENABLED ? readCredentials(env, problems) : undefined;
  if (problems.size > 0 || redis === undefined) return { ok: false, problems: [...problems.values()] };

  return {
    ok: true,
    config: {
      kalshi: {
        wsUrl: env.KALSHI_WS_URL,
        restUrl: env.KALSHI_REST_URL.replace(/\/+$/, ''),
        wsEnabled: env.KALSHI_WS_ENABLED,
        credentials,
      },
      databaseUrl: env.DATABASE_URL,
      redis,
      redisUrl: env.REDIS_URL,
      redisKeyPrefix: env.REDIS_KEY_PREFIX,
      http: { port: env.PORT, host: env.HOST },
      flushIntervalMs: env.FLUSH_INTERVAL_MS,
      flushOffsetMs: env.FLUSH_OFFSET_MS % env.FLUSH_INTERVAL_MS,
      maxQueueSize: env.MAX_QUEUE_SIZE,
      publishIntervalMs: env.PUBLISH_INTERVAL_MS,
      mapperRefreshMs: env.MAPPER_REFRESH_MS,
      leaderLockTtlMs: env.LEADER_LOCK_TTL_MS,
      leaderRetryMs: env.LEADER_RETRY_MS,
      fallbackAfterMs: env.FALLBACK_AFTER_MS,
      fallbackPollIntervalMs: env.FALLBACK_POLL_INTERVAL_MS,
      stallTimeoutMs: env.STALL_TIMEOUT_MS,
      restRatePerS: env.KALSHI_REST_RATE_PER_S,
      reconcileIntervalMs: env.RECONCILE_INTERVAL_MS,
      exchangeStatusIntervalMs: env.EXCHANGE_STATUS_INTERVAL_MS,
      maxMarkets: env.MAX_MARKETS,
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
      workerId: env.WORKER_ID,
      logLevel: env.LOG_LEVEL,
    },
  };
}

/** A value as a configuration error shows it: secrets hidden whole, URLs without their user information. */
function shown(name: string, given: unknown): string {
  return SECRET_VARIABLES.has(name) ? '(hidden)' : withoutUserInfo(JSON.stringify(given) ?? String(given));
}

function describeProblem(name: string, schema: TSchema, given: unknown): string {
  const form = typeof schema.description === 'string' ? schema.description : 'a valid value';
  return given === undefined ? `${name}: missing; needs ${form}` : `${name}: needs ${form}, got ${shown(name, given)}`;
}

const URL_FORM = 'characters such as / ? # @ in the user or password percent-encoded (%2F %3F %23 %40)';

/** Why a URL the pattern accepted cannot be used, or undefined when it can. */
function urlProblem(name: 'KALSHI_WS_URL' | 'KALSHI_REST_URL' | 'REDIS_URL' | 'DATABASE_URL', text: string): string | undefined {
  // The part after the host(s): a '@' there means a user or password with a reserved character not encoded, which
  // every parser reads differently (the host taken from inside the password).
  const afterScheme = text.slice(text.indexOf('://') + 3);
  const authorityEnd = afterScheme.search(/[/?#]/);
  const authority = authorityEnd === -1 ? afterScheme : afterScheme.slice(0, authorityEnd);
  const rest = authorityEnd === -1 ? '' : afterScheme.slice(authorityEnd);
  if (rest.includes('@') || (authority.match(/@/g)?.length ?? 0) > 1) return `a URL with ${URL_FORM}`;
  if (name === 'DATABASE_URL') {
    const hosts = urlHosts(text);
    if (hosts.length === 0 || hosts.some((host) => !/^(\[[0-9A-Fa-f:.]+\]|[^\s,:[\]]+)(:[0-9]{1,5})?$/.test(host) || Number(host.split(':').at(-1)) > 65535)) {
      return 'a URL naming one host or several (host:port,host:port), ports 1 to 65535';
    }
    const tsa = targetSessionAttrs(text);
    if (tsa !== null && !(TARGET_SESSION_ATTRS as readonly string[]).includes(tsa)) {
      return `target_session_attrs ${TARGET_SESSION_ATTRS.join(' or ')} (the service writes: it needs the primary)`;
    }
    // Parsed as the driver parses it: the host list replaced by its first host.
    text = text.replace(authority.slice(authority.indexOf('@') + 1), hosts[0] ?? '');
  }
  try {
    const url = new URL(text);
    if (url.hostname === '') return `a URL naming a host, with ${URL_FORM}`;
  } catch {
    return `a URL that parses, with ${URL_FORM}`;
  }
  return undefined;
}

function checkUrls(env: Env, problems: Map<string, string>): void {
  for (const name of ['KALSHI_WS_URL', 'KALSHI_REST_URL', 'REDIS_URL', 'DATABASE_URL'] as const) {
    if (problems.has(name)) continue;
    const problem = urlProblem(name, env[name]);
    if (problem !== undefined) problems.set(name, `${name}: needs ${problem}, got ${shown(name, env[name])}`);
  }
}

function readCredentials(env: Env, problems: Map<string, string>): Config['kalshi']['credentials'] {
  const keyId = env.KALSHI_API_KEY_ID;
  if (keyId === undefined) {
    problems.set(
      'KALSHI_API_KEY_ID',
      'KALSHI_API_KEY_ID: missing; needs the Kalshi API key id (or set KALSHI_WS_ENABLED=false for REST-only mode)',
    );
  }
  let pem: string | undefined;
  if (env.KALSHI_PRIVATE_KEY_PATH !== undefined) {
    try {
      pem = readFileSync(env.KALSHI_PRIVATE_KEY_PATH, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.set(
        'KALSHI_PRIVATE_KEY_PATH',
        `KALSHI_PRIVATE_KEY_PATH: needs a readable PEM file, cannot read ${JSON.stringify(env.KALSHI_PRIVATE_KEY_PATH)} (${code})`,
      );
      return undefined;
    }
  } else if (env.KALSHI_PRIVATE_KEY !== undefined) {
    pem = env.KALSHI_PRIVATE_KEY.replace(/\\n/g, '\n');
  } else {
    problems.set(
      'KALSHI_PRIVATE_KEY_PATH',
      'KALSHI_PRIVATE_KEY_PATH / KALSHI_PRIVATE_KEY: missing; one is needed with the key id (a PEM file path, or PEM text)',
    );
    return undefined;
  }
  const source = env.KALSHI_PRIVATE_KEY_PATH !== undefined ? 'KALSHI_PRIVATE_KEY_PATH' : 'KALSHI_PRIVATE_KEY';
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    problems.set(source, `${source}: needs an ${ACCEPTED_KEY_TYPES} private key in PEM form; the value given is not one (not shown)`);
    return undefined;
  }
  // The key's own type picks the signature (src/kalshi/auth.ts); any other type could never sign a handshake.
  if (signingKeyType(privateKey) === undefined) {
    problems.set(source, `${source}: needs an ${ACCEPTED_KEY_TYPES} private key; got a ${privateKey.asymmetricKeyType ?? 'non-asymmetric'} key`);
    return undefined;
  }
  return keyId === undefined ? undefined : { keyId, privateKey };
}

/** Runs after the schema check: a variable that already failed it is not looked at again (one line each). */
function readRedis(env: Env, problems: Map<string, string>): RedisConfig | undefined {
  const failed = new Set(problems.keys());
  const list = (name: 'REDIS_SENTINELS' | 'REDIS_CLUSTER_NODES') => {
    const text = env[name];
    return text === undefined || failed.has(name) ? undefined : parseHostPorts(name, text, problems);
  };
  const sentinels = list('REDIS_SENTINELS');
  const clusterNodes = list('REDIS_CLUSTER_NODES');
  if (env.REDIS_SENTINELS !== undefined && env.REDIS_CLUSTER_NODES !== undefined && !problems.has('REDIS_CLUSTER_NODES')) {
    problems.set(
      'REDIS_CLUSTER_NODES',
      'REDIS_SENTINELS / REDIS_CLUSTER_NODES: at most one may be set (Sentinel or Cluster, not both)',
    );
  }
  if (env.REDIS_SENTINEL_PASSWORD !== undefined && env.REDIS_SENTINELS === undefined) {
    problems.set('REDIS_SENTINEL_PASSWORD', 'REDIS_SENTINEL_PASSWORD: needs REDIS_SENTINELS as well (it is the sentinels\' password)');
  }
  let tlsCa: string | undefined;
  if (env.REDIS_TLS_CA_PATH !== undefined && !failed.has('REDIS_TLS_CA_PATH')) {
    try {
      tlsCa = readFileSync(env.REDIS_TLS_CA_PATH, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.set(
        'REDIS_TLS_CA_PATH',
        `REDIS_TLS_CA_PATH: needs a readable PEM file, cannot read ${JSON.stringify(env.REDIS_TLS_CA_PATH)} (${code})`,
      );
    }
    if (tlsCa !== undefined && !tlsCa.includes('-----BEGIN CERTIFICATE-----')) {
      problems.set('REDIS_TLS_CA_PATH', `REDIS_TLS_CA_PATH: needs a PEM file of certificates, ${JSON.stringify(env.REDIS_TLS_CA_PATH)} holds none`);
    }
  }
  if (problems.size > 0) return undefined;
  return {
    shape: sentinels !== undefined ? 'sentinel' : clusterNodes !== undefined ? 'cluster' : 'single',
    url: env.REDIS_URL,
    sentinels,
    sentinelName: env.REDIS_SENTINEL_NAME,
    sentinelPassword: env.REDIS_SENTINEL_PASSWORD,
    clusterNodes,
    tlsCaPath: env.REDIS_TLS_CA_PATH,
    tlsCa,
  };
}

function parseHostPorts(name: string, text: string, problems: Map<string, string>): HostPort[] | undefined {
  const list: HostPort[] = [];
  for (const item of text.split(',')) {
    const at = item.lastIndexOf(':');
    const host = item.slice(0, at).replace(/^\[(.*)\]$/, '$1');
    const port = Number(item.slice(at + 1));
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      problems.set(name, `${name}: needs ports 1 to 65535, got ${JSON.stringify(item)}`);
      return undefined;
    }
    list.push({ host, port });
  }
  return list;
}
