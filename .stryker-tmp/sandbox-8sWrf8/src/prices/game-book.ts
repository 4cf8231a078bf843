// @ts-nocheck
function stryNS_9fa48() {
  var g = typeof globalThis === 'object' && globalThis && globalThis.Math === Math && globalThis || new Function("return this")();
  var ns = g.__stryker__ || (g.__stryker__ = {});
  if (ns.activeMutant === undefined && g.process && g.process.env && g.process.env.__STRYKER_ACTIVE_MUTANT__) {
    ns.activeMutant = g.process.env.__STRYKER_ACTIVE_MUTANT__;
  }
  function retrieveNS() {
    return ns;
  }
  stryNS_9fa48 = retrieveNS;
  return retrieveNS();
}
stryNS_9fa48();
function stryCov_9fa48() {
  var ns = stryNS_9fa48();
  var cov = ns.mutantCoverage || (ns.mutantCoverage = {
    static: {},
    perTest: {}
  });
  function cover() {
    var c = cov.static;
    if (ns.currentTestId) {
      c = cov.perTest[ns.currentTestId] = cov.perTest[ns.currentTestId] || {};
    }
    var a = arguments;
    for (var i = 0; i < a.length; i++) {
      c[a[i]] = (c[a[i]] || 0) + 1;
    }
  }
  stryCov_9fa48 = cover;
  cover.apply(null, arguments);
}
function stryMutAct_9fa48(id) {
  var ns = stryNS_9fa48();
  function isActive(id) {
    if (ns.activeMutant === id) {
      if (ns.hitCount !== void 0 && ++ns.hitCount > ns.hitLimit) {
        throw new Error('Stryker: Hit count limit reached (' + ns.hitCount + ')');
      }
      return true;
    }
    return false;
  }
  stryMutAct_9fa48 = isActive;
  return isActive(id);
}
import { unitsToCents } from './dollars';
import { UNITS_PER_DOLLAR, type GamePrices, type MarketQuote, type PriceUnits, type QuoteSource, type Side, type TeamPrices } from './types';
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
  /** Top of book as last quoted: null bid = no bid, null ask = no ask. Undefined until the first quote. */
  quote: {
    bid: PriceUnits | null;
    ask: PriceUnits | null;
  } | undefined;
  /** Where the quote shown came from. */
  source: QuoteSource | undefined;
  /** Newest exchange time the socket gave this market (the staleness high-water mark); 0 = none yet. */
  exchangeTimeMs: number;
  /** Local receive time of the market's last socket tick; 0 = none yet. Measures its silence. */
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
export type ApplyOutcome = {
  kind: 'updated';
  prices: GamePrices;
}
/** Same bid and ask as held (a size-only frame): nothing a user sees changed. */ | {
  kind: 'unchanged';
} | {
  kind: 'unmapped';
}
/** A socket tick older than the market's last one. */ | {
  kind: 'stale';
}
/** A REST quote the socket outranks (the market has a socket quote that is not silent). */ | {
  kind: 'outranked';
};
const UNMAPPED: ApplyOutcome = stryMutAct_9fa48("396") ? {} : (stryCov_9fa48("396"), {
  kind: stryMutAct_9fa48("397") ? "" : (stryCov_9fa48("397"), 'unmapped')
});
const STALE: ApplyOutcome = stryMutAct_9fa48("398") ? {} : (stryCov_9fa48("398"), {
  kind: stryMutAct_9fa48("399") ? "" : (stryCov_9fa48("399"), 'stale')
});
const UNCHANGED: ApplyOutcome = stryMutAct_9fa48("400") ? {} : (stryCov_9fa48("400"), {
  kind: stryMutAct_9fa48("401") ? "" : (stryCov_9fa48("401"), 'unchanged')
});
const OUTRANKED: ApplyOutcome = stryMutAct_9fa48("402") ? {} : (stryCov_9fa48("402"), {
  kind: stryMutAct_9fa48("403") ? "" : (stryCov_9fa48("403"), 'outranked')
});

