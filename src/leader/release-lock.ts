import type { Logger } from 'pino';
import { within } from '../timing/within';
import type { LeaderLock } from './leader-lock';

/** Compare-and-delete, waited for until `deadline` at most: an unreleased lock only costs the standby its ttl. */
export async function releaseLock(lock: Pick<LeaderLock, 'release'>, deadline: number, log: Logger): Promise<void> {
  const release = lock.release();
  const answered = await within(release, deadline - Date.now());
  const released = answered ? await release.catch((err: unknown) => err) : new Error('no answer in time');
  if (typeof released === 'boolean') log.info({ released }, 'leader lock released');
  else log.warn({ err: released }, 'could not release the leader lock; it expires by its ttl');
}
