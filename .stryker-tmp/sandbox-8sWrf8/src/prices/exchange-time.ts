/** How far back an exchange time may lie: older than this is a unit error or a replay, not a price. */
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
export const MAX_EXCHANGE_TIME_AGE_MS = stryMutAct_9fa48("377") ? 24 * 60 * 60 / 1000 : (stryCov_9fa48("377"), (stryMutAct_9fa48("378") ? 24 * 60 / 60 : (stryCov_9fa48("378"), (stryMutAct_9fa48("379") ? 24 / 60 : (stryCov_9fa48("379"), 24 * 60)) * 60)) * 1000);
/** How far ahead of our clock an exchange time may lie (clock skew); beyond it, e.g. a ts_ms in microseconds. */
export const MAX_EXCHANGE_TIME_LEAD_MS = stryMutAct_9fa48("380") ? 5 * 60 / 1000 : (stryCov_9fa48("380"), (stryMutAct_9fa48("381") ? 5 / 60 : (stryCov_9fa48("381"), 5 * 60)) * 1000);

/**
 * True when `exchangeTimeMs` may be believed at local time `nowMs`: an integer number of Unix ms within
 * [now − 24 h, now + 5 min]. Anything else must never become a market's or a game's high-water mark, because
 * every later tick (and every later write guarded by it, across restarts) would be refused.
 */
export function isBelievableExchangeTime(exchangeTimeMs: number, nowMs: number): boolean {
  if (stryMutAct_9fa48("382")) {
    {}
  } else {
    stryCov_9fa48("382");
    return stryMutAct_9fa48("385") ? Number.isInteger(exchangeTimeMs) && exchangeTimeMs >= nowMs - MAX_EXCHANGE_TIME_AGE_MS || exchangeTimeMs <= nowMs + MAX_EXCHANGE_TIME_LEAD_MS : stryMutAct_9fa48("384") ? false : stryMutAct_9fa48("383") ? true : (stryCov_9fa48("383", "384", "385"), (stryMutAct_9fa48("387") ? Number.isInteger(exchangeTimeMs) || exchangeTimeMs >= nowMs - MAX_EXCHANGE_TIME_AGE_MS : stryMutAct_9fa48("386") ? true : (stryCov_9fa48("386", "387"), Number.isInteger(exchangeTimeMs) && (stryMutAct_9fa48("390") ? exchangeTimeMs < nowMs - MAX_EXCHANGE_TIME_AGE_MS : stryMutAct_9fa48("389") ? exchangeTimeMs > nowMs - MAX_EXCHANGE_TIME_AGE_MS : stryMutAct_9fa48("388") ? true : (stryCov_9fa48("388", "389", "390"), exchangeTimeMs >= (stryMutAct_9fa48("391") ? nowMs + MAX_EXCHANGE_TIME_AGE_MS : (stryCov_9fa48("391"), nowMs - MAX_EXCHANGE_TIME_AGE_MS)))))) && (stryMutAct_9fa48("394") ? exchangeTimeMs > nowMs + MAX_EXCHANGE_TIME_LEAD_MS : stryMutAct_9fa48("393") ? exchangeTimeMs < nowMs + MAX_EXCHANGE_TIME_LEAD_MS : stryMutAct_9fa48("392") ? true : (stryCov_9fa48("392", "393", "394"), exchangeTimeMs <= (stryMutAct_9fa48("395") ? nowMs - MAX_EXCHANGE_TIME_LEAD_MS : (stryCov_9fa48("395"), nowMs + MAX_EXCHANGE_TIME_LEAD_MS)))));
  }
}