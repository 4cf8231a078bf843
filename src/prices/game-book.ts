import { unitsToCents } from './dollars';
import type { GameResult, GameStatus, MarketResult, MarketStatus, MarketStatusUpdate } from './market-status';
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
  /** The third market of a three-way event (a soccer game's `…-TIE`): its presence makes the game three-way. */
  draw: MarketState | undefined;
  /** The game's version: hash `timestamp` and Postgres `kalshiUpdatedAt`. Never goes back. */
  updatedAtMs: number;
  /** Derived from the markets' statuses by {@link refreshStatus}, kept current at every change of them or of the mapping. */
  status: GameStatus;
  result: GameResult | null;
}

/** The sides in the order a result is looked for (and a status-only state names its market). */
const SIDES = ['home', 'away', 'draw'] as const;

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
  /** The market's place in its life; undefined = not known yet (counts as neither of the statuses). */
  status: MarketStatus | undefined;
  /** Set only while `determined`: yes, no, or null for a determination that names no outcome (a void). */
  result: MarketResult | null;
  /**
   * The last quote with a bid or an ask (`liveAtMs` 0 = none yet): what stands once the market closes, even when the
   * emptied book's frame arrived before the close event (Kalshi cancels the resting orders at the close; the ticker
   * frame and the lifecycle event come on different channels, in either order).
   */
  liveBid: PriceUnits | null;
  liveAsk: PriceUnits | null;
  liveAtMs: number;
}

/** What the caller knows when a quote arrives. */
export interface ApplyContext {
  /** Local receive time of the quote. */
  receivedAtMs: number;
  /** The socket does not serve this quote's market (it is in REST fallback): REST feeds it whatever the socket said. */
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
  | { kind: 'outranked' }
  /** A quote that empties the book of a market whose trading has ended: its last quote before the close stands. */
  | { kind: 'after_close' };

export type StatusOutcome =
  /** The game's status or result changed: its new state (settlement prices once final). */
  | { kind: 'updated'; prices: GamePrices }
  /** Nothing a user sees changed (the same status again, or a market's change that leaves the game's as it was). */
  | { kind: 'unchanged' }
  | { kind: 'unmapped' };

const UNMAPPED: ApplyOutcome = { kind: 'unmapped' };
const STALE: ApplyOutcome = { kind: 'stale' };
const UNCHANGED: ApplyOutcome = { kind: 'unchanged' };
const OUTRANKED: ApplyOutcome = { kind: 'outranked' };
const AFTER_CLOSE: ApplyOutcome = { kind: 'after_close' };
const STATUS_UNMAPPED: StatusOutcome = { kind: 'unmapped' };
const STATUS_UNCHANGED: StatusOutcome = { kind: 'unchanged' };

/**
 * The prices, status and result of every mapped game, from the latest quote and status of each of its markets
 * (docs/CONTRACT.md "Prices of a game" and "A game's whole life"). Pure: no I/O, no timers.
 *
 * A game is two-way (home and away; a side without a market of its own shows the complement of the other's) or,
 * once a `draw` market is mapped, three-way (each side from its own market only, never a complement).
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
      status: undefined,
      result: null,
      liveBid: null,
      liveAsk: null,
      liveAtMs: 0,
    };
    game[market.side] = state;
    this.markets.set(market.ticker, state);
    refreshStatus(game);
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
      refreshStatus(game);
    }
    for (const game of left) {
      refreshStatus(game);
      this.dropIfEmpty(game);
    }
    return refused;
  }

  removeMarket(ticker: string): void {
    const state = this.markets.get(ticker);
    if (state === undefined) return;
    this.markets.delete(ticker);
    const game = this.games.get(state.market.gameId);
    if (game === undefined) return;
    if (game[state.market.side] === state) game[state.market.side] = undefined;
    refreshStatus(game);
    this.dropIfEmpty(game);
  }

  /**
   * Applies a quote by source precedence (docs/CONTRACT.md "Prices of a game"):
   * - socket: ignored when older (by exchange time) than the market's last socket tick; otherwise applied.
   * - REST (no exchange time, so never ordered against socket ticks by a clock): applied when the market shows no
   *   socket quote (none yet, or a REST one), when the socket does not serve the market (fallback), or when the socket has been silent on the
   *   market for `restCorrectsAfterMs` (by our receive clock, the same clock on both sides of the comparison).
   * A quote with the bid and ask already held changes nothing (`unchanged`), though a socket tick still advances
   * the market's exchange time and silence clock.
   * Once a market is closed (or determined), a quote that empties its book (no bid and no ask: Kalshi cancels the
   * resting orders at the close) changes nothing (`after_close`): the last quote before the close stands. A quote
   * with a bid or an ask still applies (docs/CONTRACT.md ignores only the emptied book; such a quote can only be
   * the exchange's word, e.g. a market reopened before its status says so).
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
      if (emptiesAfterClose(state, quote)) return AFTER_CLOSE;
    } else {
      const mayApply =
        state.source !== 'socket' || context.socketDown || context.receivedAtMs - state.socketAtMs >= this.restCorrectsAfterMs;
      if (!mayApply) return OUTRANKED;
      if (same) return UNCHANGED;
      if (emptiesAfterClose(state, quote)) return AFTER_CLOSE;
      if (!hasSocketTime(game)) raise(state, game, quote.exchangeTimeMs);
    }
    // A REST state is stamped no newer than its market's last socket exchange time: a receive time must not outrank
    // the exchange's clock at the consumers, who order a game's messages by `timestamp` (a frozen leader's late REST
    // answer would otherwise pass for the newest price).
    const stampMs = quote.source === 'rest' && state.exchangeTimeMs > 0 ? Math.min(quote.exchangeTimeMs, state.exchangeTimeMs) : quote.exchangeTimeMs;
    state.bid = quote.yesBid;
    state.ask = quote.yesAsk;
    state.source = quote.source;
    state.tickTimeMs = stampMs;
    if (quote.yesBid !== null || quote.yesAsk !== null) {
      state.liveBid = quote.yesBid;
      state.liveAsk = quote.yesAsk;
      state.liveAtMs = stampMs;
    }
    return { kind: 'updated', prices: pricesOf(game, quote.ticker, stampMs) };
  }

  /**
   * Applies a market's status (docs/CONTRACT.md "A game's whole life"). The game's status and result are derived
   * again; when either changed, the game's new state is returned (`updated`), else `unchanged`. A market that
   * closes with an emptied book (its empty frame came before the close event) shows its last live quote again:
   * that, too, is `updated`.
   *
   * The state's version is the game's current one, never lower, so the stores' guards (Postgres kalshiUpdatedAt,
   * Redis timestamp: both let an equal version through) accept it; a game with no socket exchange time yet takes
   * the receive time, as a REST quote would (a status read from REST or the lifecycle channel has no exchange time
   * of the game's own to offer). Its `timestamp` is the newest time the game has shown, so a consumer that drops
   * states older than the last one it has (the client package does) keeps this one.
   */
  applyStatus(update: MarketStatusUpdate, receivedAtMs: number): StatusOutcome {
    const state = this.markets.get(update.ticker);
    if (state === undefined) return STATUS_UNMAPPED;
    const result = update.status === 'determined' ? update.result : null;
    if (state.status === update.status && state.result === result) return STATUS_UNCHANGED;
    const game = this.games.get(state.market.gameId) as GameEntry;
    const before = game.status;
    const beforeResult = game.result;
    const wasEnded = state.status === 'closed' || state.status === 'determined';
    state.status = update.status;
    state.result = result;
    refreshStatus(game);
    const restored = !wasEnded && restoreLiveQuote(state);
    if (!restored && game.status === before && game.result === beforeResult) return STATUS_UNCHANGED;
    if (!hasSocketTime(game) && Number.isFinite(receivedAtMs)) raise(state, game, receivedAtMs);
    return { kind: 'updated', prices: pricesOf(game, update.ticker, shownTimeOf(game)) };
  }

