// @ts-nocheck
import type { Logger } from 'pino';
import type { LeaderLock } from './leader-lock';

export type Role = 'leader' | 'standby';

export interface LeadershipOptions {
  lock: Pick<LeaderLock, 'tryAcquire' | 'renew' | 'owner'>;
  ttlMs: number;
  retryMs: number;
  log: Logger;
  /** Called when this replica takes the lock; resolves when it leads. */
  onElected(): Promise<void>;
  /** Called when it must stop leading at once (lock lost or not renewable). */
  onDeposed(reason: string): Promise<void>;
  now?: () => number;
}

/**
 * The standby ⇄ leader loop. A standby tries the lock every `retryMs`; a leader renews every
 * ttl/3 and steps down when a renewal finds another owner, or when no renewal has succeeded for
 * 2/3 of the ttl (its lock may be about to expire and another replica to take it).
 */
export class Leadership {
  private roleValue: Role = 'standby';
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private lastRenewedAt = 0;
  private renewalFailing = false;
  private transition: Promise<void> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly options: LeadershipOptions) {
    this.now = options.now ?? Date.now;
  }

  get role(): Role {
    return this.roleValue;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops the loop; the caller releases the lock once its last writes are done. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.transition;
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.transition = this.step().finally(() => {
        this.schedule(this.nextDelay());
      });
    }, delayMs);
  }

  private nextDelay(): number {
    if (this.roleValue === 'standby') return this.options.retryMs;
    const { ttlMs } = this.options;
    if (!this.renewalFailing) return Math.max(10, Math.floor(ttlMs / 3));
    // Retry often, and be sure to look again right at the step-down deadline.
    const untilDeadline = this.lastRenewedAt + this.stepDownAfterMs() - this.now();
    return Math.max(10, Math.min(Math.floor(ttlMs / 10), untilDeadline));
  }

  private stepDownAfterMs(): number {
    return Math.floor((this.options.ttlMs * 2) / 3);
  }

  private async step(): Promise<void> {
    if (this.roleValue === 'standby') await this.tryToLead();
    else await this.renewOrStepDown();
  }

  private async tryToLead(): Promise<void> {
    let acquired = false;
    // The lock's lifetime starts when Redis runs the command, no earlier than it was sent.
    const sentAt = this.now();
    try {
      acquired = await this.options.lock.tryAcquire();
    } catch (error) {
      this.options.log.debug({ err: (error as Error).message }, 'cannot reach Redis to take the leader lock');
      return;
    }
    if (!acquired || !this.running) return;
    this.lastRenewedAt = sentAt;
    this.roleValue = 'leader';
    this.options.log.info({ owner: this.options.lock.owner }, 'took the leader lock: this replica leads');
    await this.options.onElected();
  }

  private async renewOrStepDown(): Promise<void> {
    let stillOurs: boolean;
    const sentAt = this.now();
    try {
      stillOurs = await this.options.lock.renew();
    } catch (error) {
      this.renewalFailing = true;
      const sinceRenewal = this.now() - this.lastRenewedAt;
      if (sinceRenewal < this.stepDownAfterMs()) {
        this.options.log.warn({ err: (error as Error).message, sinceRenewalMs: sinceRenewal }, 'could not renew the leader lock; retrying');
        return;
      }
      await this.stepDown(`no lock renewal for ${sinceRenewal} ms (Redis unreachable)`);
      return;
    }
    this.renewalFailing = false;
    if (stillOurs) {
      this.lastRenewedAt = sentAt;
      return;
    }
    await this.stepDown('the leader lock belongs to another replica');
  }

  private async stepDown(reason: string): Promise<void> {
    this.roleValue = 'standby';
    this.renewalFailing = false;
    this.options.log.warn({ reason }, 'stepping down to standby');
    await this.options.onDeposed(reason);
  }
}
