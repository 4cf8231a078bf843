import type { Logger } from 'pino';
import type { DropReason } from '../observability/drop-reasons';
import type { MarketQuote } from '../prices/types';
import type { KalshiCredentials } from './auth';
import { KalshiConnection } from './connection';
import { MarketSubscriptions } from './market-subscriptions';
import { isChannelMessage, tickerQuote, type ChannelMessage, type ErrorMessage, type ServerMessage } from './protocol';
import type { ReconnectPolicyOptions } from './reconnect-policy';
import { ReconnectPolicy } from './reconnect-policy';
import type { ExchangeDelaySink } from './sending-ts';
import type { RetryPolicy } from './subscription-plan';

export const MARKETS_PER_CONNECTION = 500;

/** Where the feed's quotes go: the price pipeline. The hot path: called once per ticker frame. */
export interface QuoteSink {
  applyQuote(quote: MarketQuote, receivedAtMs: number): void;
}

/** Bad input and refused markets: counted by reason, logged at a bounded rate. */
export interface FeedComplaints {
  report(reason: DropReason, detail?: Record<string, unknown>): void;
}

/** The feed's counters (src/observability/metrics.ts). */
export interface FeedCounters {
  messageCounts: { count(type: string): void };
  wsReconnects: { inc(): void };
}

/** First prices of markets added to a running subscription (REST, at once). */
export interface FirstReads {
  readInitial(tickers: readonly string[]): void;
}

/**
 * Frames of channels other than `ticker` (the lifecycle channel, which has no market filter and lives on one of the
 * feed's sockets) and errors about a subscription, with the connection they came on.
 */
export interface ChannelFrames {
  handle(message: ChannelMessage | ErrorMessage, connectionId: number, receivedAtMs: number): void;
}

export interface FeedOptions {
  url: string;
  credentials: KalshiCredentials;
  stallTimeoutMs: number;
  log: Logger;
  quotes: QuoteSink;
  complaints: FeedComplaints;
  counters?: FeedCounters;
  firstReads?: FirstReads;
  /** Where lifecycle frames and subscription errors go (the term's lifecycle channel). */
  channels?: ChannelFrames;
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
  /** Ends the shard's subscription loop (the shard closed, or the feed stopped). */
  lifetime: AbortController;
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
  /** The feed's life: aborted by stop(); every shard's loop ends with it, and nothing is placed after it. */
  private readonly lifetime = new AbortController();
  private readonly perConnection: number;
  /** Kalshi's per-subscription market limit, once a connection met it (error 26; the number is unpublished). */
  private learnedLimit = Infinity;

  constructor(private readonly options: FeedOptions) {
    this.perConnection = options.marketsPerConnection ?? MARKETS_PER_CONNECTION;
  }

  /** Makes the subscribed set equal to `tickers`: new ones are placed on a socket with room, gone ones removed. */
  setMarkets(tickers: ReadonlySet<string>): void {
    if (this.lifetime.signal.aborted) return;
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
    if (this.lifetime.signal.aborted) return;
    this.learnedLimit = Math.min(this.learnedLimit, Math.max(1, capacity));
    const moving = spilled.filter((ticker) => this.shardOf.get(ticker) === from);
    for (const ticker of moving) this.shardOf.delete(ticker);
    this.options.log.warn(
      { connection: from.connection.id, capacity, moving: moving.length },
      'a Kalshi connection is full (error 26); moving the markets that did not fit to another connection',
    );
    this.place(moving);
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

  /** The market is subscribed (or refused and awaiting its retry) on a connection that is open now. */
  serves(ticker: string): boolean {
    const shard = this.shardOf.get(ticker);
    return shard?.connection.state === 'open' && shard.subscriptions.serves(ticker);
  }

  /** Stops reading from every socket at once (shutdown). */
  pause(): void {
    for (const shard of this.shards) shard.connection.pause();
  }

  async stop(): Promise<void> {
    this.lifetime.abort();
    const shards = this.shards.splice(0);
    this.shardOf.clear();
    for (const shard of shards) shard.lifetime.abort();
    await Promise.all(shards.map((shard) => shard.connection.stop()));
  }

  /** The open connections, in order: a channel with no market filter (lifecycle) lives on one of them. */
  openConnections(): KalshiConnection[] {
    return this.shards.map((shard) => shard.connection).filter((connection) => connection.state === 'open');
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
    const { complaints, counters, firstReads } = options;
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
        onOpen: () => subscriptions?.onOpen(),
        onClose: () => subscriptions?.onClose(),
        onMessage: (message, receivedAtMs) => this.handleMessage(message, receivedAtMs, subscriptions, id),
        onInvalid: (reason, detail) => complaints.report(reason, detail),
        onReconnect: () => counters?.wsReconnects.inc(),
        // The connection logs it and waits its longest delay; nothing else to do here.
        onAuthRejected: () => undefined,
      },
    });
    const shard: Shard = {
      connection,
      subscriptions: new MarketSubscriptions({
        connection,
        log,
        commandSpacingMs: options.commandSpacingMs,
        ...(options.refusedRetry === undefined ? {} : { retry: options.refusedRetry }),
        onMarketsAdded: (tickers) => firstReads?.readInitial(tickers),
        onFull: (spilled, capacity) => this.spill(shard, spilled, capacity),
        onRefused: (ticker, code) => complaints.report('market_refused', { ticker, code }),
      }),
      lifetime: new AbortController(),
    };
    subscriptions = shard.subscriptions;
    this.shards.push(shard);
    void shard.subscriptions.run(shard.lifetime.signal);
    connection.start();
    return shard;
  }

  private handleMessage(message: ServerMessage, receivedAtMs: number, subscriptions: MarketSubscriptions | undefined, connectionId: number): void {
    const { options } = this;
    options.counters?.messageCounts.count(message.type);
    if (message.type === 'ticker') {
      const { msg } = message;
      const quote = tickerQuote(msg, receivedAtMs);
      if (typeof quote === 'string') options.complaints.report(quote, { ticker: msg.market_ticker });
      else options.quotes.applyQuote(quote, receivedAtMs);
      return;
    }
    if (isChannelMessage(message)) {
      options.channels?.handle(message, connectionId, receivedAtMs);
      return;
    }
    if (message.type === 'error') {
      subscriptions?.onAsyncError(message);
      options.channels?.handle(message, connectionId, receivedAtMs);
    }
  }

  private async closeEmptyShards(): Promise<void> {
    const empty = this.shards.filter((shard) => shard.subscriptions.desired.size === 0);
    if (empty.length === 0) return;
    for (const shard of empty) {
      this.shards.splice(this.shards.indexOf(shard), 1);
      shard.lifetime.abort();
    }
    await Promise.all(empty.map((shard) => shard.connection.stop()));
  }
}
