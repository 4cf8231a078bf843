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
import type { GamePrices } from './types';

/**
 * A queue that holds one entry per game: the latest state wins. Its size is bounded by the
 * number of mapped games, never by dropping data.
 */
export class LatestByGame {
  private entries = new Map<string, GamePrices>();
  get size(): number {
    if (stryMutAct_9fa48("621")) {
      {}
    } else {
      stryCov_9fa48("621");
      return this.entries.size;
    }
  }
  put(prices: GamePrices): void {
    if (stryMutAct_9fa48("622")) {
      {}
    } else {
      stryCov_9fa48("622");
      this.entries.set(prices.gameId, prices);
    }
  }

  /** Takes every entry out, leaving the queue empty. */
  drain(): GamePrices[] {
    if (stryMutAct_9fa48("623")) {
      {}
    } else {
      stryCov_9fa48("623");
      if (stryMutAct_9fa48("626") ? this.entries.size !== 0 : stryMutAct_9fa48("625") ? false : stryMutAct_9fa48("624") ? true : (stryCov_9fa48("624", "625", "626"), this.entries.size === 0)) return stryMutAct_9fa48("627") ? ["Stryker was here"] : (stryCov_9fa48("627"), []);
      const batch = stryMutAct_9fa48("628") ? [] : (stryCov_9fa48("628"), [...this.entries.values()]);
      this.entries = new Map();
      return batch;
    }
  }

  /** Puts a failed batch back under whatever arrived since: a newer state of a game is kept. */
  requeue(batch: readonly GamePrices[]): void {
    if (stryMutAct_9fa48("629")) {
      {}
    } else {
      stryCov_9fa48("629");
      for (const prices of batch) {
        if (stryMutAct_9fa48("630")) {
          {}
        } else {
          stryCov_9fa48("630");
          if (stryMutAct_9fa48("633") ? false : stryMutAct_9fa48("632") ? true : stryMutAct_9fa48("631") ? this.entries.has(prices.gameId) : (stryCov_9fa48("631", "632", "633"), !this.entries.has(prices.gameId))) this.entries.set(prices.gameId, prices);
        }
      }
    }
  }
  delete(gameId: string): void {
    if (stryMutAct_9fa48("634")) {
      {}
    } else {
      stryCov_9fa48("634");
      this.entries.delete(gameId);
    }
  }
  clear(): void {
    if (stryMutAct_9fa48("635")) {
      {}
    } else {
      stryCov_9fa48("635");
      this.entries.clear();
    }
  }
}