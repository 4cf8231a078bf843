import { randomUUID } from 'node:crypto';
import { dollarsToUnits, formatCount, formatDollars, UNITS_PER_CENT, UNITS_PER_DOLLAR } from './money';
import type { TickerPayload } from './protocol';

/** A market as tests describe it: prices in dollars (0.455), null = that side of the book is empty. */
export interface SimMarket {
  ticker: string;
  yesBid: number | null;
  yesAsk: number | null;
  status?: string;
  /** `yes`, `no` or '' (default): REST's `result`, known once determined. */
  result?: MarketResultWord;
  /** Defaults to the ticker without its last `-segment` (the simulator may; clients must not parse tickers). */
  eventTicker?: string;
}

export interface QuoteUpdate {
  yesBid?: number | null;
  yesAsk?: number | null;
  /** Exchange time of the change, Unix ms; defaults to now. */
  tsMs?: number;
}

export type MarketResultWord = '' | 'yes' | 'no';

/** The market fields of `GET /trade-api/v2/markets` (docs/KALSHI.md). */
export interface RestMarket {
  ticker: string;
  event_ticker: string;
  market_type: 'binary';
  status: string;
  result: MarketResultWord;
  yes_bid_dollars: string;
  yes_ask_dollars: string;
  no_bid_dollars: string;
  no_ask_dollars: string;
  last_price_dollars: string;
  volume_fp: string;
  open_interest_fp: string;
  close_time: string;
}

export const MARKET_STATUSES: readonly string[] = [
  'initialized',
  'inactive',
  'active',
  'closed',
  'determined',
  'disputed',
  'amended',
  'finalized',
];

interface MarketState {
  readonly ticker: string;
  readonly marketId: string;
  eventTicker: string;
  status: string;
  result: MarketResultWord;
  /** Units of 1/10000 dollar; null = empty side. Invariant: bid in [1, 9999], ask in [1, 9999]. */
  bid: number | null;
  ask: number | null;
  last: number;
  volume: number;
  openInterest: number;
  bidSize: number;
  askSize: number;
  /** Contracts of the last trade. */
  lastTradeSize: number;
  tsMs: number;
  readonly openTimeMs: number;
  closeTimeMs: number;
}

export interface ExchangeOptions {
  /** Uniform [0, 1); defaults to Math.random. Inject a seeded one for reproducible walks. */
  random?: () => number;
  /** Defaults to Date.now. */
  now?: () => number;
}

const DAY_MS = 86_400_000;
const MAX_WALK_SPREAD = 5 * UNITS_PER_CENT;

/** Market state and its random walk. No I/O: callers stream the payloads it returns. */
export class Exchange {
  private readonly markets = new Map<string, MarketState>();
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(options: ExchangeOptions = {}) {
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.markets.size;
  }

  has(ticker: string): boolean {
    return this.markets.has(ticker);
  }

  tickers(): string[] {
    return [...this.markets.keys()];
  }

  /**
   * Adds markets, or updates the quote and status of ones already known (keeping their market_id).
   * All-or-nothing: throws on the first invalid entry before changing anything.
   * Returns the tickers of already-known markets that were updated (the caller streams those).
   */
  add(markets: readonly SimMarket[]): string[] {
    const parsed = markets.map((market) => parseMarket(market));
    const changed: string[] = [];
    const now = this.now();
    for (const p of parsed) {
      const existing = this.markets.get(p.ticker);
      if (existing !== undefined) {
        existing.bid = p.bid;
        existing.ask = p.ask;
        existing.status = p.status;
        existing.result = p.result;
        if (p.eventTicker !== undefined) existing.eventTicker = p.eventTicker;
        existing.tsMs = now;
        changed.push(p.ticker);
        continue;
      }
      this.markets.set(p.ticker, {
        ticker: p.ticker,
        marketId: randomUUID(),
        eventTicker: p.eventTicker ?? defaultEventTicker(p.ticker),
        status: p.status,
        result: p.result,
        bid: p.bid,
        ask: p.ask,
        last: p.bid ?? p.ask ?? 0,
        volume: this.int(0, 50_000),
        openInterest: this.int(0, 25_000),
        bidSize: p.bid === null ? 0 : this.int(1, 1_000),
        askSize: p.ask === null ? 0 : this.int(1, 1_000),
        lastTradeSize: 0,
        tsMs: now,
        openTimeMs: now,
        closeTimeMs: now + DAY_MS,
      });
    }
    return changed;
  }

