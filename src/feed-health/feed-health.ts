import type { Logger } from 'pino';
import type { Config } from '../config';
import type { RedisClient } from '../redis/connect';
import type { RedisKeys } from '../sinks/redis-keys';
import type { ExchangeStatusRead, KalshiRest, ReadOptions, RestPassResult } from '../kalshi/rest-client';
import { every } from '../timing/every';
import { within } from '../timing/within';
import { FeedStore } from './feed-store';
import { FeedStateMachine, type ExchangeTrading, type FeedFacts, type FeedHealth, type FeedState } from './feed-state';

/** How often the facts are looked at: a change reaches Redis well within the contract's second. */
export const EVALUATE_EVERY_MS = 250;
/** The hash is rewritten this often even without a change (a third of its 60 s TTL). */
export const FEED_KEEP_ALIVE_MS = 20_000;
/** The previous leader's last word is waited for at most this long at the start of a term. */
const READ_PREVIOUS_MS = 1000;
/** Exchange status reads go before bulk passes at the shared limiter (Bottleneck: lower first). */
const PRIORITY_EXCHANGE_STATUS = 2;

/** What the term knows of its sockets and fallback at this moment (FeedFacts without what this part tracks itself). */
export type TermFacts = Omit<FeedFacts, 'lastRestSuccessAtMs' | 'exchange'>;

export interface TermFactsSource {
  termFacts(): TermFacts;
}

/** Where the feed state goes (FeedStore: the `kalshi:feed` hash and its channel). */
export interface FeedStatusWriter {
  write(health: FeedHealth, announce: boolean, nowMs: number): Promise<void>;
  read(): Promise<FeedHealth | undefined>;
}

/** Whether this term may still write (the lock is ours). Checked before every write. */
export interface WriteGate {
  allowed(): boolean;
}

export interface InvalidInput {
  report(reason: string, detail?: Record<string, unknown>): void;
}

export interface FeedHealthOptions {
  term: TermFactsSource;
  /** The process's one paced REST client. */
  rest: Pick<KalshiRest, 'readExchangeStatus'>;
  writer: FeedStatusWriter;
  gate: WriteGate;
  invalid: InvalidInput;
  log: Logger;
  pollIntervalMs: number;
  exchangeStatusIntervalMs: number;
  now?: () => number;
}

/** /status, readiness and the gauges. */
export interface FeedHealthStatus {
  /** undefined until the term knows something (no previous leader's word, the map not loaded yet). */
  state: FeedState | undefined;
  since: number | undefined;
  reason: string | undefined;
  /**
   * Kalshi's exchange status says trading is on. true until the first successful read says otherwise (an unknown
   * must not silence the alerts that kalshi_exchange_trading_active == 0 silences), and on a standby.
   */
  tradingActive: boolean;
  resumesAt: string | null;
  /** The last successful read of GET /exchange/status (ISO 8601), or null. */
  exchangeReadAt: string | null;
}

/**
 * The feed's health for one leader term (docs/CONTRACT.md, "Feed health and the exchange's own status"): reads
 * Kalshi's exchange status every EXCHANGE_STATUS_INTERVAL_MS, derives the state from the term's facts
 * (FeedStateMachine), keeps `kalshi:feed` and announces every change on `kalshi:feed:channel`. Runs from `run(signal)`
 * until the term's signal aborts; writes nothing once the gate closes.
 */
export class FeedHealthMonitor {
  private machine: FeedStateMachine | undefined;
  private lastRestSuccessAtMs: number | undefined;
  private exchange: ExchangeTrading | undefined;
  private exchangeReadAtMs: number | undefined;
  private readonly now: () => number;

