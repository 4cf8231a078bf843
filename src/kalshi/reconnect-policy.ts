export interface ReconnectPolicyOptions {
  delaysMs?: readonly number[];
  /** ±fraction of each delay, so replicas and connections do not reconnect in step. */
  jitter?: number;
  /** A connection that stayed up this long resets the delay; a flapping one keeps backing off. */
  healthyAfterMs?: number;
  random?: () => number;
}

export const DEFAULT_RECONNECT_DELAYS_MS: readonly number[] = [1000, 2000, 5000, 10000, 30000, 60000];

/** Reconnect delays 1, 2, 5, 10, 30, 60 s, then 60 s forever, with jitter. Never gives up. */
export class ReconnectPolicy {
  private attempt = 0;
  private readonly delays: readonly number[];
  private readonly jitter: number;
  private readonly healthyAfterMs: number;
  private readonly random: () => number;

  constructor(options: ReconnectPolicyOptions = {}) {
    this.delays = options.delaysMs ?? DEFAULT_RECONNECT_DELAYS_MS;
    this.jitter = options.jitter ?? 0.2;
    this.healthyAfterMs = options.healthyAfterMs ?? 30_000;
    this.random = options.random ?? Math.random;
  }

  /** The delay before the next attempt, given how long the last connection stayed open (0 if it never opened). */
  nextDelay(lastUptimeMs: number): number {
    if (lastUptimeMs >= this.healthyAfterMs) this.attempt = 0;
    const base = this.delays[Math.min(this.attempt, this.delays.length - 1)];
    this.attempt += 1;
    return this.withJitter(base);
  }

  /** A rejected handshake will not fix itself quickly: wait the longest delay. */
  longestDelay(): number {
    this.attempt = this.delays.length;
    return this.withJitter(this.delays[this.delays.length - 1]);
  }

  get attempts(): number {
    return this.attempt;
  }

  private withJitter(base: number): number {
    return Math.round(base * (1 + this.jitter * (2 * this.random() - 1)));
  }
}
