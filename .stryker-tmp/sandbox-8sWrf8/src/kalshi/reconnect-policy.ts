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
export interface ReconnectPolicyOptions {
  delaysMs?: readonly number[];
  /** ±fraction of each delay, so replicas and connections do not reconnect in step. */
  jitter?: number;
  /** A connection that stayed up this long resets the delay; a flapping one keeps backing off. */
  healthyAfterMs?: number;
  random?: () => number;
}
export const DEFAULT_RECONNECT_DELAYS_MS: readonly number[] = stryMutAct_9fa48("0") ? [] : (stryCov_9fa48("0"), [1000, 2000, 5000, 10000, 30000, 60000]);

/** Reconnect delays 1, 2, 5, 10, 30, 60 s, then 60 s forever, with jitter. Never gives up. */
export class ReconnectPolicy {
  private attempt = 0;
  private readonly delays: readonly number[];
  private readonly jitter: number;
  private readonly healthyAfterMs: number;
  private readonly random: () => number;
  constructor(options: ReconnectPolicyOptions = {}) {
    if (stryMutAct_9fa48("1")) {
      {}
    } else {
      stryCov_9fa48("1");
      this.delays = stryMutAct_9fa48("2") ? options.delaysMs && DEFAULT_RECONNECT_DELAYS_MS : (stryCov_9fa48("2"), options.delaysMs ?? DEFAULT_RECONNECT_DELAYS_MS);
      this.jitter = stryMutAct_9fa48("3") ? options.jitter && 0.2 : (stryCov_9fa48("3"), options.jitter ?? 0.2);
      this.healthyAfterMs = stryMutAct_9fa48("4") ? options.healthyAfterMs && 30_000 : (stryCov_9fa48("4"), options.healthyAfterMs ?? 30_000);
      this.random = stryMutAct_9fa48("5") ? options.random && Math.random : (stryCov_9fa48("5"), options.random ?? Math.random);
    }
  }

  /** The delay before the next attempt, given how long the last connection stayed open (0 if it never opened). */
  nextDelay(lastUptimeMs: number): number {
    if (stryMutAct_9fa48("6")) {
      {}
    } else {
      stryCov_9fa48("6");
      if (stryMutAct_9fa48("10") ? lastUptimeMs < this.healthyAfterMs : stryMutAct_9fa48("9") ? lastUptimeMs > this.healthyAfterMs : stryMutAct_9fa48("8") ? false : stryMutAct_9fa48("7") ? true : (stryCov_9fa48("7", "8", "9", "10"), lastUptimeMs >= this.healthyAfterMs)) this.attempt = 0;
      const base = this.delays[Math.min(this.attempt, this.delays.length - 1)] as number;
      stryMutAct_9fa48("11") ? this.attempt -= 1 : (stryCov_9fa48("11"), this.attempt += 1);
      return this.withJitter(base);
    }
  }

  /** A rejected handshake will not fix itself quickly: wait the longest delay. */
  longestDelay(): number {
    if (stryMutAct_9fa48("12")) {
      {}
    } else {
      stryCov_9fa48("12");
      this.attempt = this.delays.length;
      return this.withJitter(this.delays[this.delays.length - 1] as number);
    }
  }
  get attempts(): number {
    if (stryMutAct_9fa48("13")) {
      {}
    } else {
      stryCov_9fa48("13");
      return this.attempt;
    }
  }
  private withJitter(base: number): number {
    if (stryMutAct_9fa48("14")) {
      {}
    } else {
      stryCov_9fa48("14");
      return Math.round(stryMutAct_9fa48("15") ? base / (1 + this.jitter * (2 * this.random() - 1)) : (stryCov_9fa48("15"), base * (stryMutAct_9fa48("16") ? 1 - this.jitter * (2 * this.random() - 1) : (stryCov_9fa48("16"), 1 + (stryMutAct_9fa48("17") ? this.jitter / (2 * this.random() - 1) : (stryCov_9fa48("17"), this.jitter * (stryMutAct_9fa48("18") ? 2 * this.random() + 1 : (stryCov_9fa48("18"), (stryMutAct_9fa48("19") ? 2 / this.random() : (stryCov_9fa48("19"), 2 * this.random())) - 1))))))));
    }
  }
}