/**
 * The prices of every mapped game, from the latest quote of each of its markets
 * (DESIGN.md "Prices of a game"). Pure: no I/O, no timers.
 */
export class GameBook {
  private readonly markets = new Map<string, MarketState>();
  private readonly games = new Map<string, GameEntry>();
  private readonly restCorrectsAfterMs: number;
  constructor(options: GameBookOptions = {}) {
    if (stryMutAct_9fa48("404")) {
      {}
    } else {
      stryCov_9fa48("404");
      this.restCorrectsAfterMs = stryMutAct_9fa48("405") ? options.restCorrectsAfterMs && REST_CORRECTS_AFTER_MS : (stryCov_9fa48("405"), options.restCorrectsAfterMs ?? REST_CORRECTS_AFTER_MS);
    }
  }
  get marketCount(): number {
    if (stryMutAct_9fa48("406")) {
      {}
    } else {
      stryCov_9fa48("406");
      return this.markets.size;
    }
  }
  get gameCount(): number {
    if (stryMutAct_9fa48("407")) {
      {}
    } else {
      stryCov_9fa48("407");
      return this.games.size;
    }
  }
  has(ticker: string): boolean {
    if (stryMutAct_9fa48("408")) {
      {}
    } else {
      stryCov_9fa48("408");
      return this.markets.has(ticker);
    }
  }

  /** The market's last applied quote, if any (`exchangeTimeMs` is the time of the quote shown). */
  quoteOf(ticker: string): MarketQuote | undefined {
    if (stryMutAct_9fa48("409")) {
      {}
    } else {
      stryCov_9fa48("409");
      const state = this.markets.get(ticker);
      if (stryMutAct_9fa48("412") ? state?.quote === undefined && state.source === undefined : stryMutAct_9fa48("411") ? false : stryMutAct_9fa48("410") ? true : (stryCov_9fa48("410", "411", "412"), (stryMutAct_9fa48("414") ? state?.quote !== undefined : stryMutAct_9fa48("413") ? false : (stryCov_9fa48("413", "414"), (stryMutAct_9fa48("415") ? state.quote : (stryCov_9fa48("415"), state?.quote)) === undefined)) || (stryMutAct_9fa48("417") ? state.source !== undefined : stryMutAct_9fa48("416") ? false : (stryCov_9fa48("416", "417"), state.source === undefined)))) return undefined;
      return stryMutAct_9fa48("418") ? {} : (stryCov_9fa48("418"), {
        ticker,
        yesBid: state.quote.bid,
        yesAsk: state.quote.ask,
        exchangeTimeMs: state.tickTimeMs,
        source: state.source
      });
    }
  }

  /** True once the market has had a quote since it was mapped. */
  hasQuote(ticker: string): boolean {
    if (stryMutAct_9fa48("419")) {
      {}
    } else {
      stryCov_9fa48("419");
      return stryMutAct_9fa48("422") ? this.markets.get(ticker)?.quote === undefined : stryMutAct_9fa48("421") ? false : stryMutAct_9fa48("420") ? true : (stryCov_9fa48("420", "421", "422"), (stryMutAct_9fa48("423") ? this.markets.get(ticker).quote : (stryCov_9fa48("423"), this.markets.get(ticker)?.quote)) !== undefined);
    }
  }

