/** What a connection has subscribed, and what it should have. */
export interface SubscriptionState {
  desired: ReadonlySet<string>;
  /** Confirmed subscriptions: sid → its tickers. */
  sids: ReadonlyMap<number, ReadonlySet<string>>;
  /** Tickers Kalshi does not know (error 16): left alone until they leave the mapping. */
  rejected: ReadonlySet<string>;
  /** Most markets a subscription may hold (learned down on error 26). */
  sidCapacity: number;
  /** Most tickers a command may carry. */
  batchSize: number;
}

export type SubscriptionCommand =
  | { kind: 'unsubscribe'; sid: number }
  | { kind: 'delete_markets'; sid: number; tickers: string[] }
  | { kind: 'add_markets'; sid: number; tickers: string[] }
  | { kind: 'subscribe'; tickers: string[] };

/**
 * The next command that brings the subscriptions closer to the desired set: removals first (they
 * free room), then additions into a subscription with room, else a new subscription. Pure.
 */
export function planNextCommand(state: SubscriptionState): SubscriptionCommand | undefined {
  const subscribed = new Set<string>();
  for (const [sid, tickers] of state.sids) {
    const stale: string[] = [];
    for (const ticker of tickers) {
      subscribed.add(ticker);
      if (!state.desired.has(ticker)) stale.push(ticker);
    }
    if (stale.length === 0) continue;
    if (stale.length === tickers.size) return { kind: 'unsubscribe', sid };
    return { kind: 'delete_markets', sid, tickers: stale.slice(0, state.batchSize) };
  }

  const missing: string[] = [];
  for (const ticker of state.desired) {
    if (subscribed.has(ticker) || state.rejected.has(ticker)) continue;
    missing.push(ticker);
    if (missing.length === state.batchSize) break;
  }
  if (missing.length === 0) return undefined;

  for (const [sid, tickers] of state.sids) {
    const room = state.sidCapacity - tickers.size;
    if (room > 0) return { kind: 'add_markets', sid, tickers: missing.slice(0, room) };
  }
  return { kind: 'subscribe', tickers: missing.slice(0, Math.min(state.batchSize, state.sidCapacity)) };
}
