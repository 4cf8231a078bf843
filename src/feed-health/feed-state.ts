/**
 * The feed's health as consumers read it (docs/CONTRACT.md, "Feed states"): derived here, purely, from what the
 * leader term knows. No clock, socket or store in this file: the caller hands in the facts and the time.
 */

import type { KalshiFeedState } from '@kalshi-ingestor/client';

/** `live`, `rest`, `down`, `exchange_paused`: the contract's list (the client package is its one source). */
export { FEED_STATES } from '@kalshi-ingestor/client';
export type FeedState = KalshiFeedState;

/** Kalshi's own word on trading (GET /exchange/status), as the last successful read said it. */
export interface ExchangeTrading {
  paused: boolean;
  /** exchange_estimated_resume_time, when Kalshi gave one (ISO 8601). */
  resumesAt?: string;
}

/**
 * What the term knows at one moment. Small on purpose: whoever owns the sockets and the fallback fills it, so the
 * wiring adapts when they change (fallback per market or for the whole book).
 */
export interface FeedFacts {
  /** The ticker map has been loaded once this term (before that, nothing is known). */
  mapLoaded: boolean;
  /** Markets mapped and not yet determined: the ones that should be served. */
  mappedMarkets: number;
  /** Every one of them is subscribed on an open socket (or refused by Kalshi and retried). */
  subscribedAll: boolean;
  /** false with KALSHI_WS_ENABLED=false: REST is the feed. */
  socketEnabled: boolean;
  /** Markets the REST fallback polls now (0: none; all of them in REST-only mode). */
  marketsInFallback: number;
  /** Unix ms of the last REST read that brought market data, this term (undefined: none yet). */
  lastRestSuccessAtMs: number | undefined;
  /** undefined until the first successful read of Kalshi's exchange status. */
  exchange: ExchangeTrading | undefined;
}

export interface FeedHealth {
  state: FeedState;
  /** Unix ms at which `state` began. */
  since: number;
  /** Why, in a few words. */
  reason: string;
}

export interface FeedStateOptions {
  /** FALLBACK_POLL_INTERVAL_MS: REST silent for two of these while it should serve = down. */
  pollIntervalMs: number;
  /** The state the term starts from: what the previous leader last said; none when nobody said anything. */
  initial?: FeedHealth;
}

/**
 * Feed state of one leader term, one evaluation at a time (`next`). The rules:
 * - `exchange_paused` whenever Kalshi says trading is paused: it outranks the rest;
 * - `live` when every mapped market is subscribed (or nothing is mapped);
 * - `rest` while the REST fallback serves some or all markets and has read successfully in the last two poll
 *   periods (counted from the fallback's start, so a fallback that just began is given its chance);
 * - `down` when the fallback serves but REST has brought nothing for two poll periods;
 * - otherwise (the socket just lost, the fallback not started yet: FALLBACK_AFTER_MS) the state stays what it was.
 */
export class FeedStateMachine {
  private currentValue: FeedHealth | undefined;
  /** When the socket last stopped serving every market (undefined while it serves them all). */
  private socketLostAtMs: number | undefined;
  /** When the fallback last started serving (undefined while it serves nothing). */
  private fallbackSinceMs: number | undefined;

  constructor(private readonly options: FeedStateOptions) {
    this.currentValue = options.initial === undefined ? undefined : { ...options.initial };
  }

  /** undefined until there is something to say (no previous state, and nothing known yet). */
  get current(): FeedHealth | undefined {
    return this.currentValue;
  }

  /** Evaluates the facts at `nowMs`; returns the health, with a new `since` only when the state changed. */
  next(facts: FeedFacts, nowMs: number): FeedHealth | undefined {
    const serving = facts.mapLoaded && facts.socketEnabled && (facts.subscribedAll || facts.mappedMarkets === 0);
    if (serving || !facts.mapLoaded) this.socketLostAtMs = undefined;
    else this.socketLostAtMs ??= nowMs;
    if (facts.marketsInFallback > 0) this.fallbackSinceMs ??= nowMs;
    else this.fallbackSinceMs = undefined;

    const verdict = this.verdict(facts, serving, nowMs);
    if (verdict === undefined) return this.currentValue;
    const [state, reason] = verdict;
    const since = this.currentValue?.state === state ? this.currentValue.since : nowMs;
    this.currentValue = { state, since, reason };
    return this.currentValue;
  }

  private verdict(facts: FeedFacts, serving: boolean, nowMs: number): [FeedState, string] | undefined {
    const { exchange } = facts;
    if (exchange?.paused) return ['exchange_paused', exchange.resumesAt === undefined ? 'trading paused by Kalshi' : `maintenance, resumes ${exchange.resumesAt}`];
    if (!facts.mapLoaded) return undefined;
    if (facts.mappedMarkets === 0) return ['live', 'nothing mapped'];
    if (serving) return ['live', `socket serving ${facts.mappedMarkets} markets`];
    if (facts.marketsInFallback > 0) {
      const fallbackSince = this.fallbackSinceMs ?? nowMs;
      const lastRead = Math.max(facts.lastRestSuccessAtMs ?? -Infinity, fallbackSince);
      const silentMs = nowMs - lastRead;
      const socket = this.socketPart(facts, nowMs);
      if (silentMs > 2 * this.options.pollIntervalMs) {
        const read = facts.lastRestSuccessAtMs === undefined ? 'no REST read yet' : `no REST read for ${seconds(nowMs - facts.lastRestSuccessAtMs)}`;
        return ['down', `${socket}, ${read}`];
      }
      const some = facts.marketsInFallback < facts.mappedMarkets ? ` for ${facts.marketsInFallback} of ${facts.mappedMarkets} markets` : '';
      return ['rest', `${socket}, REST serving${some}`];
    }
    // Between the socket's loss and the fallback's start: unchanged (its reason included).
    return undefined;
  }

  private socketPart(facts: FeedFacts, nowMs: number): string {
    if (!facts.socketEnabled) return 'socket disabled (KALSHI_WS_ENABLED=false)';
    return `socket down ${seconds(nowMs - (this.socketLostAtMs ?? nowMs))}`;
  }
}

function seconds(ms: number): string {
  return `${Math.max(0, Math.round(ms / 1000))} s`;
}
