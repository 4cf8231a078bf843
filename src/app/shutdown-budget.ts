/**
 * How SHUTDOWN_TIMEOUT_MS is shared: the last flush may use all but a reserve kept for releasing the lock and
 * closing, so the lock goes even when Postgres never answers.
 */
export function shutdownBudget(timeoutMs: number, startedAt = Date.now()): { flushDeadline: number; releaseDeadline: number } {
  const reserveMs = Math.min(2000, Math.floor(timeoutMs / 4));
  return { flushDeadline: startedAt + timeoutMs - reserveMs, releaseDeadline: startedAt + timeoutMs - reserveMs / 2 };
}
