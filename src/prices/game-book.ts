import { unitsToCents } from './dollars';
import {
  UNITS_PER_DOLLAR,
  type GamePrices,
  type MarketQuote,
  type PriceUnits,
  type QuoteSource,
  type Side,
  type TeamPrices,
} from './types';

export interface MappedMarket {
  ticker: string;
  gameId: string;
  slug: string;
  side: Side;
}

interface GameEntry {
  gameId: string;
  slug: string;
  home: MarketState | undefined;
  away: MarketState | undefined;
  /** The game's version: hash `timestamp` and Postgres `kalshiUpdatedAt`. Never goes back. */
  updatedAtMs: number;
}

interface MarketState {
  market: MappedMarket;
  /**
   * Top of book as last quoted: null bid = no bid, null ask = no ask. Held as fields rather than an object so a
   * tick allocates nothing here; `source` is undefined until the first quote, and until then bid/ask mean nothing.
   */
  bid: PriceUnits | null;
  ask: PriceUnits | null;
  /** Where the quote shown came from; undefined = no quote yet. */
  source: QuoteSource | undefined;
  /** Newest exchange time the socket gave this market (the staleness high-water mark); 0 = none yet. */
  exchangeTimeMs: number;
  /** Local receive time of the market's last socket tick (stale ones too); 0 = none yet. Measures its silence. */
  socketAtMs: number;
  /** Time of the quote shown (exchange time, or a REST read's receive time): the message's `timestamp`. */
  tickTimeMs: number;
  /** What this market contributes to its game's version (see {@link GameBook.apply}). */
  versionMs: number;
}

/** What the caller knows when a quote arrives. */
export interface ApplyContext {
  /** Local receive time of the quote. */
  receivedAtMs: number;
  /** The socket is down (REST fallback active): REST feeds every market. */
  socketDown: boolean;
}

export interface GameBookOptions {
  /** A REST read corrects a socket-quoted market only once the socket has been silent on it this long. */
  restCorrectsAfterMs?: number;
}

/** Default of {@link GameBookOptions.restCorrectsAfterMs}: well past a live market's tick rate, well under the 5-minute reconciliation. */
export const REST_CORRECTS_AFTER_MS = 60_000;

export type ApplyOutcome =
  | { kind: 'updated'; prices: GamePrices }
  /** Same bid and ask as held (a size-only frame): nothing a user sees changed. */
  | { kind: 'unchanged' }
  | { kind: 'unmapped' }
  /** A socket tick older than the market's last one. */
  | { kind: 'stale' }
  /** A REST quote the socket outranks (the market has a socket quote that is not silent). */
  | { kind: 'outranked' };

const UNMAPPED: ApplyOutcome = { kind: 'unmapped' };
const STALE: ApplyOutcome = { kind: 'stale' };
const UNCHANGED: ApplyOutcome = { kind: 'unchanged' };
const OUTRANKED: ApplyOutcome = { kind: 'outranked' };

/**
 * The prices of every mapped game, from the latest quote of each of its markets
 * (docs/CONTRACT.md "Prices of a game"). Pure: no I/O, no timers.
 */
export class GameBook {
  private readonly markets = new Map<string, MarketState>();
  private readonly games = new Map<string, GameEntry>();
  private readonly restCorrectsAfterMs: number;

  constructor(options: GameBookOptions = {}) {
    this.restCorrectsAfterMs = options.restCorrectsAfterMs ?? REST_CORRECTS_AFTER_MS;
  }

  get marketCount(): number {
    return this.markets.size;
  }

  get gameCount(): number {
    return this.games.size;
  }

  has(ticker: string): boolean {
    return this.markets.has(ticker);
  }

  /** The market's last applied quote, if any (`exchangeTimeMs` is the time of the quote shown). */
  quoteOf(ticker: string): MarketQuote | undefined {
    const state = this.markets.get(ticker);
    if (state?.source === undefined) return undefined;
    return { ticker, yesBid: state.bid, yesAsk: state.ask, exchangeTimeMs: state.tickTimeMs, source: state.source };
  }

