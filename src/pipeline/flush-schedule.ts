/**
 * Milliseconds from `now` until the next wall-clock time t > now with t ≡ offset (mod interval),
 * so that our flushes and the CLOB service's (on the whole period) never coincide.
 */
export function delayToNextSlot(nowMs: number, intervalMs: number, offsetMs: number): number {
  const phase = (((nowMs - offsetMs) % intervalMs) + intervalMs) % intervalMs;
  return intervalMs - phase;
}
