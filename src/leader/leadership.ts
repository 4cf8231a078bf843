import type { Logger } from 'pino';
import { every } from '../timing/every';
import type { LeaderLock } from './leader-lock';

export type Role = 'leader' | 'standby';

export interface LeadershipOptions {
  lock: Pick<LeaderLock, 'tryAcquire' | 'renew' | 'release' | 'owner'>;
  ttlMs: number;
  retryMs: number;
  log: Logger;
  /** This replica took the lock: begin a term (synchronously: renewals must not wait for it). */
  onElected(): void;
  /**
   * It must stop leading at once (lock lost or not renewable). The handler aborts the term before its first
   * await; the loop waits for the returned promise before it tries the lock again.
   */
  onDeposed(reason: string): Promise<void>;
  now?: () => number;
}

/**
 * The standby ⇄ leader loop. A standby tries the lock every `retryMs`; a leader renews every ttl/3 and steps
 * down when a renewal finds another owner, or when no renewal has succeeded for 2/3 of the ttl (its lock may
 * be about to expire and another replica to take it).
 */
export class Leadership {
  private roleValue: Role = 'standby';
  private readonly controller = new AbortController();
  private loop: Promise<void> | undefined;
  private lastRenewedAt = 0;
  private renewalFailing = false;
  private readonly now: () => number;

  constructor(private readonly options: LeadershipOptions) {
    this.now = options.now ?? Date.now;
  }

  get role(): Role {
    return this.roleValue;
  }

  /** Leader, and renewed recently enough that no other replica can hold the lock yet. */
  holdsLock(): boolean {
    return this.roleValue === 'leader' && this.now() - this.lastRenewedAt < this.stepDownAfterMs();
  }

  start(): void {
    this.loop ??= every(() => this.nextDelay(), this.controller.signal, () => this.step());
  }

  /**
   * Ends the loop and waits for the attempt in flight (bounded by the lock connection's command timeout). A
   * lock that attempt takes is released at once; a lock held before stays: the caller releases it after its
   * last writes.
   */
  async stop(): Promise<void> {
    this.controller.abort();
    await this.loop;
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
    const { lock, log } = this.options;
    let acquired: boolean;
    // The lock's lifetime starts when Redis runs the command, no earlier than it was sent.
    const sentAt = this.now();
    try {
      acquired = await lock.tryAcquire();
    } catch (err) {
      log.debug({ err }, 'cannot reach Redis to take the leader lock');
      return;
    }
    if (!acquired) return;
    if (this.controller.signal.aborted) {
      // Shutdown began while the SET was in flight: nobody will lead with this lock, so let a standby have it.
      const released = await lock.release().catch((err: unknown) => {
        log.warn({ err }, 'took the leader lock while shutting down and could not release it; it expires by its ttl');
        return false;
      });
      log.info({ released }, 'took the leader lock while shutting down: released it');
      return;
    }
    this.lastRenewedAt = sentAt;
    this.roleValue = 'leader';
    log.info({ owner: lock.owner }, 'took the leader lock: this replica leads');
    this.options.onElected();
  }

  private async renewOrStepDown(): Promise<void> {
    let stillOurs: boolean;
    const sentAt = this.now();
    try {
      stillOurs = await this.options.lock.renew();
    } catch (err) {
      this.renewalFailing = true;
      const sinceRenewal = this.now() - this.lastRenewedAt;
      if (sinceRenewal < this.stepDownAfterMs()) {
        this.options.log.warn({ err, sinceRenewalMs: sinceRenewal }, 'could not renew the leader lock; retrying');
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