  /**
   * Adds a market, or re-maps one already held (its quote and times go with it). Returns false when its side is
   * already held by another market of the game.
   */
  addMarket(market: MappedMarket): boolean {
    if (stryMutAct_9fa48("424")) {
      {}
    } else {
      stryCov_9fa48("424");
      if (stryMutAct_9fa48("426") ? false : stryMutAct_9fa48("425") ? true : (stryCov_9fa48("425", "426"), this.markets.has(market.ticker))) return stryMutAct_9fa48("429") ? this.remap([market]).length !== 0 : stryMutAct_9fa48("428") ? false : stryMutAct_9fa48("427") ? true : (stryCov_9fa48("427", "428", "429"), this.remap(stryMutAct_9fa48("430") ? [] : (stryCov_9fa48("430"), [market])).length === 0);
      const game = this.gameFor(market);
      if (stryMutAct_9fa48("433") ? game[market.side] === undefined : stryMutAct_9fa48("432") ? false : stryMutAct_9fa48("431") ? true : (stryCov_9fa48("431", "432", "433"), game[market.side] !== undefined)) return stryMutAct_9fa48("434") ? true : (stryCov_9fa48("434"), false);
      const state: MarketState = stryMutAct_9fa48("435") ? {} : (stryCov_9fa48("435"), {
        market,
        quote: undefined,
        source: undefined,
        exchangeTimeMs: 0,
        socketAtMs: 0,
        tickTimeMs: 0,
        versionMs: 0
      });
      game[market.side] = state;
      this.markets.set(market.ticker, state);
      return stryMutAct_9fa48("436") ? false : (stryCov_9fa48("436"), true);
    }
  }

  /**
   * Moves held markets to their new game, side or slug together, each with its own quote and times, so a swap of
   * sides within a game never collides with itself. Markets not held are added. Returns the markets refused
   * because their new side is held by a market that did not move (those are forgotten).
   */
  remap(markets: readonly MappedMarket[]): MappedMarket[] {
    if (stryMutAct_9fa48("437")) {
      {}
    } else {
      stryCov_9fa48("437");
      const refused: MappedMarket[] = stryMutAct_9fa48("438") ? ["Stryker was here"] : (stryCov_9fa48("438"), []);
      const moving: Array<[MappedMarket, MarketState]> = stryMutAct_9fa48("439") ? ["Stryker was here"] : (stryCov_9fa48("439"), []);
      const left = new Set<GameEntry>();
      for (const market of markets) {
        if (stryMutAct_9fa48("440")) {
          {}
        } else {
          stryCov_9fa48("440");
          const state = this.markets.get(market.ticker);
          if (stryMutAct_9fa48("443") ? state !== undefined : stryMutAct_9fa48("442") ? false : stryMutAct_9fa48("441") ? true : (stryCov_9fa48("441", "442", "443"), state === undefined)) {
            if (stryMutAct_9fa48("444")) {
              {}
            } else {
              stryCov_9fa48("444");
              if (stryMutAct_9fa48("447") ? false : stryMutAct_9fa48("446") ? true : stryMutAct_9fa48("445") ? this.addMarket(market) : (stryCov_9fa48("445", "446", "447"), !this.addMarket(market))) refused.push(market);
              continue;
            }
          }
          const game = this.games.get(state.market.gameId);
          if (stryMutAct_9fa48("450") ? game === undefined : stryMutAct_9fa48("449") ? false : stryMutAct_9fa48("448") ? true : (stryCov_9fa48("448", "449", "450"), game !== undefined)) {
            if (stryMutAct_9fa48("451")) {
              {}
            } else {
              stryCov_9fa48("451");
              if (stryMutAct_9fa48("454") ? game[state.market.side] !== state : stryMutAct_9fa48("453") ? false : stryMutAct_9fa48("452") ? true : (stryCov_9fa48("452", "453", "454"), game[state.market.side] === state)) game[state.market.side] = undefined;
              left.add(game);
            }
          }
          moving.push(stryMutAct_9fa48("455") ? [] : (stryCov_9fa48("455"), [market, state]));
        }
      }
      for (const [market, state] of moving) {
        if (stryMutAct_9fa48("456")) {
          {}
        } else {
          stryCov_9fa48("456");
          const game = this.gameFor(market);
          if (stryMutAct_9fa48("459") ? game[market.side] === undefined : stryMutAct_9fa48("458") ? false : stryMutAct_9fa48("457") ? true : (stryCov_9fa48("457", "458", "459"), game[market.side] !== undefined)) {
            if (stryMutAct_9fa48("460")) {
              {}
            } else {
              stryCov_9fa48("460");
              this.markets.delete(market.ticker);
              refused.push(market);
              left.add(game);
              continue;
            }
          }
          state.market = market;
          game[market.side] = state;
          if (stryMutAct_9fa48("464") ? state.versionMs <= game.updatedAtMs : stryMutAct_9fa48("463") ? state.versionMs >= game.updatedAtMs : stryMutAct_9fa48("462") ? false : stryMutAct_9fa48("461") ? true : (stryCov_9fa48("461", "462", "463", "464"), state.versionMs > game.updatedAtMs)) game.updatedAtMs = state.versionMs;
        }
      }
      for (const game of left) this.dropIfEmpty(game);
      return refused;
    }
  }
  removeMarket(ticker: string): void {
    if (stryMutAct_9fa48("465")) {
      {}
    } else {
      stryCov_9fa48("465");
      const state = this.markets.get(ticker);
      if (stryMutAct_9fa48("468") ? state !== undefined : stryMutAct_9fa48("467") ? false : stryMutAct_9fa48("466") ? true : (stryCov_9fa48("466", "467", "468"), state === undefined)) return;
      this.markets.delete(ticker);
      const game = this.games.get(state.market.gameId);
      if (stryMutAct_9fa48("471") ? game !== undefined : stryMutAct_9fa48("470") ? false : stryMutAct_9fa48("469") ? true : (stryCov_9fa48("469", "470", "471"), game === undefined)) return;
      if (stryMutAct_9fa48("474") ? game[state.market.side] !== state : stryMutAct_9fa48("473") ? false : stryMutAct_9fa48("472") ? true : (stryCov_9fa48("472", "473", "474"), game[state.market.side] === state)) game[state.market.side] = undefined;
      this.dropIfEmpty(game);
    }
  }

