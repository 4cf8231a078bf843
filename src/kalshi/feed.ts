import type { Logger } from 'pino';
import type { DropReason } from '../observability/drop-reasons';
import type { MarketQuote } from '../prices/types';
import type { KalshiCredentials } from './auth';
import { KalshiConnection } from './connection';
import { MarketSubscriptions } from './market-subscriptions';
import { tickerQuote, type ServerMessage } from './protocol';
import type { ReconnectPolicyOptions } from './reconnect-policy';
import { ReconnectPolicy } from './reconnect-policy';
import type { ExchangeDelaySink } from './sending-ts';
import type { RetryPolicy } from './subscription-plan';

export const MARKETS_PER_CONNECTION = 500;

export interface FeedEvents {
  onQuote(quote: MarketQuote, receivedAtMs: number): void;
  onInvalid(reason: DropReason, detail?: Record<string, unknown>): void;
  onMessage(type: string): void;
  onReconnect(): void;
  onAuthRejected(status: number): void;
  /** Markets added to a running subscription: read their price now. */
  onMarketsAdded(tickers: string[]): void;
  /** Kalshi refused a market (first refusal; it is retried with backoff and not counted as subscribed). */
  onMarketRefused?(ticker: string, code: number | 'absent'): void;
  /** Connection or subscription state changed (for gauges and readiness). */
  onStateChange(): void;
}

export interface FeedOptions {
  url: string;
  credentials: KalshiCredentials;
  stallTimeoutMs: number;
  log: Logger;
  events: FeedEvents;
  marketsPerConnection?: number;
  reconnect?: ReconnectPolicyOptions;
  commandSpacingMs?: number;
  /** Retry delays of a refused market (default: first within 5 s, at most 5 minutes). */
  refusedRetry?: RetryPolicy;
  /** Where each frame's `sending_ts_ms` delay goes (kalshi_exchange_delay_seconds). */
  exchangeDelay?: ExchangeDelaySink;
}

interface Shard {
  connection: KalshiConnection;
  subscriptions: MarketSubscriptions;
}

export interface FeedStatus {
  connections: { id: number; state: string; desired: number; subscribed: number; refused: number; lastFrameAgeMs: number | null }[];
  connected: number;
  /** Mapped markets Kalshi holds for us (never more than desiredMarkets; refused ones are not counted). */
  subscribedMarkets: number;
  desiredMarkets: number;
  /** Mapped markets Kalshi refused (unlisted, settled…): not subscribed, retried with backoff and at every reconnect. */
  refusedMarkets: number;
  /** A few of them, for /status and logs. */
  refusedExamples: string[];
  /** Every mapped market is subscribed on an open socket, or refused by Kalshi and waiting for its retry. */
  allSubscribed: boolean;
}

/**
 * Kalshi's ticker feed over as many sockets as the markets need (500 a socket): which market
 * lives on which socket, and the translation of ticker messages into quotes.
 */
export class KalshiFeed {
  private readonly shards: Shard[] = [];
  private readonly shardOf = new Map<string, Shard>();
  private nextConnectionId = 1;
  private stopped = false;
  private readonly perConnection: number;
  /** Kalshi's per-subscription market limit, once a connection met it (error 26; the number is unpublished). */
  private learnedLimit = Infinity;

  constructor(private readonly options: FeedOptions) {
    this.perConnection = options.marketsPerConnection ?? MARKETS_PER_CONNECTION;
  }

  /** Makes the subscribed set equal to `tickers`: new ones are placed on a socket with room, gone ones removed. */
  setMarkets(tickers: ReadonlySet<string>): void {
    if (this.stopped) return;
    const removedBy = new Map<Shard, string[]>();
    for (const [ticker, shard] of this.shardOf) {
      if (tickers.has(ticker)) continue;
      this.shardOf.delete(ticker);
      let list = removedBy.get(shard);
      if (list === undefined) removedBy.set(shard, (list = []));
      list.push(ticker);
    }
    for (const [shard, removed] of removedBy) shard.subscriptions.remove(removed);

    this.place([...tickers].filter((ticker) => !this.shardOf.has(ticker)));
    void this.closeEmptyShards();
    this.options.events.onStateChange();
  }

  /** Puts markets on sockets with room, opening sockets as needed. */
  private place(tickers: readonly string[]): void {
    const addedBy = new Map<Shard, string[]>();
    for (const ticker of tickers) {
      const shard = this.shardWithRoom();
      shard.subscriptions.desired.add(ticker);
      this.shardOf.set(ticker, shard);
      let list = addedBy.get(shard);
      if (list === undefined) addedBy.set(shard, (list = []));
      list.push(ticker);
    }
    for (const [shard, added] of addedBy) shard.subscriptions.add(added);
  }

  /** Error 26 on a socket: it is full; what did not fit goes to other sockets (never a second subscription on it). */
  private spill(from: Shard, spilled: readonly string[], capacity: number): void {
    if (this.stopped) return;
    this.learnedLimit = Math.min(this.learnedLimit, Math.max(1, capacity));
    const moving = spilled.filter((ticker) => this.shardOf.get(ticker) === from);
    for (const ticker of moving) this.shardOf.delete(ticker);
    this.options.log.warn(
      { connection: from.connection.id, capacity, moving: moving.length },
      'a Kalshi connection is full (error 26); moving the markets that did not fit to another connection',
    );
    this.place(moving);
    this.options.events.onStateChange();
  }

