import type { Logger } from 'pino';
import { every } from '../timing/every';
import { within } from '../timing/within';
import type { LeaderLock } from './leader-lock';
import type { Lease } from './lease';

export type Role = 'leader' | 'standby';

export interface LeadershipOptions {
  lock: Pick<LeaderLock, 'tryAcquire' | 'renew' | 'release' | 'owner'>;
  ttlMs: number;
  retryMs: number;
  log: Logger;
  /** This replica took the lock: begin a term with this lease (synchronously: renewals must not wait for it). */
  onElected(lease: Lease): void;
  /**
   * It must stop leading at once (lock lost or not renewable). The handler aborts the term before its first
   * await; the loop waits for the returned promise before it tries the lock again.
   */
  onDeposed(reason: string): Promise<void>;
  /** A monotonic clock in ms (default performance.now): a wall-clock jump must not renew or expire a lease. */
  now?: () => number;
}

/**
 * The standby ⇄ leader loop. A standby tries the lock every `retryMs`; a leader renews every ttl/3 and steps
 * down when a renewal finds another owner, or when no renewal has succeeded for 2/3 of the ttl (its lock may
 * be about to expire and another replica to take it).
 *
 * Each election hands the term a {@link Lease}: its number (INCR kalshi:websocket:term), the lock's value, and
 * valid(), true while this election is current and its last successful renewal (or the acquisition, timed from
 * when the command was sent) is younger than 2/3 of the ttl on the monotonic clock. A process frozen past its lock
 * finds valid() false the moment it wakes, before any renewal has answered.
 *
 * Shutdown: stop() ends the campaign (no new lock is taken; one taken meanwhile is released at once) but a leader
 * keeps renewing, through its last flush, until release() ends the loop and deletes the lock.
 */
export class Leadership {
  private roleValue: Role = 'standby';
  /** Ends the loop (renewals included): release(), or stop() while standby. */
  private readonly controller = new AbortController();
  /** Ends the attempts to take the lock: stop(). */
  private readonly campaign = new AbortController();
  private loop: Promise<void> | undefined;
  /** Monotonic ms of the last successful renewal (or of the acquisition's send). */
  private lastRenewedAt = 0;
  private renewalFailing = false;
  /** The lease of the current election; a lease is valid only while it is this one. */
  private lease: Lease | undefined;
  private readonly now: () => number;

  constructor(private readonly options: LeadershipOptions) {
    // The global performance (not node:perf_hooks' export), so fake timers in tests move it with the timers.
    this.now = options.now ?? (() => performance.now());
  }

  get role(): Role {
    return this.roleValue;
  }

  /** The current election's term number, or undefined while standby. */
  get term(): number | undefined {
    return this.roleValue === 'leader' ? this.lease?.term : undefined;
  }

  /** Leader, and renewed recently enough that no other replica can hold the lock yet. */
  holdsLock(): boolean {
    return this.roleValue === 'leader' && this.now() - this.lastRenewedAt < this.stepDownAfterMs();
  }

  start(): void {
    this.loop ??= every(() => this.nextDelay(), this.controller.signal, () => this.step());
  }

  /**
   * Ends the campaign and waits for an attempt in flight (bounded by the lock connection's command timeout). A
   * lock that attempt takes is released at once. A lock held before stays, and so do its renewals: the caller
   * releases it with release() after its last writes.
   */
  async stop(): Promise<void> {
    this.campaign.abort();
    if (this.roleValue === 'standby') {
      this.controller.abort();
      await this.loop;
    }
  }

  /**
   * Ends the renewals (waiting, until `deadline` on the wall clock, for one in flight) and compare-and-deletes the
   * lock when it is still ours. Every lease is invalid from the first line on. An unreleased lock only costs the
   * standby its ttl.
   */
  async release(deadline: number): Promise<void> {
    const { lock, log } = this.options;
    const held = this.roleValue === 'leader';
    this.campaign.abort();
    this.controller.abort();
    this.lease = undefined;
    this.roleValue = 'standby';
    await within(this.loop ?? Promise.resolve(), deadline - Date.now());
    if (!held) return;
    const release = lock.release();
    const answered = await within(release, deadline - Date.now());
    const released = answered ? await release.catch((err: unknown) => err) : new Error('no answer in time');
    if (typeof released === 'boolean') log.info({ released }, 'leader lock released');
    else log.warn({ err: released }, 'could not release the leader lock; it expires by its ttl');
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
    if (this.roleValue === 'leader') await this.renewOrStepDown();
    else if (this.campaign.signal.aborted) this.controller.abort();
    else await this.tryToLead();
  }

  private async tryToLead(): Promise<void> {
    const { lock, log } = this.options;
    let term: number | undefined;
    // The lock's lifetime starts when Redis runs the command, no earlier than it was sent.
    const sentAt = this.now();
    try {
      term = await lock.tryAcquire();
    } catch (err) {
      log.debug({ err }, 'cannot reach Redis to take the leader lock');
      return;
    }
    if (term === undefined) return;
    if (this.campaign.signal.aborted) {
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
    const lease: Lease = {
      term,
      lockValue: lock.owner,
      valid: () => this.lease === lease && this.holdsLock(),
    };
    this.lease = lease;
    log.info({ owner: lock.owner, term }, 'took the leader lock: this replica leads');
    this.options.onElected(lease);
  }

  private async renewOrStepDown(): Promise<void> {
    let stillOurs: boolean;
    const sentAt = this.now();
    try {
      stillOurs = await this.options.lock.renew();
    } catch (err) {
      this.renewalFailing = true;
      const sinceRenewal = Math.round(this.now() - this.lastRenewedAt);
      if (sinceRenewal < this.stepDownAfterMs()) {
        this.options.log.warn({ err, sinceRenewalMs: sinceRenewal }, 'could not renew the leader lock; retrying');
        return;
      }
      await this.stepDown(`no lock renewal for ${sinceRenewal} ms (Redis unreachable)`);
      return;
    }
    this.renewalFailing = false;
    if (stillOurs) {
      // A renewal answered after release() began renews nothing of ours any more.
      if (this.roleValue === 'leader') this.lastRenewedAt = sentAt;
      return;
    }
    await this.stepDown('the leader lock belongs to another replica');
  }

  private async stepDown(reason: string): Promise<void> {
    if (this.roleValue !== 'leader') return;
    this.roleValue = 'standby';
    this.lease = undefined;
    this.renewalFailing = false;
    this.options.log.warn({ reason }, 'stepping down to standby');
    await this.options.onDeposed(reason);
  }
}
