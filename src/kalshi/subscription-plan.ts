/**
 * What one connection's `ticker` subscription holds, and what it should hold. Kalshi keeps one ticker
 * subscription per connection (a second `subscribe` merges into it, docs/KALSHI.md), so this is one sid at most.
 */
export interface SubscriptionState {
  desired: ReadonlySet<string>;
  /** The connection's subscription, once Kalshi has answered `subscribed`. */
  sid: number | undefined;
  /** What Kalshi holds: the last `ok` list, plus what a `subscribe` sent. */
  held: ReadonlySet<string>;
  /** Held only because a `subscribe` (whose reply carries no list) sent them: not yet confirmed by an `ok` list. */
  unconfirmed: ReadonlySet<string>;
  /** Markets Kalshi refused, with when each may be tried again (Unix ms). */
  refused: ReadonlyMap<string, number>;
  /** Groups left by narrowing a refused command: each is tried on its own. */
  probes: readonly (readonly string[])[];
  /** Markets whose removal Kalshi refused twice: forgotten locally, never asked to delete again on this socket. */
  abandoned: ReadonlySet<string>;
  /** Markets whose subscription went silent: removed, then added again with a snapshot. */
  renew: ReadonlySet<string>;
  /** The most markets the subscription takes, once Kalshi answered 26; undefined until then. */
  capacity: number | undefined;
  /** Most tickers a command may carry. */
  batchSize: number;
  now: number;
}

export type Purpose = 'new' | 'probe' | 'retry' | 'verify';

export type SubscriptionCommand =
  | { kind: 'unsubscribe'; sid: number }
  | { kind: 'delete_markets'; sid: number; tickers: string[] }
  | { kind: 'add_markets'; sid: number; tickers: string[]; snapshot: boolean; purpose: Purpose }
  | { kind: 'subscribe'; tickers: string[]; purpose: Purpose };

/**
 * The next command that brings the subscription closer to the desired set. In order: removals (they free room),
 * groups being narrowed after a refusal, new markets, refused markets whose retry is due (one a command, so a
 * market still refused cannot take good ones down with it, and after the new ones, so that after a reconnect
 * the markets Kalshi takes are not kept waiting behind those it refused), and last a check of what a
 * `subscribe` left unconfirmed. Pure.
 */
export function planNextCommand(state: SubscriptionState): SubscriptionCommand | undefined {
  const { sid, held } = state;
  if (sid !== undefined) {
    const stale: string[] = [];
    for (const ticker of held) {
      if (state.abandoned.has(ticker)) continue;
      if (!state.desired.has(ticker) || state.renew.has(ticker)) stale.push(ticker);
    }
    if (stale.length > 0) {
      // An emptied ticker subscription is not worth keeping: unsubscribe rather than risk a list-less one.
      if (stale.length === held.size && ![...held].some((t) => state.renew.has(t))) return { kind: 'unsubscribe', sid };
      return { kind: 'delete_markets', sid, tickers: stale.slice(0, state.batchSize) };
    }
  }

  const wanted = (ticker: string): boolean => state.desired.has(ticker) && !held.has(ticker);
  const add = (tickers: string[], purpose: Purpose): SubscriptionCommand =>
    sid === undefined ? { kind: 'subscribe', tickers, purpose } : { kind: 'add_markets', sid, tickers, snapshot: true, purpose };

  for (const group of state.probes) {
    const tickers = group.filter((t) => wanted(t) && !state.refused.has(t));
    if (tickers.length > 0) return add(tickers.slice(0, state.batchSize), 'probe');
  }

  const room = state.capacity === undefined ? state.batchSize : Math.min(state.batchSize, state.capacity - held.size);
  if (room > 0) {
    const probing = new Set(state.probes.flat());
    const missing: string[] = [];
    for (const ticker of state.desired) {
      if (held.has(ticker) || state.refused.has(ticker) || probing.has(ticker)) continue;
      missing.push(ticker);
      if (missing.length === room) break;
    }
    if (missing.length > 0) return add(missing, 'new');
  }

  for (const [ticker, retryAt] of state.refused) {
    if (retryAt <= state.now && wanted(ticker)) return add([ticker], 'retry');
  }

  if (sid !== undefined) {
    const unconfirmed = [...state.unconfirmed].filter((t) => state.desired.has(t)).slice(0, state.batchSize);
    // Re-adding tickers a subscription holds changes nothing on Kalshi; its `ok` list says which it really holds.
    if (unconfirmed.length > 0) return { kind: 'add_markets', sid, tickers: unconfirmed, snapshot: false, purpose: 'verify' };
  }
  return undefined;
}

/** A refused command's tickers in two halves, each then tried alone (until the refused market is alone). */
export function halve(tickers: readonly string[]): string[][] {
  const middle = Math.ceil(tickers.length / 2);
  return [tickers.slice(0, middle), tickers.slice(middle)].filter((half) => half.length > 0);
}

export interface RetryPolicy {
  /** Delay before the first retry (within 5 s, DESIGN "Socket"). */
  firstMs: number;
  /** The longest delay (5 minutes). */
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { firstMs: 4_000, maxMs: 300_000 };

/** When a market refused `attempts` times in a row is tried again: doubling from firstMs, at most maxMs, jittered down. */
export function retryDelayMs(attempts: number, policy: RetryPolicy = DEFAULT_RETRY, random: () => number = Math.random): number {
  const base = Math.min(policy.maxMs, policy.firstMs * 2 ** Math.max(0, attempts - 1));
  // Jitter only downwards, so the bounds (first within 5 s, never beyond 5 minutes) hold.
  return Math.round(base * (0.8 + 0.2 * random()));
}
