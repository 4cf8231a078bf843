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
import { parseCents, parseDollars, type PriceProblem } from './dollars';
import { UNITS_PER_DOLLAR, type MarketQuote, type PriceUnits, type QuoteSource } from './types';

/** A price as it arrives: the `_dollars` string, with the integer-cent field only as a fallback. */
export interface RawPrice {
  dollars: string | undefined;
  cents: number | undefined;
}
export type QuoteProblem = PriceProblem | 'missing_price';

/**
 * Builds a quote from a market's YES bid and ask. A bid of 0 is no bid; an ask of $1 or an
 * absent ask is no ask. A quote with neither field at all says nothing and is refused.
 */
export function makeQuote(ticker: string, bid: RawPrice, ask: RawPrice, exchangeTimeMs: number, source: QuoteSource): MarketQuote | QuoteProblem {
  if (stryMutAct_9fa48("636")) {
    {}
  } else {
    stryCov_9fa48("636");
    const bidUnits = readPrice(bid);
    const askUnits = readPrice(ask);
    if (stryMutAct_9fa48("639") ? bidUnits === undefined || askUnits === undefined : stryMutAct_9fa48("638") ? false : stryMutAct_9fa48("637") ? true : (stryCov_9fa48("637", "638", "639"), (stryMutAct_9fa48("641") ? bidUnits !== undefined : stryMutAct_9fa48("640") ? true : (stryCov_9fa48("640", "641"), bidUnits === undefined)) && (stryMutAct_9fa48("643") ? askUnits !== undefined : stryMutAct_9fa48("642") ? true : (stryCov_9fa48("642", "643"), askUnits === undefined)))) return stryMutAct_9fa48("644") ? "" : (stryCov_9fa48("644"), 'missing_price');
    if (stryMutAct_9fa48("647") ? typeof bidUnits !== 'string' : stryMutAct_9fa48("646") ? false : stryMutAct_9fa48("645") ? true : (stryCov_9fa48("645", "646", "647"), typeof bidUnits === (stryMutAct_9fa48("648") ? "" : (stryCov_9fa48("648"), 'string')))) return bidUnits;
    if (stryMutAct_9fa48("651") ? typeof askUnits !== 'string' : stryMutAct_9fa48("650") ? false : stryMutAct_9fa48("649") ? true : (stryCov_9fa48("649", "650", "651"), typeof askUnits === (stryMutAct_9fa48("652") ? "" : (stryCov_9fa48("652"), 'string')))) return askUnits;
    return stryMutAct_9fa48("653") ? {} : (stryCov_9fa48("653"), {
      ticker,
      yesBid: (stryMutAct_9fa48("656") ? bidUnits === undefined && bidUnits === 0 : stryMutAct_9fa48("655") ? false : stryMutAct_9fa48("654") ? true : (stryCov_9fa48("654", "655", "656"), (stryMutAct_9fa48("658") ? bidUnits !== undefined : stryMutAct_9fa48("657") ? false : (stryCov_9fa48("657", "658"), bidUnits === undefined)) || (stryMutAct_9fa48("660") ? bidUnits !== 0 : stryMutAct_9fa48("659") ? false : (stryCov_9fa48("659", "660"), bidUnits === 0)))) ? null : bidUnits,
      yesAsk: (stryMutAct_9fa48("663") ? askUnits === undefined && askUnits === UNITS_PER_DOLLAR : stryMutAct_9fa48("662") ? false : stryMutAct_9fa48("661") ? true : (stryCov_9fa48("661", "662", "663"), (stryMutAct_9fa48("665") ? askUnits !== undefined : stryMutAct_9fa48("664") ? false : (stryCov_9fa48("664", "665"), askUnits === undefined)) || (stryMutAct_9fa48("667") ? askUnits !== UNITS_PER_DOLLAR : stryMutAct_9fa48("666") ? false : (stryCov_9fa48("666", "667"), askUnits === UNITS_PER_DOLLAR)))) ? null : askUnits,
      exchangeTimeMs,
      source
    });
  }
}
function readPrice(raw: RawPrice): PriceUnits | PriceProblem | undefined {
  if (stryMutAct_9fa48("668")) {
    {}
  } else {
    stryCov_9fa48("668");
    if (stryMutAct_9fa48("671") ? raw.dollars === undefined : stryMutAct_9fa48("670") ? false : stryMutAct_9fa48("669") ? true : (stryCov_9fa48("669", "670", "671"), raw.dollars !== undefined)) return parseDollars(raw.dollars);
    if (stryMutAct_9fa48("674") ? raw.cents === undefined : stryMutAct_9fa48("673") ? false : stryMutAct_9fa48("672") ? true : (stryCov_9fa48("672", "673", "674"), raw.cents !== undefined)) return parseCents(raw.cents);
    return undefined;
  }
}