  /** Open and close times, Unix ms (a `created` event carries them in seconds). */
  schedule(ticker: string): { openTimeMs: number; closeTimeMs: number } | undefined {
    const market = this.markets.get(ticker);
    return market === undefined ? undefined : { openTimeMs: market.openTimeMs, closeTimeMs: market.closeTimeMs };
  }

  /**
   * A change in the market's life (REST `status` and `result`). `closed` also moves the close time to now (a game
   * market closes early, at the final whistle) and, as Kalshi cancels resting orders after the close, empties the
   * book: the payload of that empty book is returned for the caller to stream.
   */
  setLife(ticker: string, status: string, result: MarketResultWord = ''): TickerPayload | undefined {
    const market = this.markets.get(ticker);
    if (market === undefined) throw new Error(`unknown market ${ticker}`);
    if (!MARKET_STATUSES.includes(status)) throw new RangeError(`market ${ticker}: unknown status ${status}`);
    market.status = status;
    market.result = result;
    if (status !== 'closed') return undefined;
    const now = this.now();
    market.closeTimeMs = Math.min(market.closeTimeMs, now);
    if (market.bid === null && market.ask === null) return undefined;
    market.bid = null;
    market.ask = null;
    market.bidSize = 0;
    market.askSize = 0;
    market.tsMs = now;
    return toPayload(market);
  }

  remove(ticker: string): boolean {
    return this.markets.delete(ticker);
  }

  /** Changes the quote (fields left out stay as they are) and returns the ticker payload to stream. */
  setQuote(ticker: string, update: QuoteUpdate): TickerPayload {
    const market = this.markets.get(ticker);
    if (market === undefined) throw new Error(`unknown market ${ticker}`);
    const bid = update.yesBid === undefined ? market.bid : bidUnits(update.yesBid);
    const ask = update.yesAsk === undefined ? market.ask : askUnits(update.yesAsk);
    const tsMs = update.tsMs ?? this.now();
    if (!Number.isFinite(tsMs)) throw new RangeError(`tsMs must be a finite number, got ${tsMs}`);
    if (market.bid === null && bid !== null) market.bidSize = this.int(1, 1_000);
    if (market.ask === null && ask !== null) market.askSize = this.int(1, 1_000);
    market.bid = bid;
    market.ask = ask;
    if (bid === null) market.bidSize = 0;
    if (ask === null) market.askSize = 0;
    market.tsMs = Math.trunc(tsMs);
    return toPayload(market);
  }

  /**
   * A change of book sizes only: Kalshi sends a frame with the same bid and ask (docs/KALSHI.md, since 2026-02-12).
   * Returns the payload to stream, or undefined when the market is unknown or both sides are empty.
   */
  changeSizes(ticker: string, tsMs?: number): TickerPayload | undefined {
    const market = this.markets.get(ticker);
    if (market === undefined || (market.bid === null && market.ask === null)) return undefined;
    if (market.bid !== null) market.bidSize = nextSize(market.bidSize, this.int(1, 1_000));
    if (market.ask !== null) market.askSize = nextSize(market.askSize, this.int(1, 1_000));
    market.tsMs = Math.trunc(tsMs ?? this.now());
    return toPayload(market);
  }

  /** The current `ticker` message payload of a market (an initial snapshot). */
  payload(ticker: string): TickerPayload | undefined {
    const market = this.markets.get(ticker);
    return market === undefined ? undefined : toPayload(market);
  }