  /** Subscribe these markets again (reconciliation found them silent). */
  resubscribe(tickers: readonly string[]): void {
    const byShard = new Map<Shard, string[]>();
    for (const ticker of tickers) {
      const shard = this.shardOf.get(ticker);
      if (shard === undefined) continue;
      byShard.set(shard, [...(byShard.get(shard) ?? []), ticker]);
    }
    for (const [shard, list] of byShard) shard.subscriptions.resubscribe(list);
  }

  /** Stops reading from every socket at once (shutdown). */
  pause(): void {
    for (const shard of this.shards) shard.connection.pause();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const shards = this.shards.splice(0);
    this.shardOf.clear();
    for (const shard of shards) shard.subscriptions.stop();
    await Promise.all(shards.map((shard) => shard.connection.stop()));
    this.options.events.onStateChange();
  }

  status(): FeedStatus {
    const now = Date.now();
    let connected = 0;
    let subscribed = 0;
    let refused = 0;
    const refusedExamples: string[] = [];
    let allSubscribed = true;
    const connections = this.shards.map(({ connection, subscriptions }) => {
      const open = connection.state === 'open';
      if (open) connected += 1;
      const held = subscriptions.subscribedCount;
      const refusedHere = subscriptions.refusedCount;
      subscribed += held;
      refused += refusedHere;
      if (refusedHere > 0 && refusedExamples.length < 10) refusedExamples.push(...subscriptions.refusedTickers().slice(0, 10 - refusedExamples.length));
      if (!open || !subscriptions.converged) allSubscribed = false;
      return {
        id: connection.id,
        state: connection.state,
        desired: subscriptions.desired.size,
        subscribed: held,
        refused: refusedHere,
        lastFrameAgeMs: open ? now - connection.lastFrameAtMs : null,
      };
    });
    return {
      connections,
      connected,
      subscribedMarkets: subscribed,
      desiredMarkets: this.shardOf.size,
      refusedMarkets: refused,
      refusedExamples,
      allSubscribed,
    };
  }

  private shardWithRoom(): Shard {
    for (const shard of this.shards) if (shard.subscriptions.desired.size < this.roomOf(shard)) return shard;
    return this.openShard();
  }

  private roomOf(shard: Shard): number {
    return Math.min(this.perConnection, this.learnedLimit, shard.subscriptions.capacity ?? Infinity);
  }

  private openShard(): Shard {
    const { options } = this;
    const { events } = options;
    const id = this.nextConnectionId++;
    const log = options.log.child({ connection: id });
    // eslint-disable-next-line prefer-const -- the connection's callbacks close over it before it is assigned below
    let subscriptions: MarketSubscriptions | undefined;
    const connection = new KalshiConnection({
      id,
      url: options.url,
      credentials: options.credentials,
      stallTimeoutMs: options.stallTimeoutMs,
      reconnectPolicy: new ReconnectPolicy(options.reconnect),
      log: options.log,
      exchangeDelay: options.exchangeDelay,
      handlers: {
        onOpen: () => {
          subscriptions?.onOpen();
          events.onStateChange();
        },
        onClose: () => {
          subscriptions?.onClose();
          events.onStateChange();
        },
        onMessage: (message, receivedAtMs) => this.handleMessage(message, receivedAtMs, subscriptions),
        onInvalid: (reason, detail) => events.onInvalid(reason, detail),
        onReconnect: () => events.onReconnect(),
        onAuthRejected: (status) => events.onAuthRejected(status),
      },
    });
    const shard: Shard = {
      connection,
      subscriptions: new MarketSubscriptions({
        connection,
        log,
        commandSpacingMs: options.commandSpacingMs,
        ...(options.refusedRetry === undefined ? {} : { retry: options.refusedRetry }),
        onMarketsAdded: (tickers) => events.onMarketsAdded(tickers),
        onFull: (spilled, capacity) => this.spill(shard, spilled, capacity),
        onRefused: (ticker, code) => {
          events.onInvalid('market_refused', { ticker, code });
          events.onMarketRefused?.(ticker, code);
        },
        onChange: () => events.onStateChange(),
      }),
    };
    subscriptions = shard.subscriptions;
    this.shards.push(shard);
    connection.start();
    return shard;
  }

  private handleMessage(message: ServerMessage, receivedAtMs: number, subscriptions: MarketSubscriptions | undefined): void {
    const { events } = this.options;
    events.onMessage(message.type);
    if (message.type === 'ticker') {
      const { msg } = message;
      const quote = tickerQuote(msg, receivedAtMs);
      if (typeof quote === 'string') events.onInvalid(quote, { ticker: msg.market_ticker });
      else events.onQuote(quote, receivedAtMs);
      return;
    }
    if (message.type === 'error') subscriptions?.onAsyncError(message);
  }

  private async closeEmptyShards(): Promise<void> {
    const empty = this.shards.filter((shard) => shard.subscriptions.desired.size === 0);
    if (empty.length === 0) return;
    for (const shard of empty) {
      this.shards.splice(this.shards.indexOf(shard), 1);
      shard.subscriptions.stop();
    }
    await Promise.all(empty.map((shard) => shard.connection.stop()));
    this.options.events.onStateChange();
  }
}
