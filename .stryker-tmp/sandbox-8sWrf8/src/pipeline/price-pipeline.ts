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
import type { MarketMapDiff } from '../mapping/market-map';
import { isBelievableExchangeTime } from '../prices/exchange-time';
import { GameBook, type GameBookOptions, type MappedMarket } from '../prices/game-book';
import { LatestByGame } from '../prices/latest-by-game';
import type { GamePrices, MarketQuote } from '../prices/types';
export interface PricePipelineEvents {
  /** A game's prices changed: both queues hold the new state. */
  onQueued(): void;
  onUnmapped(ticker: string): void;
  /** Input refused (`bad_timestamp`, `duplicate_side`): counted and logged at a bounded rate by the caller. */
  onRefused(reason: string, detail: Record<string, unknown>): void;
}

/**
 * Quotes in, one state per game out into the two queues (Postgres, Redis). Knows nothing of
 * sockets or databases; `app.ts` feeds it and drains its queues.
 */
export class PricePipeline {
  readonly book: GameBook;
  readonly flushQueue = new LatestByGame();
  readonly publishQueue = new LatestByGame();
  private lastQuoteAt = 0;
  private socketDown = stryMutAct_9fa48("217") ? true : (stryCov_9fa48("217"), false);
  constructor(private readonly events: PricePipelineEvents, options: GameBookOptions = {}) {
    if (stryMutAct_9fa48("218")) {
      {}
    } else {
      stryCov_9fa48("218");
      this.book = new GameBook(options);
    }
  }
  get lastQuoteAtMs(): number {
    if (stryMutAct_9fa48("219")) {
      {}
    } else {
      stryCov_9fa48("219");
      return this.lastQuoteAt;
    }
  }

  /** True while told the socket is down (REST fallback active): REST quotes then feed every market. */
  get fallbackActive(): boolean {
    if (stryMutAct_9fa48("220")) {
      {}
    } else {
      stryCov_9fa48("220");
      return this.socketDown;
    }
  }

  /** The caller says when REST fallback starts and stops (the pipeline has no view of the sockets). */
  setFallbackActive(active: boolean): void {
    if (stryMutAct_9fa48("221")) {
      {}
    } else {
      stryCov_9fa48("221");
      this.socketDown = active;
    }
  }

  /**
   * The single entry point for socket and REST quotes. `receivedAtMs` is our clock at receipt: the `now` of the
   * exchange-time window and of the REST silence rule.
   */
  applyQuote(quote: MarketQuote, receivedAtMs: number): void {
    if (stryMutAct_9fa48("222")) {
      {}
    } else {
      stryCov_9fa48("222");
      this.lastQuoteAt = receivedAtMs;
      if (stryMutAct_9fa48("225") ? false : stryMutAct_9fa48("224") ? true : stryMutAct_9fa48("223") ? isBelievableExchangeTime(quote.exchangeTimeMs, receivedAtMs) : (stryCov_9fa48("223", "224", "225"), !isBelievableExchangeTime(quote.exchangeTimeMs, receivedAtMs))) {
        if (stryMutAct_9fa48("226")) {
          {}
        } else {
          stryCov_9fa48("226");
          this.events.onRefused(stryMutAct_9fa48("227") ? "" : (stryCov_9fa48("227"), 'bad_timestamp'), stryMutAct_9fa48("228") ? {} : (stryCov_9fa48("228"), {
            ticker: quote.ticker,
            exchangeTimeMs: quote.exchangeTimeMs,
            source: quote.source
          }));
          return;
        }
      }
      const outcome = this.book.apply(quote, stryMutAct_9fa48("229") ? {} : (stryCov_9fa48("229"), {
        receivedAtMs,
        socketDown: this.socketDown
      }));
      if (stryMutAct_9fa48("232") ? outcome.kind !== 'updated' : stryMutAct_9fa48("231") ? false : stryMutAct_9fa48("230") ? true : (stryCov_9fa48("230", "231", "232"), outcome.kind === (stryMutAct_9fa48("233") ? "" : (stryCov_9fa48("233"), 'updated')))) {
        if (stryMutAct_9fa48("234")) {
          {}
        } else {
          stryCov_9fa48("234");
          this.enqueue(outcome.prices);
          this.events.onQueued();
        }
      } else if (stryMutAct_9fa48("237") ? outcome.kind !== 'unmapped' : stryMutAct_9fa48("236") ? false : stryMutAct_9fa48("235") ? true : (stryCov_9fa48("235", "236", "237"), outcome.kind === (stryMutAct_9fa48("238") ? "" : (stryCov_9fa48("238"), 'unmapped')))) {
        if (stryMutAct_9fa48("239")) {
          {}
        } else {
          stryCov_9fa48("239");
          this.events.onUnmapped(quote.ticker);
        }
      }
    }
  }