  rest(ticker: string): RestMarket | undefined {
    const market = this.markets.get(ticker);
    return market === undefined ? undefined : toRest(market);
  }

  /**
   * One random-walk step: moves `count` random active markets (default ~10%, at least 1) by ±1¢,
   * sometimes ±0.5¢, keeping 0 < bid < ask < 1. Returns the payloads of the markets that changed.
   */
  tick(count?: number): TickerPayload[] {
    const candidates = [...this.markets.values()].filter(
      (m) => m.status === 'active' && (m.bid !== null || m.ask !== null),
    );
    const wanted = Math.min(candidates.length, count ?? Math.max(1, Math.round(candidates.length / 10)));
    // Partial Fisher–Yates: the first `wanted` entries become a uniform random sample.
    for (let i = 0; i < wanted; i++) {
      const j = i + Math.floor(this.random() * (candidates.length - i));
      const picked = candidates[j];
      const here = candidates[i];
      if (picked === undefined || here === undefined) break;
      candidates[i] = picked;
      candidates[j] = here;
    }
    const now = this.now();
    const moved: TickerPayload[] = [];
    for (const market of candidates.slice(0, wanted)) {
      if (!this.walk(market)) continue;
      market.tsMs = now;
      moved.push(toPayload(market));
    }
    return moved;
  }

  private walk(market: MarketState): boolean {
    const step = this.random() < 0.2 ? UNITS_PER_CENT / 2 : UNITS_PER_CENT;
    // 0: shift both sides, 1: bid only, 2: ask only (a side that is empty is never created by the walk).
    const firstMode = Math.floor(this.random() * 3);
    const firstDirection = this.random() < 0.5 ? -1 : 1;
    // The random choice first; if it would break 0 < bid < ask < 1, the other moves in turn.
    for (let m = 0; m < 3; m++) {
      const mode = (firstMode + m) % 3;
      let direction = firstDirection;
      // Keep spreads plausible: a spread wider than MAX_WALK_SPREAD only narrows when one side moves.
      if (market.bid !== null && market.ask !== null && market.ask - market.bid > MAX_WALK_SPREAD) {
        if (mode === 1) direction = 1;
        if (mode === 2) direction = -1;
      }
      for (const sign of [direction, -direction]) {
        const delta = sign * step;
        const moveBid = market.bid !== null && (mode !== 2 || market.ask === null);
        const moveAsk = market.ask !== null && (mode !== 1 || market.bid === null);
        const bid = market.bid === null ? null : market.bid + (moveBid ? delta : 0);
        const ask = market.ask === null ? null : market.ask + (moveAsk ? delta : 0);
        if (!validQuote(bid, ask)) continue;
        market.bid = bid;
        market.ask = ask;
        if (this.random() < 0.3) this.trade(market);
        market.bidSize = bid === null ? 0 : this.int(1, 1_000);
        market.askSize = ask === null ? 0 : this.int(1, 1_000);
        return true;
      }
    }
    return false;
  }

  private trade(market: MarketState): void {
    const price = this.random() < 0.5 ? market.bid : market.ask;
    if (price !== null) market.last = price;
    const contracts = this.int(1, 100);
    market.lastTradeSize = contracts;
    market.volume += contracts;
    market.openInterest = Math.max(0, market.openInterest + (this.random() < 0.5 ? -contracts : contracts));
  }

  private int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }
}

/** A random plausible quote in dollars: a bid between 5¢ and 90¢, a spread of 1–5¢. */
export function randomSimMarket(ticker: string, random: () => number = Math.random): SimMarket {
  const bidCents = 5 + Math.floor(random() * 86);
  const spread = 1 + Math.floor(random() * 5);
  return { ticker, yesBid: bidCents / 100, yesAsk: (bidCents + spread) / 100, status: 'active' };
}

