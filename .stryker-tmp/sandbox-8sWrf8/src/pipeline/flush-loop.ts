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
import type { LatestByGame } from '../prices/latest-by-game';
import type { GamePrices } from '../prices/types';
import { delayToNextSlot } from './flush-schedule';
export interface FlushLoopOptions {
  queue: LatestByGame;
  intervalMs: number;
  offsetMs: number;
  maxQueueSize: number;
  write: (batch: readonly GamePrices[]) => Promise<void>;
  onFailure: (error: unknown, batchSize: number) => void;
  now?: () => number;
  /** Delay before retrying after a failure, by consecutive failure count (default: 100 ms doubling, at most 1 s or the interval). */
  retryDelayMs?: (failures: number) => number;
}

/** After an outage, the queue must reach the store within one period plus a second of it answering again. */
const MAX_RETRY_DELAY_MS = 1000;

/**
 * Drains the price queue into its sink at wall-clock aligned times, never two at once, early when
 * the queue reaches its limit. A failed batch goes back under newer entries and is retried on its own short
 * backoff (not at the next slot), so that the queue is written within a second of the sink answering again;
 * the first success returns the loop to the slots.
 */
export class FlushLoop {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private running = stryMutAct_9fa48("139") ? true : (stryCov_9fa48("139"), false);
  private failures = 0;
  private readonly now: () => number;
  private readonly retryDelay: (failures: number) => number;
  constructor(private readonly options: FlushLoopOptions) {
    if (stryMutAct_9fa48("140")) {
      {}
    } else {
      stryCov_9fa48("140");
      this.now = stryMutAct_9fa48("141") ? options.now && Date.now : (stryCov_9fa48("141"), options.now ?? Date.now);
      const cap = stryMutAct_9fa48("142") ? Math.max(MAX_RETRY_DELAY_MS, options.intervalMs) : (stryCov_9fa48("142"), Math.min(MAX_RETRY_DELAY_MS, options.intervalMs));
      this.retryDelay = stryMutAct_9fa48("143") ? options.retryDelayMs && (failures => Math.min(100 * 2 ** (failures - 1), cap)) : (stryCov_9fa48("143"), options.retryDelayMs ?? (stryMutAct_9fa48("144") ? () => undefined : (stryCov_9fa48("144"), failures => stryMutAct_9fa48("145") ? Math.max(100 * 2 ** (failures - 1), cap) : (stryCov_9fa48("145"), Math.min(stryMutAct_9fa48("146") ? 100 / 2 ** (failures - 1) : (stryCov_9fa48("146"), 100 * 2 ** (stryMutAct_9fa48("147") ? failures + 1 : (stryCov_9fa48("147"), failures - 1))), cap)))));
    }
  }
  start(): void {
    if (stryMutAct_9fa48("148")) {
      {}
    } else {
      stryCov_9fa48("148");
      if (stryMutAct_9fa48("150") ? false : stryMutAct_9fa48("149") ? true : (stryCov_9fa48("149", "150"), this.running)) return;
      this.running = stryMutAct_9fa48("151") ? false : (stryCov_9fa48("151"), true);
      this.schedule();
    }
  }