  /** True once the market has had a quote since it was mapped. */
  hasQuote(ticker: string): boolean {
    return this.markets.get(ticker)?.source !== undefined;
  }

  /** Local receive time of the market's last socket tick, 0 if none: how long the socket has been silent on it. */
  socketAtOf(ticker: string): number {
    return this.markets.get(ticker)?.socketAtMs ?? 0;
  }

  /**
   * Adds a market, or re-maps one already held (its quote and times go with it). Returns false when its side is
   * already held by another market of the game.
   */
  addMarket(market: MappedMarket): boolean {
    if (this.markets.has(market.ticker)) return this.remap([market]).length === 0;
    const game = this.gameFor(market);
    if (game[market.side] !== undefined) return false;
    const state: MarketState = {
      market,
      bid: null,
      ask: null,
      source: undefined,
      exchangeTimeMs: 0,
      socketAtMs: 0,
      tickTimeMs: 0,
      versionMs: 0,
    };
    game[market.side] = state;
    this.markets.set(market.ticker, state);
    return true;
  }

  /**
   * Moves held markets to their new game, side or slug together, each with its own quote and times, so a swap of
   * sides within a game never collides with itself. Markets not held are added. Returns the markets refused
   * because their new side is held by a market that did not move (those are forgotten).
   */
  remap(markets: readonly MappedMarket[]): MappedMarket[] {
    const refused: MappedMarket[] = [];
    const moving: [MappedMarket, MarketState][] = [];
    const left = new Set<GameEntry>();
    for (const market of markets) {
      const state = this.markets.get(market.ticker);
      if (state === undefined) {
        if (!this.addMarket(market)) refused.push(market);
        continue;
      }
      const game = this.games.get(state.market.gameId);
      if (game !== undefined) {
        if (game[state.market.side] === state) game[state.market.side] = undefined;
        left.add(game);
      }
      moving.push([market, state]);
    }
    for (const [market, state] of moving) {
      const game = this.gameFor(market);
      if (game[market.side] !== undefined) {
        this.markets.delete(market.ticker);
        refused.push(market);
        left.add(game);
        continue;
      }
      state.market = market;
      game[market.side] = state;
      if (state.versionMs > game.updatedAtMs) game.updatedAtMs = state.versionMs;
    }
    for (const game of left) this.dropIfEmpty(game);
    return refused;
  }

  removeMarket(ticker: string): void {
    const state = this.markets.get(ticker);
    if (state === undefined) return;
    this.markets.delete(ticker);
    const game = this.games.get(state.market.gameId);
    if (game === undefined) return;
    if (game[state.market.side] === state) game[state.market.side] = undefined;
    this.dropIfEmpty(game);
  }

  /**
   * Applies a quote by source precedence (docs/CONTRACT.md "Prices of a game"):
   * - socket: ignored when older (by exchange time) than the market's last socket tick; otherwise applied.
   * - REST (no exchange time, so never ordered against socket ticks by a clock): applied when the market shows no
   *   socket quote (none yet, or a REST one), when the socket is down, or when the socket has been silent on the
   *   market for `restCorrectsAfterMs` (by our receive clock, the same clock on both sides of the comparison).
   * A quote with the bid and ask already held changes nothing (`unchanged`), though a socket tick still advances
   * the market's exchange time and silence clock.
   *
   * The game's version (`updatedAtMs`) is an exchange time: the newest socket exchange time among its markets.
   * A REST quote raises it only for a game none of whose markets has a socket exchange time (nothing from the
   * exchange to outrank), to its receive time, so REST-only games still move past what an earlier leader stored.
   */
  apply(quote: MarketQuote, context: ApplyContext = { receivedAtMs: quote.exchangeTimeMs, socketDown: false }): ApplyOutcome {
    const state = this.markets.get(quote.ticker);
    if (state === undefined) return UNMAPPED;
    const game = this.games.get(state.market.gameId) as GameEntry;
    const same = state.source !== undefined && state.bid === quote.yesBid && state.ask === quote.yesAsk;
    if (quote.source === 'socket') {
      // Even a stale tick shows the socket is not silent on the market.
      if (context.receivedAtMs > state.socketAtMs) state.socketAtMs = context.receivedAtMs;
      if (quote.exchangeTimeMs < state.exchangeTimeMs) return STALE;
      state.exchangeTimeMs = quote.exchangeTimeMs;
      raise(state, game, quote.exchangeTimeMs);
      if (same) return UNCHANGED;
    } else {
      const mayApply =
        state.source !== 'socket' || context.socketDown || context.receivedAtMs - state.socketAtMs >= this.restCorrectsAfterMs;
      if (!mayApply) return OUTRANKED;
      if (same) return UNCHANGED;
      if (!hasSocketTime(game)) raise(state, game, quote.exchangeTimeMs);
    }
    state.bid = quote.yesBid;
    state.ask = quote.yesAsk;
    state.source = quote.source;
    state.tickTimeMs = quote.exchangeTimeMs;
    return { kind: 'updated', prices: pricesOf(game, quote.ticker, quote.exchangeTimeMs) };
  }

