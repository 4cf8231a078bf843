/**
 * Milliseconds from `now` until the next wall-clock time t > now with t ≡ offset (mod interval),
 * so that our flushes and the CLOB service's (on the whole period) never coincide.
 */
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
export function delayToNextSlot(nowMs: number, intervalMs: number, offsetMs: number): number {
  if (stryMutAct_9fa48("211")) {
    {}
  } else {
    stryCov_9fa48("211");
    const phase = stryMutAct_9fa48("212") ? ((nowMs - offsetMs) % intervalMs + intervalMs) * intervalMs : (stryCov_9fa48("212"), (stryMutAct_9fa48("213") ? (nowMs - offsetMs) % intervalMs - intervalMs : (stryCov_9fa48("213"), (stryMutAct_9fa48("214") ? (nowMs - offsetMs) * intervalMs : (stryCov_9fa48("214"), (stryMutAct_9fa48("215") ? nowMs + offsetMs : (stryCov_9fa48("215"), nowMs - offsetMs)) % intervalMs)) + intervalMs)) % intervalMs);
    return stryMutAct_9fa48("216") ? intervalMs + phase : (stryCov_9fa48("216"), intervalMs - phase);
  }
}