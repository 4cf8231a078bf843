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
import { UNITS_PER_CENT, UNITS_PER_DOLLAR, type PriceUnits } from './types';
export type PriceProblem = 'bad_price' | 'price_out_of_range';
const DOLLARS = stryMutAct_9fa48("336") ? /^(\d{1,3})(?:\.(\D{1,4}))?$/ : stryMutAct_9fa48("335") ? /^(\d{1,3})(?:\.(\d))?$/ : stryMutAct_9fa48("334") ? /^(\d{1,3})(?:\.(\d{1,4}))$/ : stryMutAct_9fa48("333") ? /^(\D{1,3})(?:\.(\d{1,4}))?$/ : stryMutAct_9fa48("332") ? /^(\d)(?:\.(\d{1,4}))?$/ : stryMutAct_9fa48("331") ? /^(\d{1,3})(?:\.(\d{1,4}))?/ : stryMutAct_9fa48("330") ? /(\d{1,3})(?:\.(\d{1,4}))?$/ : (stryCov_9fa48("330", "331", "332", "333", "334", "335", "336"), /^(\d{1,3})(?:\.(\d{1,4}))?$/);

/**
 * "0.4550" → 4550 units, exactly: the digits are read as integers, never through a float.
 * Returns a problem for anything that is not a dollar amount between 0 and 1.
 */
export function parseDollars(text: string): PriceUnits | PriceProblem {
  if (stryMutAct_9fa48("337")) {
    {}
  } else {
    stryCov_9fa48("337");
    const match = DOLLARS.exec(text);
    if (stryMutAct_9fa48("340") ? match !== null : stryMutAct_9fa48("339") ? false : stryMutAct_9fa48("338") ? true : (stryCov_9fa48("338", "339", "340"), match === null)) return (stryMutAct_9fa48("341") ? text.endsWith('-') : (stryCov_9fa48("341"), text.startsWith(stryMutAct_9fa48("342") ? "" : (stryCov_9fa48("342"), '-')))) ? stryMutAct_9fa48("343") ? "" : (stryCov_9fa48("343"), 'price_out_of_range') : stryMutAct_9fa48("344") ? "" : (stryCov_9fa48("344"), 'bad_price');
    const whole = Number(match[1]);
    const fraction = (stryMutAct_9fa48("347") ? match[2] !== undefined : stryMutAct_9fa48("346") ? false : stryMutAct_9fa48("345") ? true : (stryCov_9fa48("345", "346", "347"), match[2] === undefined)) ? 0 : Number(match[2].padEnd(4, stryMutAct_9fa48("348") ? "" : (stryCov_9fa48("348"), '0')));
    const units = stryMutAct_9fa48("349") ? whole * UNITS_PER_DOLLAR - fraction : (stryCov_9fa48("349"), (stryMutAct_9fa48("350") ? whole / UNITS_PER_DOLLAR : (stryCov_9fa48("350"), whole * UNITS_PER_DOLLAR)) + fraction);
    return (stryMutAct_9fa48("354") ? units <= UNITS_PER_DOLLAR : stryMutAct_9fa48("353") ? units >= UNITS_PER_DOLLAR : stryMutAct_9fa48("352") ? false : stryMutAct_9fa48("351") ? true : (stryCov_9fa48("351", "352", "353", "354"), units > UNITS_PER_DOLLAR)) ? stryMutAct_9fa48("355") ? "" : (stryCov_9fa48("355"), 'price_out_of_range') : units;
  }
}

/** The seed's integer-cent fields, accepted only where the `_dollars` field is absent. */
export function parseCents(value: number): PriceUnits | PriceProblem {
  if (stryMutAct_9fa48("356")) {
    {}
  } else {
    stryCov_9fa48("356");
    if (stryMutAct_9fa48("359") ? false : stryMutAct_9fa48("358") ? true : stryMutAct_9fa48("357") ? Number.isFinite(value) : (stryCov_9fa48("357", "358", "359"), !Number.isFinite(value))) return stryMutAct_9fa48("360") ? "" : (stryCov_9fa48("360"), 'bad_price');
    if (stryMutAct_9fa48("363") ? (!Number.isInteger(value) || value < 0) && value > 100 : stryMutAct_9fa48("362") ? false : stryMutAct_9fa48("361") ? true : (stryCov_9fa48("361", "362", "363"), (stryMutAct_9fa48("365") ? !Number.isInteger(value) && value < 0 : stryMutAct_9fa48("364") ? false : (stryCov_9fa48("364", "365"), (stryMutAct_9fa48("366") ? Number.isInteger(value) : (stryCov_9fa48("366"), !Number.isInteger(value))) || (stryMutAct_9fa48("369") ? value >= 0 : stryMutAct_9fa48("368") ? value <= 0 : stryMutAct_9fa48("367") ? false : (stryCov_9fa48("367", "368", "369"), value < 0)))) || (stryMutAct_9fa48("372") ? value <= 100 : stryMutAct_9fa48("371") ? value >= 100 : stryMutAct_9fa48("370") ? false : (stryCov_9fa48("370", "371", "372"), value > 100)))) return stryMutAct_9fa48("373") ? "" : (stryCov_9fa48("373"), 'price_out_of_range');
    return stryMutAct_9fa48("374") ? value / UNITS_PER_CENT : (stryCov_9fa48("374"), value * UNITS_PER_CENT);
  }
}
export function unitsToCents(units: PriceUnits): number {
  if (stryMutAct_9fa48("375")) {
    {}
  } else {
    stryCov_9fa48("375");
    return stryMutAct_9fa48("376") ? units * UNITS_PER_CENT : (stryCov_9fa48("376"), units / UNITS_PER_CENT);
  }
}