  /** First prices of markets just subscribed, read from REST: the book's precedence keeps socket ticks first. */
  applyInitialQuotes(quotes: readonly MarketQuote[], receivedAtMs: number): void {
    if (stryMutAct_9fa48("240")) {
      {}
    } else {
      stryCov_9fa48("240");
      for (const quote of quotes) this.applyQuote(quote, receivedAtMs);
    }
  }
  applyMapping(diff: MarketMapDiff): void {
    if (stryMutAct_9fa48("241")) {
      {}
    } else {
      stryCov_9fa48("241");
      const changed = stryMutAct_9fa48("242") ? diff.changed && [] : (stryCov_9fa48("242"), diff.changed ?? (stryMutAct_9fa48("243") ? ["Stryker was here"] : (stryCov_9fa48("243"), [])));
      const moved = new Set(changed.map(stryMutAct_9fa48("244") ? () => undefined : (stryCov_9fa48("244"), change => change.after.ticker)));
      for (const market of diff.removed) if (stryMutAct_9fa48("247") ? false : stryMutAct_9fa48("246") ? true : stryMutAct_9fa48("245") ? moved.has(market.ticker) : (stryCov_9fa48("245", "246", "247"), !moved.has(market.ticker))) this.book.removeMarket(market.ticker);
      const refused = this.book.remap(changed.map(stryMutAct_9fa48("248") ? () => undefined : (stryCov_9fa48("248"), change => change.after)));
      for (const market of diff.added) {
        if (stryMutAct_9fa48("249")) {
          {}
        } else {
          stryCov_9fa48("249");
          if (stryMutAct_9fa48("252") ? !moved.has(market.ticker) || !this.book.addMarket(market) : stryMutAct_9fa48("251") ? false : stryMutAct_9fa48("250") ? true : (stryCov_9fa48("250", "251", "252"), (stryMutAct_9fa48("253") ? moved.has(market.ticker) : (stryCov_9fa48("253"), !moved.has(market.ticker))) && (stryMutAct_9fa48("254") ? this.book.addMarket(market) : (stryCov_9fa48("254"), !this.book.addMarket(market))))) refused.push(market);
        }
      }
      for (const market of refused) this.refuseSide(market);
      // A game whose mapping changed (a market gone, moved or re-sided, a side now complemented) publishes its new state.
      const touched = new Set<string>();
      for (const market of stryMutAct_9fa48("255") ? [] : (stryCov_9fa48("255"), [...diff.removed, ...diff.added])) touched.add(market.gameId);
      for (const change of changed) touched.add(change.before.gameId).add(change.after.gameId);
      let queued = stryMutAct_9fa48("256") ? true : (stryCov_9fa48("256"), false);
      for (const gameId of touched) {
        if (stryMutAct_9fa48("257")) {
          {}
        } else {
          stryCov_9fa48("257");
          const prices = this.book.current(gameId);
          if (stryMutAct_9fa48("260") ? prices !== undefined : stryMutAct_9fa48("259") ? false : stryMutAct_9fa48("258") ? true : (stryCov_9fa48("258", "259", "260"), prices === undefined)) continue;
          this.enqueue(prices);
          queued = stryMutAct_9fa48("261") ? false : (stryCov_9fa48("261"), true);
        }
      }
      if (stryMutAct_9fa48("263") ? false : stryMutAct_9fa48("262") ? true : (stryCov_9fa48("262", "263"), queued)) this.events.onQueued();
    }
  }

  /** Forget everything (this replica stopped leading). */
  reset(): void {
    if (stryMutAct_9fa48("264")) {
      {}
    } else {
      stryCov_9fa48("264");
      for (const ticker of stryMutAct_9fa48("265") ? [] : (stryCov_9fa48("265"), [...this.book.tickers()])) this.book.removeMarket(ticker);
      this.flushQueue.clear();
      this.publishQueue.clear();
      this.socketDown = stryMutAct_9fa48("266") ? true : (stryCov_9fa48("266"), false);
    }
  }
  private refuseSide(market: MappedMarket): void {
    if (stryMutAct_9fa48("267")) {
      {}
    } else {
      stryCov_9fa48("267");
      this.events.onRefused(stryMutAct_9fa48("268") ? "" : (stryCov_9fa48("268"), 'duplicate_side'), stryMutAct_9fa48("269") ? {} : (stryCov_9fa48("269"), {
        ticker: market.ticker,
        gameId: market.gameId,
        side: market.side
      }));
    }
  }
  private enqueue(prices: GamePrices): void {
    if (stryMutAct_9fa48("270")) {
      {}
    } else {
      stryCov_9fa48("270");
      this.flushQueue.put(prices);
      this.publishQueue.put(prices);
    }
  }
}