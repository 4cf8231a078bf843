/** What a connection has subscribed, and what it should have. */
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
export interface SubscriptionState {
  desired: ReadonlySet<string>;
  /** Confirmed subscriptions: sid → its tickers. */
  sids: ReadonlyMap<number, ReadonlySet<string>>;
  /** Tickers Kalshi does not know (error 16): left alone until they leave the mapping. */
  rejected: ReadonlySet<string>;
  /** Most markets a subscription may hold (learned down on error 26). */
  sidCapacity: number;
  /** Most tickers a command may carry. */
  batchSize: number;
}
export type SubscriptionCommand = {
  kind: 'unsubscribe';
  sid: number;
} | {
  kind: 'delete_markets';
  sid: number;
  tickers: string[];
} | {
  kind: 'add_markets';
  sid: number;
  tickers: string[];
} | {
  kind: 'subscribe';
  tickers: string[];
};

/**
 * The next command that brings the subscriptions closer to the desired set: removals first (they
 * free room), then additions into a subscription with room, else a new subscription. Pure.
 */
export function planNextCommand(state: SubscriptionState): SubscriptionCommand | undefined {
  if (stryMutAct_9fa48("20")) {
    {}
  } else {
    stryCov_9fa48("20");
    const subscribed = new Set<string>();
    for (const [sid, tickers] of state.sids) {
      if (stryMutAct_9fa48("21")) {
        {}
      } else {
        stryCov_9fa48("21");
        const stale: string[] = stryMutAct_9fa48("22") ? ["Stryker was here"] : (stryCov_9fa48("22"), []);
        for (const ticker of tickers) {
          if (stryMutAct_9fa48("23")) {
            {}
          } else {
            stryCov_9fa48("23");
            subscribed.add(ticker);
            if (stryMutAct_9fa48("26") ? false : stryMutAct_9fa48("25") ? true : stryMutAct_9fa48("24") ? state.desired.has(ticker) : (stryCov_9fa48("24", "25", "26"), !state.desired.has(ticker))) stale.push(ticker);
          }
        }
        if (stryMutAct_9fa48("29") ? stale.length !== 0 : stryMutAct_9fa48("28") ? false : stryMutAct_9fa48("27") ? true : (stryCov_9fa48("27", "28", "29"), stale.length === 0)) continue;
        if (stryMutAct_9fa48("32") ? stale.length !== tickers.size : stryMutAct_9fa48("31") ? false : stryMutAct_9fa48("30") ? true : (stryCov_9fa48("30", "31", "32"), stale.length === tickers.size)) return stryMutAct_9fa48("33") ? {} : (stryCov_9fa48("33"), {
          kind: stryMutAct_9fa48("34") ? "" : (stryCov_9fa48("34"), 'unsubscribe'),
          sid
        });
        return stryMutAct_9fa48("35") ? {} : (stryCov_9fa48("35"), {
          kind: stryMutAct_9fa48("36") ? "" : (stryCov_9fa48("36"), 'delete_markets'),
          sid,
          tickers: stryMutAct_9fa48("37") ? stale : (stryCov_9fa48("37"), stale.slice(0, state.batchSize))
        });
      }
    }
    const missing: string[] = stryMutAct_9fa48("38") ? ["Stryker was here"] : (stryCov_9fa48("38"), []);
    for (const ticker of state.desired) {
      if (stryMutAct_9fa48("39")) {
        {}
      } else {
        stryCov_9fa48("39");
        if (stryMutAct_9fa48("42") ? subscribed.has(ticker) && state.rejected.has(ticker) : stryMutAct_9fa48("41") ? false : stryMutAct_9fa48("40") ? true : (stryCov_9fa48("40", "41", "42"), subscribed.has(ticker) || state.rejected.has(ticker))) continue;
        missing.push(ticker);
        if (stryMutAct_9fa48("45") ? missing.length !== state.batchSize : stryMutAct_9fa48("44") ? false : stryMutAct_9fa48("43") ? true : (stryCov_9fa48("43", "44", "45"), missing.length === state.batchSize)) break;
      }
    }
    if (stryMutAct_9fa48("48") ? missing.length !== 0 : stryMutAct_9fa48("47") ? false : stryMutAct_9fa48("46") ? true : (stryCov_9fa48("46", "47", "48"), missing.length === 0)) return undefined;
    for (const [sid, tickers] of state.sids) {
      if (stryMutAct_9fa48("49")) {
        {}
      } else {
        stryCov_9fa48("49");
        const room = stryMutAct_9fa48("50") ? state.sidCapacity + tickers.size : (stryCov_9fa48("50"), state.sidCapacity - tickers.size);
        if (stryMutAct_9fa48("54") ? room <= 0 : stryMutAct_9fa48("53") ? room >= 0 : stryMutAct_9fa48("52") ? false : stryMutAct_9fa48("51") ? true : (stryCov_9fa48("51", "52", "53", "54"), room > 0)) return stryMutAct_9fa48("55") ? {} : (stryCov_9fa48("55"), {
          kind: stryMutAct_9fa48("56") ? "" : (stryCov_9fa48("56"), 'add_markets'),
          sid,
          tickers: stryMutAct_9fa48("57") ? missing : (stryCov_9fa48("57"), missing.slice(0, room))
        });
      }
    }
    return stryMutAct_9fa48("58") ? {} : (stryCov_9fa48("58"), {
      kind: stryMutAct_9fa48("59") ? "" : (stryCov_9fa48("59"), 'subscribe'),
      tickers: stryMutAct_9fa48("60") ? missing : (stryCov_9fa48("60"), missing.slice(0, stryMutAct_9fa48("61") ? Math.max(state.batchSize, state.sidCapacity) : (stryCov_9fa48("61"), Math.min(state.batchSize, state.sidCapacity))))
    });
  }
}