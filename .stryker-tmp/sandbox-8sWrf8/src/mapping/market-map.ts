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
import type { MappedMarket } from '../prices/game-book';
import type { Side } from '../prices/types';
export interface MarketRow {
  ticker: string;
  live_game_id: string;
  side: string;
  /** null when the game is missing from frontend_games. */
  slug: string | null;
}
export interface MarketMapProblem {
  reason: 'unknown_side' | 'market_without_game' | 'duplicate_side' | 'bad_ticker' | 'max_markets_exceeded';
  ticker: string;
  gameId: string;
}
export interface MarketMap {
  markets: Map<string, MappedMarket>;
  problems: MarketMapProblem[];
}
const SIDES: ReadonlySet<string> = new Set<Side>(stryMutAct_9fa48("62") ? [] : (stryCov_9fa48("62"), [stryMutAct_9fa48("63") ? "" : (stryCov_9fa48("63"), 'home'), stryMutAct_9fa48("64") ? "" : (stryCov_9fa48("64"), 'away')]));
const TICKER = stryMutAct_9fa48("68") ? /^[^A-Za-z0-9._-]{1,200}$/ : stryMutAct_9fa48("67") ? /^[A-Za-z0-9._-]$/ : stryMutAct_9fa48("66") ? /^[A-Za-z0-9._-]{1,200}/ : stryMutAct_9fa48("65") ? /[A-Za-z0-9._-]{1,200}$/ : (stryCov_9fa48("65", "66", "67", "68"), /^[A-Za-z0-9._-]{1,200}$/);

/**
 * Active rows of kalshi_markets → the markets to track. Bad rows are set aside with a reason;
 * beyond `maxMarkets` new markets are refused (rows come ordered, so the same ones each time).
 */
export function buildMarketMap(rows: readonly MarketRow[], maxMarkets: number): MarketMap {
  if (stryMutAct_9fa48("69")) {
    {}
  } else {
    stryCov_9fa48("69");
    const markets = new Map<string, MappedMarket>();
    const problems: MarketMapProblem[] = stryMutAct_9fa48("70") ? ["Stryker was here"] : (stryCov_9fa48("70"), []);
    const sidesTaken = new Set<string>();
    for (const row of rows) {
      if (stryMutAct_9fa48("71")) {
        {}
      } else {
        stryCov_9fa48("71");
        const base = stryMutAct_9fa48("72") ? {} : (stryCov_9fa48("72"), {
          ticker: row.ticker,
          gameId: row.live_game_id
        });
        if (stryMutAct_9fa48("75") ? false : stryMutAct_9fa48("74") ? true : stryMutAct_9fa48("73") ? TICKER.test(row.ticker) : (stryCov_9fa48("73", "74", "75"), !TICKER.test(row.ticker))) {
          if (stryMutAct_9fa48("76")) {
            {}
          } else {
            stryCov_9fa48("76");
            problems.push(stryMutAct_9fa48("77") ? {} : (stryCov_9fa48("77"), {
              reason: stryMutAct_9fa48("78") ? "" : (stryCov_9fa48("78"), 'bad_ticker'),
              ...base
            }));
            continue;
          }
        }
        if (stryMutAct_9fa48("81") ? false : stryMutAct_9fa48("80") ? true : stryMutAct_9fa48("79") ? SIDES.has(row.side) : (stryCov_9fa48("79", "80", "81"), !SIDES.has(row.side))) {
          if (stryMutAct_9fa48("82")) {
            {}
          } else {
            stryCov_9fa48("82");
            problems.push(stryMutAct_9fa48("83") ? {} : (stryCov_9fa48("83"), {
              reason: stryMutAct_9fa48("84") ? "" : (stryCov_9fa48("84"), 'unknown_side'),
              ...base
            }));
            continue;
          }
        }
        if (stryMutAct_9fa48("87") ? row.slug !== null : stryMutAct_9fa48("86") ? false : stryMutAct_9fa48("85") ? true : (stryCov_9fa48("85", "86", "87"), row.slug === null)) {
          if (stryMutAct_9fa48("88")) {
            {}
          } else {
            stryCov_9fa48("88");
            problems.push(stryMutAct_9fa48("89") ? {} : (stryCov_9fa48("89"), {
              reason: stryMutAct_9fa48("90") ? "" : (stryCov_9fa48("90"), 'market_without_game'),
              ...base
            }));
            continue;
          }
        }
        const sideKey = stryMutAct_9fa48("91") ? `` : (stryCov_9fa48("91"), `${row.live_game_id}\u0000${row.side}`);
        if (stryMutAct_9fa48("93") ? false : stryMutAct_9fa48("92") ? true : (stryCov_9fa48("92", "93"), sidesTaken.has(sideKey))) {
          if (stryMutAct_9fa48("94")) {
            {}
          } else {
            stryCov_9fa48("94");
            problems.push(stryMutAct_9fa48("95") ? {} : (stryCov_9fa48("95"), {
              reason: stryMutAct_9fa48("96") ? "" : (stryCov_9fa48("96"), 'duplicate_side'),
              ...base
            }));
            continue;
          }
        }
        if (stryMutAct_9fa48("100") ? markets.size < maxMarkets : stryMutAct_9fa48("99") ? markets.size > maxMarkets : stryMutAct_9fa48("98") ? false : stryMutAct_9fa48("97") ? true : (stryCov_9fa48("97", "98", "99", "100"), markets.size >= maxMarkets)) {
          if (stryMutAct_9fa48("101")) {
            {}
          } else {
            stryCov_9fa48("101");
            problems.push(stryMutAct_9fa48("102") ? {} : (stryCov_9fa48("102"), {
              reason: stryMutAct_9fa48("103") ? "" : (stryCov_9fa48("103"), 'max_markets_exceeded'),
              ...base
            }));
            continue;
          }
        }
        sidesTaken.add(sideKey);
        markets.set(row.ticker, stryMutAct_9fa48("104") ? {} : (stryCov_9fa48("104"), {
          ticker: row.ticker,
          gameId: row.live_game_id,
          side: row.side as Side,
          slug: row.slug
        }));
      }
    }
    return stryMutAct_9fa48("105") ? {} : (stryCov_9fa48("105"), {
      markets,
      problems
    });
  }
}

