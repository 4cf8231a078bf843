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
    if (!first && !(await pause(typeof ms === 'number' ? ms : ms(), signal))) return;
    first = false;
    try {
      await fn();
    } catch {
      // fn reports its own failures; the loop goes on.
    }
  }
}

/**
 * timers/promises' setTimeout with a signal, on the global timer so that tests' fake timers drive it:
 * true after `ms`, false as soon as `signal` aborts.
 */
export function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
