import type postgres from 'postgres';
import { redactUrl } from '../observability/redact';
import type { RedisClient } from '../redis/connect';
import { every } from '../timing/every';
import { within } from '../timing/within';

export interface Check {
  ok: boolean;
  detail?: string;
}

export interface StoreChecks {
  postgres: Check;
  redis: Check;
}

const REFRESH_MS = 1000;
const PROBE_TIMEOUT_MS = 1000;

/**
 * Postgres and Redis reachability, probed in the background about once a second and read from memory: a probe
 * storm on /readyz costs the stores nothing.
 */
export class HealthChecks {
  private value: StoreChecks = { postgres: { ok: false, detail: 'not checked yet' }, redis: { ok: false, detail: 'not checked yet' } };

  constructor(
    private readonly sql: postgres.Sql,
    private readonly redis: RedisClient,
    /** Where Redis is, without secrets (describeRedis). */
    private readonly redisWhere: string,
  ) {
    // Redis tells when its connection comes and goes: that costs nothing, so the cache follows it at once.
    redis.on('ready', () => void this.refresh());
    redis.on('close', () => {
      this.value = { ...this.value, redis: this.redisDown() };
    });
  }

  get current(): StoreChecks {
    return this.value;
  }

  /** Probes until `signal` aborts. */
  run(signal: AbortSignal): Promise<void> {
    return every(REFRESH_MS, signal, () => this.refresh());
  }

  async refresh(): Promise<void> {
    const [postgresCheck, redisCheck] = await Promise.all([
      probe(() => this.sql`select 1`),
      this.redis.status === 'ready'
        ? probe(() => this.redis.ping())
        : Promise.resolve(this.redisDown()),
    ]);
    this.value = { postgres: postgresCheck, redis: redisCheck };
  }

  private redisDown(): Check {
    return { ok: false, detail: `Redis ${this.redis.status} at ${this.redisWhere}` };
  }
}

async function probe(check: () => Promise<unknown>): Promise<Check> {
  let failure: string | undefined;
  const answered = await within(
    check().catch((error: unknown) => {
      failure = redactUrl(error instanceof Error ? error.message : String(error));
    }),
    PROBE_TIMEOUT_MS,
  );
  if (!answered) return { ok: false, detail: `no answer in ${PROBE_TIMEOUT_MS} ms` };
  return failure === undefined ? { ok: true } : { ok: false, detail: failure };
}