  /** The current prices of a game, or undefined when none of its markets has quoted yet. */
  current(gameId: string): GamePrices | undefined {
    const game = this.games.get(gameId);
    if (game === undefined) return undefined;
    let latest: MarketState | undefined;
    for (const state of [game.home, game.away]) {
      if (state?.source !== undefined && (latest === undefined || state.tickTimeMs > latest.tickTimeMs)) latest = state;
    }
    return latest === undefined ? undefined : pricesOf(game, latest.market.ticker, latest.tickTimeMs);
  }

  gameIds(): IterableIterator<string> {
    return this.games.keys();
  }

  tickers(): IterableIterator<string> {
    return this.markets.keys();
  }

  private gameFor(market: MappedMarket): GameEntry {
    let game = this.games.get(market.gameId);
    if (game === undefined) {
      game = { gameId: market.gameId, slug: market.slug, home: undefined, away: undefined, updatedAtMs: 0 };
      this.games.set(market.gameId, game);
    }
    game.slug = market.slug;
    return game;
  }

  private dropIfEmpty(game: GameEntry): void {
    if (game.home === undefined && game.away === undefined && this.games.get(game.gameId) === game) this.games.delete(game.gameId);
  }
}

function raise(state: MarketState, game: GameEntry, versionMs: number): void {
  if (versionMs > state.versionMs) state.versionMs = versionMs;
  if (versionMs > game.updatedAtMs) game.updatedAtMs = versionMs;
}

function hasSocketTime(game: GameEntry): boolean {
  return (game.home?.exchangeTimeMs ?? 0) > 0 || (game.away?.exchangeTimeMs ?? 0) > 0;
}

function pricesOf(game: GameEntry, ticker: string, tickTimeMs: number): GamePrices {
  return {
    gameId: game.gameId,
    slug: game.slug,
    awayTeam: sidePrices(game.away, game.home),
    homeTeam: sidePrices(game.home, game.away),
    ticker,
    tickTimeMs,
    updatedAtMs: game.updatedAtMs,
  };
}

function sidePrices(own: MarketState | undefined, other: MarketState | undefined): TeamPrices {
  if (own?.source !== undefined) {
    // buy = YES ask, sell = YES bid
    return { kalshiBuyPrice: cents(own.ask), kalshiSellPrice: cents(own.bid) };
  }
  if (other?.source !== undefined) {
    // NO ask = 1 − YES bid, NO bid = 1 − YES ask
    return { kalshiBuyPrice: cents(complement(other.bid)), kalshiSellPrice: cents(complement(other.ask)) };
  }
  return { kalshiBuyPrice: null, kalshiSellPrice: null };
}

function complement(units: PriceUnits | null): PriceUnits | null {
  return units === null ? null : UNITS_PER_DOLLAR - units;
}

function cents(units: PriceUnits | null): number | null {
  return units === null ? null : unitsToCents(units);
}
