import { setTimeout as sleep } from 'node:timers/promises';

/** Waits for `work` at most `ms`: true when it settled in time (its outcome is the caller's business). */
export async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  const timer = new AbortController();
  const settled = work.then(
    () => true,
    () => true,
  );
  const timedOut = sleep(Math.max(0, ms), false, { signal: timer.signal }).catch(() => false);
  try {
    return await Promise.race([settled, timedOut]);
  } finally {
    timer.abort();
  }
}