function validQuote(bid: number | null, ask: number | null): boolean {
  if (bid !== null && (bid <= 0 || bid >= UNITS_PER_DOLLAR)) return false;
  if (ask !== null && (ask <= 0 || ask >= UNITS_PER_DOLLAR)) return false;
  return bid === null || ask === null || bid < ask;
}

interface ParsedMarket {
  ticker: string;
  bid: number | null;
  ask: number | null;
  status: string;
  result: MarketResultWord;
  eventTicker: string | undefined;
}

function parseMarket(market: SimMarket): ParsedMarket {
  if (typeof market.ticker !== 'string' || market.ticker.length === 0) throw new TypeError('market ticker must be a non-empty string');
  const status = market.status ?? 'active';
  if (!MARKET_STATUSES.includes(status)) throw new RangeError(`market ${market.ticker}: unknown status ${status}`);
  try {
    return {
      ticker: market.ticker,
      bid: bidUnits(market.yesBid),
      ask: askUnits(market.yesAsk),
      status,
      result: market.result ?? '',
      eventTicker: market.eventTicker,
    };
  } catch (error) {
    throw new RangeError(`market ${market.ticker}: ${(error as Error).message}`, { cause: error });
  }
}

/** A YES bid of 0 is no bid. */
function bidUnits(dollars: number | null): number | null {
  if (dollars === null) return null;
  const units = dollarsToUnits(dollars);
  return units === 0 ? null : units;
}

/** A YES ask of 1.00 is no ask. */
function askUnits(dollars: number | null): number | null {
  if (dollars === null) return null;
  const units = dollarsToUnits(dollars);
  return units === UNITS_PER_DOLLAR ? null : units;
}

/** A size that differs from the current one, so a size-only frame always says something changed. */
function nextSize(current: number, drawn: number): number {
  return drawn === current ? (drawn % 1_000) + 1 : drawn;
}

function defaultEventTicker(ticker: string): string {
  const dash = ticker.lastIndexOf('-');
  return dash > 0 ? ticker.slice(0, dash) : ticker;
}

function toPayload(m: MarketState): TickerPayload {
  return {
    market_ticker: m.ticker,
    market_id: m.marketId,
    price_dollars: formatDollars(m.last),
    yes_bid_dollars: formatDollars(m.bid ?? 0),
    yes_ask_dollars: formatDollars(m.ask ?? UNITS_PER_DOLLAR),
    volume_fp: formatCount(m.volume),
    open_interest_fp: formatCount(m.openInterest),
    dollar_volume: Math.round((m.volume * m.last) / UNITS_PER_DOLLAR),
    dollar_open_interest: Math.round((m.openInterest * m.last) / UNITS_PER_DOLLAR),
    yes_bid_size_fp: formatCount(m.bidSize),
    yes_ask_size_fp: formatCount(m.askSize),
    last_trade_size_fp: formatCount(m.lastTradeSize),
    ts: Math.floor(m.tsMs / 1000),
    ts_ms: m.tsMs,
    time: new Date(m.tsMs).toISOString(),
  };
}

function toRest(m: MarketState): RestMarket {
  return {
    ticker: m.ticker,
    event_ticker: m.eventTicker,
    market_type: 'binary',
    status: m.status,
    result: m.result,
    yes_bid_dollars: formatDollars(m.bid ?? 0),
    yes_ask_dollars: formatDollars(m.ask ?? UNITS_PER_DOLLAR),
    // NO bid = 1 − YES ask, NO ask = 1 − YES bid; an empty YES side leaves the opposite NO side empty.
    no_bid_dollars: formatDollars(m.ask === null ? 0 : UNITS_PER_DOLLAR - m.ask),
    no_ask_dollars: formatDollars(m.bid === null ? UNITS_PER_DOLLAR : UNITS_PER_DOLLAR - m.bid),
    last_price_dollars: formatDollars(m.last),
    volume_fp: formatCount(m.volume),
    open_interest_fp: formatCount(m.openInterest),
    close_time: new Date(m.closeTimeMs).toISOString(),
  };
}
