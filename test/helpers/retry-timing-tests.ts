/**
 * Tests that run the service against real sockets, stores and child processes wait on conditions with deadlines,
 * and on this 2-core machine a deadline is sometimes missed by a scheduling stall rather than a fault (2026-12-06:
 * 3 such misses in 4 clean-clone runs of .ci/run, each passing alone). Those files get one retry, with the failed
 * try's errors printed, so a stall does not block a landing while the failure stays visible in the log. Unit,
 * static and simulator tests are deterministic and are never retried.
 */
const path = expect.getState().testPath ?? '';
if (/[\\/]test[\\/](integration|redis-shapes|e2e|client)[\\/]/.test(path)) {
  jest.retryTimes(1, { logErrorsBeforeRetry: true });
}
