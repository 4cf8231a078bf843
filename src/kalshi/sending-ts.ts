import { isBelievableExchangeTime } from '../prices/exchange-time';

/** Where the exchange-to-service delay goes (kalshi_exchange_delay_seconds). */
export interface ExchangeDelaySink {
  /** One frame's delay in seconds (≥ 0). Called on the hot path, once per frame that carries sending_ts_ms. */
  observe(seconds: number): void;
}

/**
 * The delay a frame's `sending_ts_ms` shows (Kalshi's queueing time, Unix ms; docs/KALSHI.md): receive time − it,
 * in seconds, clamped at 0 (our clock behind Kalshi's by a little is skew, not a negative delay). `undefined`: the
 * frame has none. `'bad'`: not an integer number of ms within the believable range of an exchange time
 * ([receive − 24 h, receive + 60 s], src/prices/exchange-time.ts: seconds instead of ms, a string, a fraction): it is
 * counted as bad input and kept out of the histogram, and the frame is handled as if it had none (its prices are
 * good; a field that only measures us never costs a tick).
 */
export function exchangeDelaySeconds(sendingTsMs: unknown, receivedAtMs: number): number | undefined | 'bad' {
  if (sendingTsMs === undefined) return undefined;
  if (typeof sendingTsMs !== 'number' || !isBelievableExchangeTime(sendingTsMs, receivedAtMs)) return 'bad';
  return receivedAtMs > sendingTsMs ? (receivedAtMs - sendingTsMs) / 1000 : 0;
}