  constructor(private readonly options: FeedHealthOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The fallback's REST client, noting every read that brought market data (what `down` is measured against). */
  watchRest(rest: Pick<KalshiRest, 'readMarkets'>): Pick<KalshiRest, 'readMarkets'> {
    return {
      readMarkets: (tickers: readonly string[], read: ReadOptions): Promise<RestPassResult> =>
        rest.readMarkets(tickers, {
          ...read,
          onPage: (page) => {
            if (page.completed.length > 0) this.lastRestSuccessAtMs = this.now();
            read.onPage(page);
          },
        }),
    };
  }

  status(): FeedHealthStatus {
    const health = this.machine?.current;
    return {
      state: health?.state,
      since: health?.since,
      reason: health?.reason,
      tradingActive: this.exchange?.paused !== true,
      resumesAt: this.exchange?.resumesAt ?? null,
      exchangeReadAt: this.exchangeReadAtMs === undefined ? null : new Date(this.exchangeReadAtMs).toISOString(),
    };
  }

  /** Until `signal` aborts: the exchange status loop, and the evaluate-and-write loop. */
  async run(signal: AbortSignal): Promise<void> {
    const { options } = this;
    const previous = await this.readPrevious();
    if (signal.aborted) return;
    this.machine = new FeedStateMachine({
      pollIntervalMs: options.pollIntervalMs,
      // No previous leader's word: nothing is written until the term knows something (the map, or a pause).
      initial: previous,
    });
    let written: { state: FeedState; reason: string; atMs: number } | undefined;
    const evaluate = async (): Promise<void> => {
      const machine = this.machine;
      if (machine === undefined) return;
      const nowMs = this.now();
      const health = machine.next({ ...options.term.termFacts(), lastRestSuccessAtMs: this.lastRestSuccessAtMs, exchange: this.exchange }, nowMs);
      if (health === undefined) return;
      const changed = written?.state !== health.state;
      // A new reason ("socket down 12 s" → "13 s") rewrites the hash, at most once a second, without a message.
      const stale = written?.reason !== health.reason || nowMs - (written?.atMs ?? 0) >= FEED_KEEP_ALIVE_MS;
      if (!changed && !stale) return;
      if (signal.aborted || !options.gate.allowed()) return;
      try {
        await options.writer.write(health, changed, nowMs);
        written = { state: health.state, reason: health.reason, atMs: nowMs };
        if (changed) options.log.info({ state: health.state, reason: health.reason }, `feed state: ${health.state}`);
      } catch (err) {
        // Tried again at the next evaluation: the change is still pending.
        options.log.debug({ err }, 'writing kalshi:feed failed');
      }
    };
    await Promise.all([
      every(options.exchangeStatusIntervalMs, signal, () => this.readExchangeStatus(signal)),
      every(EVALUATE_EVERY_MS, signal, evaluate),
    ]);
  }

  private async readPrevious(): Promise<FeedHealth | undefined> {
    let previous: FeedHealth | undefined;
    const read = this.options.writer.read().then(
      (value) => {
        previous = value;
      },
      () => undefined,
    );
    await within(read, READ_PREVIOUS_MS);
    return previous;
  }

  private async readExchangeStatus(signal: AbortSignal): Promise<void> {
    const result: ExchangeStatusRead = await this.options.rest.readExchangeStatus({ signal, priority: PRIORITY_EXCHANGE_STATUS });
    if (signal.aborted) return;
    switch (result.kind) {
      case 'ok': {
        const was = this.exchange;
        this.exchange = result.trading;
        this.exchangeReadAtMs = this.now();
        if (was?.paused !== result.trading.paused && (was !== undefined || result.trading.paused)) {
          this.options.log.warn({ paused: result.trading.paused, resumesAt: result.trading.resumesAt }, result.trading.paused ? 'Kalshi says trading is paused' : 'Kalshi says trading is on again');
        }
        return;
      }
      case 'invalid':
        this.options.invalid.report(result.reason, { source: 'rest', endpoint: 'exchange/status', detail: result.detail });
        return;
      case 'failed':
        // A failed read changes nothing: the last known status stands.
        this.options.log.debug({ why: result.why }, 'Kalshi exchange status read failed');
        return;
      case 'aborted':
        return;
    }
  }
}

/** What the term hands over to build its feed health (a subset of LeaderTermDeps). */
export interface FeedHealthDeps {
  config: Pick<Config, 'workerId' | 'fallbackPollIntervalMs' | 'exchangeStatusIntervalMs'>;
  log: Logger;
  complaints: InvalidInput;
  redis: RedisClient;
  keys: Pick<RedisKeys, 'feed' | 'feedChannel'>;
  rest: Pick<KalshiRest, 'readExchangeStatus'>;
}

/** The term's feed health: `kalshi:feed` written under this replica's WORKER_ID, while `gate` allows. */
export function createFeedHealth(deps: FeedHealthDeps, term: TermFactsSource, gate: WriteGate): FeedHealthMonitor {
  const { config } = deps;
  return new FeedHealthMonitor({
    term,
    rest: deps.rest,
    writer: new FeedStore(deps.redis, deps.keys, config.workerId),
    gate,
    invalid: deps.complaints,
    log: deps.log.child({ component: 'feed-health' }),
    pollIntervalMs: config.fallbackPollIntervalMs,
    exchangeStatusIntervalMs: config.exchangeStatusIntervalMs,
  });
}
