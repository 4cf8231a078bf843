/** How far back an exchange time may lie: older than this is a unit error or a replay, not a price. */
export const MAX_EXCHANGE_TIME_AGE_MS = 24 * 60 * 60 * 1000;
/**
 * How far ahead of our clock an exchange time may lie (clock skew); beyond it, e.g. a ts_ms in microseconds. A tick
 * accepted ahead freezes its market until our clock catches up (older ticks are ignored), so the lead stays short.
 */
export const MAX_EXCHANGE_TIME_LEAD_MS = 60 * 1000;

/**
 * True when `exchangeTimeMs` may be believed at local time `nowMs`: an integer number of Unix ms within
 * [now − 24 h, now + 60 s] (docs/CONTRACT.md "Prices of a game"). Anything else must never become a market's or a game's high-water mark, because
 * every later tick (and every later write guarded by it, across restarts) would be refused.
 */
export function isBelievableExchangeTime(exchangeTimeMs: number, nowMs: number): boolean {
  return (
    Number.isInteger(exchangeTimeMs) &&
    exchangeTimeMs >= nowMs - MAX_EXCHANGE_TIME_AGE_MS &&
    exchangeTimeMs <= nowMs + MAX_EXCHANGE_TIME_LEAD_MS
  );
}
