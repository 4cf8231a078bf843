import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The one periodic loop of the service: runs `fn`, waits `ms` (or what `ms()` says now), and again, until
 * `signal` aborts. Never overlapping: the wait starts when `fn` has settled. A throwing `fn` does not end
 * the loop (`fn` owns its errors). Resolves once the signal has aborted and the running `fn` has settled.
 */
export async function every(
  ms: number | (() => number),
  signal: AbortSignal,
  fn: () => unknown,
  options: { runFirst?: boolean } = {},
): Promise<void> {
  let first = options.runFirst ?? true;
  while (!signal.aborted) {
    if (!first) {
      try {
        await sleep(typeof ms === 'number' ? ms : ms(), undefined, { signal });
      } catch {
        return; // aborted while waiting
      }
    }
    first = false;
    try {
      await fn();
    } catch {
      // fn reports its own failures; the loop goes on.
    }
  }
}
