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
export interface PublishLoopOptions {
  queue: LatestByGame;
  /** Coalescing window; 0 publishes at once (a burst queued in the same turn of the event loop goes together). */
  intervalMs: number;
  publish: (batch: readonly GamePrices[]) => Promise<void>;
  onFailure: (error: unknown, batchSize: number) => void;
  /** Delay before retrying after a failure, by consecutive failure count. */
  retryDelayMs?: (failures: number) => number;
}
const defaultRetryDelay = stryMutAct_9fa48("271") ? () => undefined : (stryCov_9fa48("271"), (() => {
  const defaultRetryDelay = (failures: number): number => stryMutAct_9fa48("272") ? Math.max(100 * 2 ** (failures - 1), 5000) : (stryCov_9fa48("272"), Math.min(stryMutAct_9fa48("273") ? 100 / 2 ** (failures - 1) : (stryCov_9fa48("273"), 100 * 2 ** (stryMutAct_9fa48("274") ? failures + 1 : (stryCov_9fa48("274"), failures - 1))), 5000));
  return defaultRetryDelay;
})());

/**
 * Publishes the per-game queue in coalesced batches, one batch in flight at a time so messages of a
 * game leave in order. A failed batch goes back under newer entries and is retried with backoff.
 */
export class PublishLoop {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private running = stryMutAct_9fa48("275") ? true : (stryCov_9fa48("275"), false);
  private failures = 0;
  private readonly retryDelay: (failures: number) => number;
  constructor(private readonly options: PublishLoopOptions) {
    if (stryMutAct_9fa48("276")) {
      {}
    } else {
      stryCov_9fa48("276");
      this.retryDelay = stryMutAct_9fa48("277") ? options.retryDelayMs && defaultRetryDelay : (stryCov_9fa48("277"), options.retryDelayMs ?? defaultRetryDelay);
    }
  }
  start(): void {
    if (stryMutAct_9fa48("278")) {
      {}
    } else {
      stryCov_9fa48("278");
      this.running = stryMutAct_9fa48("279") ? false : (stryCov_9fa48("279"), true);
      if (stryMutAct_9fa48("283") ? this.options.queue.size <= 0 : stryMutAct_9fa48("282") ? this.options.queue.size >= 0 : stryMutAct_9fa48("281") ? false : stryMutAct_9fa48("280") ? true : (stryCov_9fa48("280", "281", "282", "283"), this.options.queue.size > 0)) this.arm(this.options.intervalMs);
    }
  }
  stop(): void {
    if (stryMutAct_9fa48("284")) {
      {}
    } else {
      stryCov_9fa48("284");
      this.running = stryMutAct_9fa48("285") ? true : (stryCov_9fa48("285"), false);
      this.disarm();
    }
  }

  /** Call after a put. */
  notifyQueued(): void {
    if (stryMutAct_9fa48("286")) {
      {}
    } else {
      stryCov_9fa48("286");
      if (stryMutAct_9fa48("289") ? this.running && this.timer === undefined || this.inFlight === undefined : stryMutAct_9fa48("288") ? false : stryMutAct_9fa48("287") ? true : (stryCov_9fa48("287", "288", "289"), (stryMutAct_9fa48("291") ? this.running || this.timer === undefined : stryMutAct_9fa48("290") ? true : (stryCov_9fa48("290", "291"), this.running && (stryMutAct_9fa48("293") ? this.timer !== undefined : stryMutAct_9fa48("292") ? true : (stryCov_9fa48("292", "293"), this.timer === undefined)))) && (stryMutAct_9fa48("295") ? this.inFlight !== undefined : stryMutAct_9fa48("294") ? true : (stryCov_9fa48("294", "295"), this.inFlight === undefined)))) this.arm(this.options.intervalMs);
    }
  }