/** A market still mapped whose game, side or slug changed. */
export interface MarketRemap {
  before: MappedMarket;
  after: MappedMarket;
}
export interface MarketMapDiff {
  /** New markets, and re-mapped ones (also listed in `changed`). */
  added: MappedMarket[];
  /** Markets gone, and re-mapped ones as they were (also listed in `changed`). */
  removed: MappedMarket[];
  /** Re-mapped markets: the book moves them keeping their quote. Absent = none (older producers). */
  changed?: MarketRemap[];
}

/**
 * What changed between two loads. A market whose game, side or slug changed is listed in `changed`, and, for
 * consumers that only know adds and removals, also as removed (before) and added (after).
 */
export function diffMarketMaps(previous: ReadonlyMap<string, MappedMarket>, next: ReadonlyMap<string, MappedMarket>): MarketMapDiff {
  if (stryMutAct_9fa48("106")) {
    {}
  } else {
    stryCov_9fa48("106");
    const added: MappedMarket[] = stryMutAct_9fa48("107") ? ["Stryker was here"] : (stryCov_9fa48("107"), []);
    const removed: MappedMarket[] = stryMutAct_9fa48("108") ? ["Stryker was here"] : (stryCov_9fa48("108"), []);
    const changed: MarketRemap[] = stryMutAct_9fa48("109") ? ["Stryker was here"] : (stryCov_9fa48("109"), []);
    for (const [ticker, market] of previous) {
      if (stryMutAct_9fa48("110")) {
        {}
      } else {
        stryCov_9fa48("110");
        const now = next.get(ticker);
        if (stryMutAct_9fa48("113") ? now !== undefined : stryMutAct_9fa48("112") ? false : stryMutAct_9fa48("111") ? true : (stryCov_9fa48("111", "112", "113"), now === undefined)) removed.push(market);else if (stryMutAct_9fa48("116") ? false : stryMutAct_9fa48("115") ? true : stryMutAct_9fa48("114") ? sameMapping(now, market) : (stryCov_9fa48("114", "115", "116"), !sameMapping(now, market))) {
          if (stryMutAct_9fa48("117")) {
            {}
          } else {
            stryCov_9fa48("117");
            removed.push(market);
            changed.push(stryMutAct_9fa48("118") ? {} : (stryCov_9fa48("118"), {
              before: market,
              after: now
            }));
          }
        }
      }
    }
    for (const [ticker, market] of next) {
      if (stryMutAct_9fa48("119")) {
        {}
      } else {
        stryCov_9fa48("119");
        const before = previous.get(ticker);
        if (stryMutAct_9fa48("122") ? before === undefined && !sameMapping(before, market) : stryMutAct_9fa48("121") ? false : stryMutAct_9fa48("120") ? true : (stryCov_9fa48("120", "121", "122"), (stryMutAct_9fa48("124") ? before !== undefined : stryMutAct_9fa48("123") ? false : (stryCov_9fa48("123", "124"), before === undefined)) || (stryMutAct_9fa48("125") ? sameMapping(before, market) : (stryCov_9fa48("125"), !sameMapping(before, market))))) added.push(market);
      }
    }
    return stryMutAct_9fa48("126") ? {} : (stryCov_9fa48("126"), {
      added,
      removed,
      changed
    });
  }
}
function sameMapping(a: MappedMarket, b: MappedMarket): boolean {
  if (stryMutAct_9fa48("127")) {
    {}
  } else {
    stryCov_9fa48("127");
    return stryMutAct_9fa48("130") ? a.gameId === b.gameId && a.side === b.side || a.slug === b.slug : stryMutAct_9fa48("129") ? false : stryMutAct_9fa48("128") ? true : (stryCov_9fa48("128", "129", "130"), (stryMutAct_9fa48("132") ? a.gameId === b.gameId || a.side === b.side : stryMutAct_9fa48("131") ? true : (stryCov_9fa48("131", "132"), (stryMutAct_9fa48("134") ? a.gameId !== b.gameId : stryMutAct_9fa48("133") ? true : (stryCov_9fa48("133", "134"), a.gameId === b.gameId)) && (stryMutAct_9fa48("136") ? a.side !== b.side : stryMutAct_9fa48("135") ? true : (stryCov_9fa48("135", "136"), a.side === b.side)))) && (stryMutAct_9fa48("138") ? a.slug !== b.slug : stryMutAct_9fa48("137") ? true : (stryCov_9fa48("137", "138"), a.slug === b.slug)));
  }
}