  /**
   * Applies a quote by source precedence (DESIGN.md "Prices of a game"):
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
  apply(quote: MarketQuote, context: ApplyContext = stryMutAct_9fa48("475") ? {} : (stryCov_9fa48("475"), {
    receivedAtMs: quote.exchangeTimeMs,
    socketDown: stryMutAct_9fa48("476") ? true : (stryCov_9fa48("476"), false)
  })): ApplyOutcome {
    if (stryMutAct_9fa48("477")) {
      {}
    } else {
      stryCov_9fa48("477");
      const state = this.markets.get(quote.ticker);
      if (stryMutAct_9fa48("480") ? state !== undefined : stryMutAct_9fa48("479") ? false : stryMutAct_9fa48("478") ? true : (stryCov_9fa48("478", "479", "480"), state === undefined)) return UNMAPPED;
      const game = this.games.get(state.market.gameId) as GameEntry;
      const same = stryMutAct_9fa48("483") ? state.quote !== undefined && state.quote.bid === quote.yesBid || state.quote.ask === quote.yesAsk : stryMutAct_9fa48("482") ? false : stryMutAct_9fa48("481") ? true : (stryCov_9fa48("481", "482", "483"), (stryMutAct_9fa48("485") ? state.quote !== undefined || state.quote.bid === quote.yesBid : stryMutAct_9fa48("484") ? true : (stryCov_9fa48("484", "485"), (stryMutAct_9fa48("487") ? state.quote === undefined : stryMutAct_9fa48("486") ? true : (stryCov_9fa48("486", "487"), state.quote !== undefined)) && (stryMutAct_9fa48("489") ? state.quote.bid !== quote.yesBid : stryMutAct_9fa48("488") ? true : (stryCov_9fa48("488", "489"), state.quote.bid === quote.yesBid)))) && (stryMutAct_9fa48("491") ? state.quote.ask !== quote.yesAsk : stryMutAct_9fa48("490") ? true : (stryCov_9fa48("490", "491"), state.quote.ask === quote.yesAsk)));
      if (stryMutAct_9fa48("494") ? quote.source !== 'socket' : stryMutAct_9fa48("493") ? false : stryMutAct_9fa48("492") ? true : (stryCov_9fa48("492", "493", "494"), quote.source === (stryMutAct_9fa48("495") ? "" : (stryCov_9fa48("495"), 'socket')))) {
        if (stryMutAct_9fa48("496")) {
          {}
        } else {
          stryCov_9fa48("496");
          if (stryMutAct_9fa48("500") ? quote.exchangeTimeMs >= state.exchangeTimeMs : stryMutAct_9fa48("499") ? quote.exchangeTimeMs <= state.exchangeTimeMs : stryMutAct_9fa48("498") ? false : stryMutAct_9fa48("497") ? true : (stryCov_9fa48("497", "498", "499", "500"), quote.exchangeTimeMs < state.exchangeTimeMs)) return STALE;
          state.exchangeTimeMs = quote.exchangeTimeMs;
          if (stryMutAct_9fa48("504") ? context.receivedAtMs <= state.socketAtMs : stryMutAct_9fa48("503") ? context.receivedAtMs >= state.socketAtMs : stryMutAct_9fa48("502") ? false : stryMutAct_9fa48("501") ? true : (stryCov_9fa48("501", "502", "503", "504"), context.receivedAtMs > state.socketAtMs)) state.socketAtMs = context.receivedAtMs;
          raise(state, game, quote.exchangeTimeMs);
          if (stryMutAct_9fa48("506") ? false : stryMutAct_9fa48("505") ? true : (stryCov_9fa48("505", "506"), same)) return UNCHANGED;
        }
      } else {
        if (stryMutAct_9fa48("507")) {
          {}
        } else {
          stryCov_9fa48("507");
          const mayApply = stryMutAct_9fa48("510") ? (state.source !== 'socket' || context.socketDown) && context.receivedAtMs - state.socketAtMs >= this.restCorrectsAfterMs : stryMutAct_9fa48("509") ? false : stryMutAct_9fa48("508") ? true : (stryCov_9fa48("508", "509", "510"), (stryMutAct_9fa48("512") ? state.source !== 'socket' && context.socketDown : stryMutAct_9fa48("511") ? false : (stryCov_9fa48("511", "512"), (stryMutAct_9fa48("514") ? state.source === 'socket' : stryMutAct_9fa48("513") ? false : (stryCov_9fa48("513", "514"), state.source !== (stryMutAct_9fa48("515") ? "" : (stryCov_9fa48("515"), 'socket')))) || context.socketDown)) || (stryMutAct_9fa48("518") ? context.receivedAtMs - state.socketAtMs < this.restCorrectsAfterMs : stryMutAct_9fa48("517") ? context.receivedAtMs - state.socketAtMs > this.restCorrectsAfterMs : stryMutAct_9fa48("516") ? false : (stryCov_9fa48("516", "517", "518"), (stryMutAct_9fa48("519") ? context.receivedAtMs + state.socketAtMs : (stryCov_9fa48("519"), context.receivedAtMs - state.socketAtMs)) >= this.restCorrectsAfterMs)));
          if (stryMutAct_9fa48("522") ? false : stryMutAct_9fa48("521") ? true : stryMutAct_9fa48("520") ? mayApply : (stryCov_9fa48("520", "521", "522"), !mayApply)) return OUTRANKED;
          if (stryMutAct_9fa48("524") ? false : stryMutAct_9fa48("523") ? true : (stryCov_9fa48("523", "524"), same)) return UNCHANGED;
          if (stryMutAct_9fa48("527") ? false : stryMutAct_9fa48("526") ? true : stryMutAct_9fa48("525") ? hasSocketTime(game) : (stryCov_9fa48("525", "526", "527"), !hasSocketTime(game))) raise(state, game, quote.exchangeTimeMs);
        }
      }
      state.quote = stryMutAct_9fa48("528") ? {} : (stryCov_9fa48("528"), {
        bid: quote.yesBid,
        ask: quote.yesAsk
      });
      state.source = quote.source;
      state.tickTimeMs = quote.exchangeTimeMs;
      return stryMutAct_9fa48("529") ? {} : (stryCov_9fa48("529"), {
        kind: stryMutAct_9fa48("530") ? "" : (stryCov_9fa48("530"), 'updated'),
        prices: pricesOf(game, quote.ticker, quote.exchangeTimeMs)
      });
    }
  }

  /** The current prices of a game, or undefined when none of its markets has quoted yet. */
  current(gameId: string): GamePrices | undefined {
    if (stryMutAct_9fa48("531")) {
      {}
    } else {
      stryCov_9fa48("531");
      const game = this.games.get(gameId);
      if (stryMutAct_9fa48("534") ? game !== undefined : stryMutAct_9fa48("533") ? false : stryMutAct_9fa48("532") ? true : (stryCov_9fa48("532", "533", "534"), game === undefined)) return undefined;
      let latest: MarketState | undefined;
      for (const state of stryMutAct_9fa48("535") ? [] : (stryCov_9fa48("535"), [game.home, game.away])) {
        if (stryMutAct_9fa48("536")) {
          {}
        } else {
          stryCov_9fa48("536");
          if (stryMutAct_9fa48("539") ? state?.quote !== undefined || latest === undefined || state.tickTimeMs > latest.tickTimeMs : stryMutAct_9fa48("538") ? false : stryMutAct_9fa48("537") ? true : (stryCov_9fa48("537", "538", "539"), (stryMutAct_9fa48("541") ? state?.quote === undefined : stryMutAct_9fa48("540") ? true : (stryCov_9fa48("540", "541"), (stryMutAct_9fa48("542") ? state.quote : (stryCov_9fa48("542"), state?.quote)) !== undefined)) && (stryMutAct_9fa48("544") ? latest === undefined && state.tickTimeMs > latest.tickTimeMs : stryMutAct_9fa48("543") ? true : (stryCov_9fa48("543", "544"), (stryMutAct_9fa48("546") ? latest !== undefined : stryMutAct_9fa48("545") ? false : (stryCov_9fa48("545", "546"), latest === undefined)) || (stryMutAct_9fa48("549") ? state.tickTimeMs <= latest.tickTimeMs : stryMutAct_9fa48("548") ? state.tickTimeMs >= latest.tickTimeMs : stryMutAct_9fa48("547") ? false : (stryCov_9fa48("547", "548", "549"), state.tickTimeMs > latest.tickTimeMs)))))) latest = state;
        }
      }
      return (stryMutAct_9fa48("552") ? latest !== undefined : stryMutAct_9fa48("551") ? false : stryMutAct_9fa48("550") ? true : (stryCov_9fa48("550", "551", "552"), latest === undefined)) ? undefined : pricesOf(game, latest.market.ticker, latest.tickTimeMs);
    }
  }
  gameIds(): IterableIterator<string> {
    if (stryMutAct_9fa48("553")) {
      {}
    } else {
      stryCov_9fa48("553");
      return this.games.keys();
    }
  }
  tickers(): IterableIterator<string> {
    if (stryMutAct_9fa48("554")) {
      {}
    } else {
      stryCov_9fa48("554");
      return this.markets.keys();
    }
  }
  private gameFor(market: MappedMarket): GameEntry {
    if (stryMutAct_9fa48("555")) {
      {}
    } else {
      stryCov_9fa48("555");
      let game = this.games.get(market.gameId);
      if (stryMutAct_9fa48("558") ? game !== undefined : stryMutAct_9fa48("557") ? false : stryMutAct_9fa48("556") ? true : (stryCov_9fa48("556", "557", "558"), game === undefined)) {
        if (stryMutAct_9fa48("559")) {
          {}
        } else {
          stryCov_9fa48("559");
          game = stryMutAct_9fa48("560") ? {} : (stryCov_9fa48("560"), {
            gameId: market.gameId,
            slug: market.slug,
            home: undefined,
            away: undefined,
            updatedAtMs: 0
          });
          this.games.set(market.gameId, game);
        }
      }
      game.slug = market.slug;
      return game;
    }
  }
  private dropIfEmpty(game: GameEntry): void {
    if (stryMutAct_9fa48("561")) {
      {}
    } else {
      stryCov_9fa48("561");
      if (stryMutAct_9fa48("564") ? game.home === undefined && game.away === undefined || this.games.get(game.gameId) === game : stryMutAct_9fa48("563") ? false : stryMutAct_9fa48("562") ? true : (stryCov_9fa48("562", "563", "564"), (stryMutAct_9fa48("566") ? game.home === undefined || game.away === undefined : stryMutAct_9fa48("565") ? true : (stryCov_9fa48("565", "566"), (stryMutAct_9fa48("568") ? game.home !== undefined : stryMutAct_9fa48("567") ? true : (stryCov_9fa48("567", "568"), game.home === undefined)) && (stryMutAct_9fa48("570") ? game.away !== undefined : stryMutAct_9fa48("569") ? true : (stryCov_9fa48("569", "570"), game.away === undefined)))) && (stryMutAct_9fa48("572") ? this.games.get(game.gameId) !== game : stryMutAct_9fa48("571") ? true : (stryCov_9fa48("571", "572"), this.games.get(game.gameId) === game)))) this.games.delete(game.gameId);
    }
  }
}
function raise(state: MarketState, game: GameEntry, versionMs: number): void {
  if (stryMutAct_9fa48("573")) {
    {}
  } else {
    stryCov_9fa48("573");
    if (stryMutAct_9fa48("577") ? versionMs <= state.versionMs : stryMutAct_9fa48("576") ? versionMs >= state.versionMs : stryMutAct_9fa48("575") ? false : stryMutAct_9fa48("574") ? true : (stryCov_9fa48("574", "575", "576", "577"), versionMs > state.versionMs)) state.versionMs = versionMs;
    if (stryMutAct_9fa48("581") ? versionMs <= game.updatedAtMs : stryMutAct_9fa48("580") ? versionMs >= game.updatedAtMs : stryMutAct_9fa48("579") ? false : stryMutAct_9fa48("578") ? true : (stryCov_9fa48("578", "579", "580", "581"), versionMs > game.updatedAtMs)) game.updatedAtMs = versionMs;
  }
}
function hasSocketTime(game: GameEntry): boolean {
  if (stryMutAct_9fa48("582")) {
    {}
  } else {
    stryCov_9fa48("582");
    return stryMutAct_9fa48("585") ? (game.home?.exchangeTimeMs ?? 0) > 0 && (game.away?.exchangeTimeMs ?? 0) > 0 : stryMutAct_9fa48("584") ? false : stryMutAct_9fa48("583") ? true : (stryCov_9fa48("583", "584", "585"), (stryMutAct_9fa48("588") ? (game.home?.exchangeTimeMs ?? 0) <= 0 : stryMutAct_9fa48("587") ? (game.home?.exchangeTimeMs ?? 0) >= 0 : stryMutAct_9fa48("586") ? false : (stryCov_9fa48("586", "587", "588"), (stryMutAct_9fa48("589") ? game.home?.exchangeTimeMs && 0 : (stryCov_9fa48("589"), (stryMutAct_9fa48("590") ? game.home.exchangeTimeMs : (stryCov_9fa48("590"), game.home?.exchangeTimeMs)) ?? 0)) > 0)) || (stryMutAct_9fa48("593") ? (game.away?.exchangeTimeMs ?? 0) <= 0 : stryMutAct_9fa48("592") ? (game.away?.exchangeTimeMs ?? 0) >= 0 : stryMutAct_9fa48("591") ? false : (stryCov_9fa48("591", "592", "593"), (stryMutAct_9fa48("594") ? game.away?.exchangeTimeMs && 0 : (stryCov_9fa48("594"), (stryMutAct_9fa48("595") ? game.away.exchangeTimeMs : (stryCov_9fa48("595"), game.away?.exchangeTimeMs)) ?? 0)) > 0)));
  }
}
function pricesOf(game: GameEntry, ticker: string, tickTimeMs: number): GamePrices {
  if (stryMutAct_9fa48("596")) {
    {}
  } else {
    stryCov_9fa48("596");
    return stryMutAct_9fa48("597") ? {} : (stryCov_9fa48("597"), {
      gameId: game.gameId,
      slug: game.slug,
      awayTeam: sidePrices(game.away, game.home),
      homeTeam: sidePrices(game.home, game.away),
      ticker,
      tickTimeMs,
      updatedAtMs: game.updatedAtMs
    });
  }
}
function sidePrices(own: MarketState | undefined, other: MarketState | undefined): TeamPrices {
  if (stryMutAct_9fa48("598")) {
    {}
  } else {
    stryCov_9fa48("598");
    const ownQuote = stryMutAct_9fa48("599") ? own.quote : (stryCov_9fa48("599"), own?.quote);
    if (stryMutAct_9fa48("602") ? ownQuote === undefined : stryMutAct_9fa48("601") ? false : stryMutAct_9fa48("600") ? true : (stryCov_9fa48("600", "601", "602"), ownQuote !== undefined)) {
      if (stryMutAct_9fa48("603")) {
        {}
      } else {
        stryCov_9fa48("603");
        // buy = YES ask, sell = YES bid
        return stryMutAct_9fa48("604") ? {} : (stryCov_9fa48("604"), {
          kalshiBuyPrice: cents(ownQuote.ask),
          kalshiSellPrice: cents(ownQuote.bid)
        });
      }
    }
    const otherQuote = stryMutAct_9fa48("605") ? other.quote : (stryCov_9fa48("605"), other?.quote);
    if (stryMutAct_9fa48("608") ? otherQuote === undefined : stryMutAct_9fa48("607") ? false : stryMutAct_9fa48("606") ? true : (stryCov_9fa48("606", "607", "608"), otherQuote !== undefined)) {
      if (stryMutAct_9fa48("609")) {
        {}
      } else {
        stryCov_9fa48("609");
        // NO ask = 1 − YES bid, NO bid = 1 − YES ask
        return stryMutAct_9fa48("610") ? {} : (stryCov_9fa48("610"), {
          kalshiBuyPrice: cents(complement(otherQuote.bid)),
          kalshiSellPrice: cents(complement(otherQuote.ask))
        });
      }
    }
    return stryMutAct_9fa48("611") ? {} : (stryCov_9fa48("611"), {
      kalshiBuyPrice: null,
      kalshiSellPrice: null
    });
  }
}
function complement(units: PriceUnits | null): PriceUnits | null {
  if (stryMutAct_9fa48("612")) {
    {}
  } else {
    stryCov_9fa48("612");
    return (stryMutAct_9fa48("615") ? units !== null : stryMutAct_9fa48("614") ? false : stryMutAct_9fa48("613") ? true : (stryCov_9fa48("613", "614", "615"), units === null)) ? null : stryMutAct_9fa48("616") ? UNITS_PER_DOLLAR + units : (stryCov_9fa48("616"), UNITS_PER_DOLLAR - units);
  }
}
function cents(units: PriceUnits | null): number | null {
  if (stryMutAct_9fa48("617")) {
    {}
  } else {
    stryCov_9fa48("617");
    return (stryMutAct_9fa48("620") ? units !== null : stryMutAct_9fa48("619") ? false : stryMutAct_9fa48("618") ? true : (stryCov_9fa48("618", "619", "620"), units === null)) ? null : unitsToCents(units);
  }
}