  /** A market's status as last applied (undefined = none known). */
  statusOf(ticker: string): { status: MarketStatus; result: MarketResult | null } | undefined {
    const state = this.markets.get(ticker);
    return state?.status === undefined ? undefined : { status: state.status, result: state.result };
  }

  /** Games by status now (kalshi_games_by_status, /status): every status named, 0 where none. */
  gamesByStatus(): Record<GameStatus, number> {
    const counts: Record<GameStatus, number> = { scheduled: 0, open: 0, paused: 0, closed: 0, final: 0 };
    for (const game of this.games.values()) counts[game.status] += 1;
    return counts;
  }

  /**
   * The current state of a game, or undefined when none of its markets has quoted yet nor has a known status. It
   * names the market with the latest quote (a market with a status when none has quoted).
   */
  current(gameId: string): GamePrices | undefined {
    const game = this.games.get(gameId);
    if (game === undefined) return undefined;
    let latest: MarketState | undefined;
    let withStatus: MarketState | undefined;
    for (const side of SIDES) {
      const state = game[side];
      if (state === undefined) continue;
      if (state.source !== undefined && (latest === undefined || state.tickTimeMs > latest.tickTimeMs)) latest = state;
      if (state.status !== undefined) withStatus ??= state;
    }
    if (latest !== undefined) return pricesOf(game, latest.market.ticker, latest.tickTimeMs);
    return withStatus === undefined ? undefined : pricesOf(game, withStatus.market.ticker, shownTimeOf(game));
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
      game = {
        gameId: market.gameId,
        slug: market.slug,
        home: undefined,
        away: undefined,
        draw: undefined,
        updatedAtMs: 0,
        status: 'open',
        result: null,
      };
      this.games.set(market.gameId, game);
    }
    game.slug = market.slug;
    return game;
  }

  private dropIfEmpty(game: GameEntry): void {
    if (game.home === undefined && game.away === undefined && game.draw === undefined && this.games.get(game.gameId) === game) {
      this.games.delete(game.gameId);
    }
  }
}