  /** Publishes everything queued now, after any batch in flight. */
  async flush(): Promise<void> {
    if (stryMutAct_9fa48("296")) {
      {}
    } else {
      stryCov_9fa48("296");
      while (stryMutAct_9fa48("298") ? this.inFlight === undefined : stryMutAct_9fa48("297") ? false : (stryCov_9fa48("297", "298"), this.inFlight !== undefined)) await this.inFlight;
      this.disarm();
      await this.publishQueued();
    }
  }
  private arm(delayMs: number): void {
    if (stryMutAct_9fa48("299")) {
      {}
    } else {
      stryCov_9fa48("299");
      const run = () => {
        if (stryMutAct_9fa48("300")) {
          {}
        } else {
          stryCov_9fa48("300");
          this.timer = undefined;
          void this.publishQueued().then(() => {
            if (stryMutAct_9fa48("301")) {
              {}
            } else {
              stryCov_9fa48("301");
              if (stryMutAct_9fa48("304") ? this.running && this.options.queue.size > 0 || this.timer === undefined : stryMutAct_9fa48("303") ? false : stryMutAct_9fa48("302") ? true : (stryCov_9fa48("302", "303", "304"), (stryMutAct_9fa48("306") ? this.running || this.options.queue.size > 0 : stryMutAct_9fa48("305") ? true : (stryCov_9fa48("305", "306"), this.running && (stryMutAct_9fa48("309") ? this.options.queue.size <= 0 : stryMutAct_9fa48("308") ? this.options.queue.size >= 0 : stryMutAct_9fa48("307") ? true : (stryCov_9fa48("307", "308", "309"), this.options.queue.size > 0)))) && (stryMutAct_9fa48("311") ? this.timer !== undefined : stryMutAct_9fa48("310") ? true : (stryCov_9fa48("310", "311"), this.timer === undefined)))) {
                if (stryMutAct_9fa48("312")) {
                  {}
                } else {
                  stryCov_9fa48("312");
                  this.arm((stryMutAct_9fa48("316") ? this.failures <= 0 : stryMutAct_9fa48("315") ? this.failures >= 0 : stryMutAct_9fa48("314") ? false : stryMutAct_9fa48("313") ? true : (stryCov_9fa48("313", "314", "315", "316"), this.failures > 0)) ? this.retryDelay(this.failures) : this.options.intervalMs);
                }
              }
            }
          });
        }
      };
      // A zero delay still waits for the current turn of the event loop, so a burst goes as one batch.
      this.timer = setTimeout(run, delayMs);
    }
  }
  private disarm(): void {
    if (stryMutAct_9fa48("317")) {
      {}
    } else {
      stryCov_9fa48("317");
      if (stryMutAct_9fa48("320") ? this.timer !== undefined : stryMutAct_9fa48("319") ? false : stryMutAct_9fa48("318") ? true : (stryCov_9fa48("318", "319", "320"), this.timer === undefined)) return;
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
  private async publishQueued(): Promise<void> {
    if (stryMutAct_9fa48("321")) {
      {}
    } else {
      stryCov_9fa48("321");
      const batch = this.options.queue.drain();
      if (stryMutAct_9fa48("324") ? batch.length !== 0 : stryMutAct_9fa48("323") ? false : stryMutAct_9fa48("322") ? true : (stryCov_9fa48("322", "323", "324"), batch.length === 0)) return;
      this.inFlight = this.options.publish(batch).then(() => {
        if (stryMutAct_9fa48("325")) {
          {}
        } else {
          stryCov_9fa48("325");
          this.failures = 0;
        }
      }, (error: unknown) => {
        if (stryMutAct_9fa48("326")) {
          {}
        } else {
          stryCov_9fa48("326");
          stryMutAct_9fa48("327") ? this.failures -= 1 : (stryCov_9fa48("327"), this.failures += 1);
          this.options.queue.requeue(batch);
          this.options.onFailure(error, batch.length);
        }
      });
      try {
        if (stryMutAct_9fa48("328")) {
          {}
        } else {
          stryCov_9fa48("328");
          await this.inFlight;
        }
      } finally {
        if (stryMutAct_9fa48("329")) {
          {}
        } else {
          stryCov_9fa48("329");
          this.inFlight = undefined;
        }
      }
    }
  }
}