  /** Stops the timer; an in-flight flush finishes. */
  stop(): void {
    if (stryMutAct_9fa48("152")) {
      {}
    } else {
      stryCov_9fa48("152");
      this.running = stryMutAct_9fa48("153") ? true : (stryCov_9fa48("153"), false);
      if (stryMutAct_9fa48("156") ? this.timer === undefined : stryMutAct_9fa48("155") ? false : stryMutAct_9fa48("154") ? true : (stryCov_9fa48("154", "155", "156"), this.timer !== undefined)) clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** Call after a put: forces an early flush at MAX_QUEUE_SIZE (unless the sink is failing). */
  notifyQueued(): void {
    if (stryMutAct_9fa48("157")) {
      {}
    } else {
      stryCov_9fa48("157");
      if (stryMutAct_9fa48("160") ? this.running && this.failures === 0 && this.inFlight === undefined || this.options.queue.size >= this.options.maxQueueSize : stryMutAct_9fa48("159") ? false : stryMutAct_9fa48("158") ? true : (stryCov_9fa48("158", "159", "160"), (stryMutAct_9fa48("162") ? this.running && this.failures === 0 || this.inFlight === undefined : stryMutAct_9fa48("161") ? true : (stryCov_9fa48("161", "162"), (stryMutAct_9fa48("164") ? this.running || this.failures === 0 : stryMutAct_9fa48("163") ? true : (stryCov_9fa48("163", "164"), this.running && (stryMutAct_9fa48("166") ? this.failures !== 0 : stryMutAct_9fa48("165") ? true : (stryCov_9fa48("165", "166"), this.failures === 0)))) && (stryMutAct_9fa48("168") ? this.inFlight !== undefined : stryMutAct_9fa48("167") ? true : (stryCov_9fa48("167", "168"), this.inFlight === undefined)))) && (stryMutAct_9fa48("171") ? this.options.queue.size < this.options.maxQueueSize : stryMutAct_9fa48("170") ? this.options.queue.size > this.options.maxQueueSize : stryMutAct_9fa48("169") ? true : (stryCov_9fa48("169", "170", "171"), this.options.queue.size >= this.options.maxQueueSize)))) {
        if (stryMutAct_9fa48("172")) {
          {}
        } else {
          stryCov_9fa48("172");
          void this.flush().then(() => {
            if (stryMutAct_9fa48("173")) {
              {}
            } else {
              stryCov_9fa48("173");
              // A failed early flush is retried on the backoff, not at the slot the timer waits for.
              if (stryMutAct_9fa48("176") ? this.failures > 0 && this.running || this.timer !== undefined : stryMutAct_9fa48("175") ? false : stryMutAct_9fa48("174") ? true : (stryCov_9fa48("174", "175", "176"), (stryMutAct_9fa48("178") ? this.failures > 0 || this.running : stryMutAct_9fa48("177") ? true : (stryCov_9fa48("177", "178"), (stryMutAct_9fa48("181") ? this.failures <= 0 : stryMutAct_9fa48("180") ? this.failures >= 0 : stryMutAct_9fa48("179") ? true : (stryCov_9fa48("179", "180", "181"), this.failures > 0)) && this.running)) && (stryMutAct_9fa48("183") ? this.timer === undefined : stryMutAct_9fa48("182") ? true : (stryCov_9fa48("182", "183"), this.timer !== undefined)))) {
                if (stryMutAct_9fa48("184")) {
                  {}
                } else {
                  stryCov_9fa48("184");
                  clearTimeout(this.timer);
                  this.schedule();
                }
              }
            }
          });
        }
      }
    }
  }

  /** Flushes now, after any flush in flight; resolves when the queue's content at call time is written or requeued. */
  async flush(): Promise<void> {
    if (stryMutAct_9fa48("185")) {
      {}
    } else {
      stryCov_9fa48("185");
      while (stryMutAct_9fa48("187") ? this.inFlight === undefined : stryMutAct_9fa48("186") ? false : (stryCov_9fa48("186", "187"), this.inFlight !== undefined)) await this.inFlight;
      const batch = this.options.queue.drain();
      if (stryMutAct_9fa48("190") ? batch.length !== 0 : stryMutAct_9fa48("189") ? false : stryMutAct_9fa48("188") ? true : (stryCov_9fa48("188", "189", "190"), batch.length === 0)) return;
      this.inFlight = this.writeBatch(batch);
      try {
        if (stryMutAct_9fa48("191")) {
          {}
        } else {
          stryCov_9fa48("191");
          await this.inFlight;
        }
      } finally {
        if (stryMutAct_9fa48("192")) {
          {}
        } else {
          stryCov_9fa48("192");
          this.inFlight = undefined;
        }
      }
    }
  }
  get busy(): boolean {
    if (stryMutAct_9fa48("193")) {
      {}
    } else {
      stryCov_9fa48("193");
      return stryMutAct_9fa48("196") ? this.inFlight === undefined : stryMutAct_9fa48("195") ? false : stryMutAct_9fa48("194") ? true : (stryCov_9fa48("194", "195", "196"), this.inFlight !== undefined);
    }
  }
  private async writeBatch(batch: GamePrices[]): Promise<void> {
    if (stryMutAct_9fa48("197")) {
      {}
    } else {
      stryCov_9fa48("197");
      try {
        if (stryMutAct_9fa48("198")) {
          {}
        } else {
          stryCov_9fa48("198");
          await this.options.write(batch);
          this.failures = 0;
        }
      } catch (error) {
        if (stryMutAct_9fa48("199")) {
          {}
        } else {
          stryCov_9fa48("199");
          stryMutAct_9fa48("200") ? this.failures -= 1 : (stryCov_9fa48("200"), this.failures += 1);
          this.options.queue.requeue(batch);
          this.options.onFailure(error, batch.length);
        }
      }
    }
  }
  private schedule(): void {
    if (stryMutAct_9fa48("201")) {
      {}
    } else {
      stryCov_9fa48("201");
      if (stryMutAct_9fa48("204") ? false : stryMutAct_9fa48("203") ? true : stryMutAct_9fa48("202") ? this.running : (stryCov_9fa48("202", "203", "204"), !this.running)) return;
      const delay = (stryMutAct_9fa48("208") ? this.failures <= 0 : stryMutAct_9fa48("207") ? this.failures >= 0 : stryMutAct_9fa48("206") ? false : stryMutAct_9fa48("205") ? true : (stryCov_9fa48("205", "206", "207", "208"), this.failures > 0)) ? this.retryDelay(this.failures) : delayToNextSlot(this.now(), this.options.intervalMs, this.options.offsetMs);
      this.timer = setTimeout(() => {
        if (stryMutAct_9fa48("209")) {
          {}
        } else {
          stryCov_9fa48("209");
          this.timer = undefined;
          void this.flush().finally(stryMutAct_9fa48("210") ? () => undefined : (stryCov_9fa48("210"), () => this.schedule()));
        }
      }, delay);
    }
  }
}