function raise(state: MarketState, game: GameEntry, versionMs: number): void {
  if (versionMs > state.versionMs) state.versionMs = versionMs;
  if (versionMs > game.updatedAtMs) game.updatedAtMs = versionMs;
}

function hasSocketTime(game: GameEntry): boolean {
  return (game.home?.exchangeTimeMs ?? 0) > 0 || (game.away?.exchangeTimeMs ?? 0) > 0 || (game.draw?.exchangeTimeMs ?? 0) > 0;
}

/** Trading has ended on the market and the quote would empty its book: the last quote before the close stands. */
function emptiesAfterClose(state: MarketState, quote: MarketQuote): boolean {
  return (state.status === 'closed' || state.status === 'determined') && quote.yesBid === null && quote.yesAsk === null;
}

/**
 * A market just closed (or determined) whose book was emptied before the close event arrived: its last live quote
 * stands again. Returns whether anything changed.
 */
function restoreLiveQuote(state: MarketState): boolean {
  if (state.status !== 'closed' && state.status !== 'determined') return false;
  if (state.source === undefined || state.bid !== null || state.ask !== null || state.liveAtMs === 0) return false;
  state.bid = state.liveBid;
  state.ask = state.liveAsk;
  return true;
}

/** The newest time the game has shown (its version, or a market's quote time if later: a REST read's). */
function shownTimeOf(game: GameEntry): number {
  let ms = game.updatedAtMs;
  for (const side of SIDES) {
    const state = game[side];
    if (state !== undefined && state.tickTimeMs > ms) ms = state.tickTimeMs;
  }
  return ms;
}

/**
 * The game's status and result from its markets' (docs/CONTRACT.md "A game's whole life"), in the contract's order:
 * final when a market is determined YES (its side won; in a two-way game whose only mapped market is determined NO,
 * the other side won) or every market is determined; else closed when any is closed or determined; else paused
 * when any is paused; else scheduled when all are scheduled; else open. A market of unknown status is none of
 * these, so a game none of whose statuses is known is open.
 */
function refreshStatus(game: GameEntry): void {
  let mapped = 0;
  let determined = 0;
  let ended = 0;
  let paused = 0;
  let scheduled = 0;
  let winner: GameResult | null = null;
  let only: MarketState | undefined;
  for (const side of SIDES) {
    const state = game[side];
    if (state === undefined) continue;
    mapped += 1;
    only = state;
    switch (state.status) {
      case 'determined':
        determined += 1;
        ended += 1;
        if (state.result === 'yes') winner ??= side;
        break;
      case 'closed':
        ended += 1;
        break;
      case 'paused':
        paused += 1;
        break;
      case 'scheduled':
        scheduled += 1;
        break;
      default:
        break;
    }
  }
  let status: GameStatus;
  let result: GameResult | null = null;
  if (winner !== null) {
    status = 'final';
    result = winner;
  } else if (mapped === 1 && game.draw === undefined && only?.status === 'determined' && only.result === 'no') {
    status = 'final';
    result = only.market.side === 'home' ? 'away' : 'home';
  } else if (mapped > 0 && determined === mapped) {
    status = 'final';
  } else if (ended > 0) {
    status = 'closed';
  } else if (paused > 0) {
    status = 'paused';
  } else if (mapped > 0 && scheduled === mapped) {
    status = 'scheduled';
  } else {
    status = 'open';
  }
  game.status = status;
  game.result = result;
}

const WON: TeamPrices = { kalshiBuyPrice: 100, kalshiSellPrice: 100 };
const LOST: TeamPrices = { kalshiBuyPrice: 0, kalshiSellPrice: 0 };

function pricesOf(game: GameEntry, ticker: string, tickTimeMs: number): GamePrices {
  const { result } = game;
  const threeWay = game.draw !== undefined;
  const prices: GamePrices = {
    gameId: game.gameId,
    slug: game.slug,
    awayTeam: LOST,
    homeTeam: LOST,
    status: game.status,
    result,
    ticker,
    tickTimeMs,
    updatedAtMs: game.updatedAtMs,
  };
  if (game.status === 'final' && result !== null) {
    // Settlement: the winner's market pays 100, every other side's 0 (a two-way complement stays consistent).
    prices.awayTeam = result === 'away' ? { ...WON } : { ...LOST };
    prices.homeTeam = result === 'home' ? { ...WON } : { ...LOST };
    if (threeWay) prices.draw = result === 'draw' ? { ...WON } : { ...LOST };
  } else if (threeWay) {
    // In a three-way event one market's NO is not another's YES: each side from its own market only.
    prices.awayTeam = sidePrices(game.away, undefined);
    prices.homeTeam = sidePrices(game.home, undefined);
    prices.draw = sidePrices(game.draw, undefined);
  } else {
    prices.awayTeam = sidePrices(game.away, game.home);
    prices.homeTeam = sidePrices(game.home, game.away);
  }
  return prices;
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
