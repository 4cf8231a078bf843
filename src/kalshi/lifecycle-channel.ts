import type { Logger } from 'pino';
import type { MarketStatusUpdate } from '../prices/market-status';
import { every } from '../timing/every';
import type { CommandReply, ConnectionState } from './connection';
import { eventLabel, LIFECYCLE_CHANNEL, lifecycleUpdate, SeqTracker, type LifecycleEvent } from './lifecycle';
import type { ChannelMessage, ErrorMessage } from './protocol';
import type { KalshiRest } from './rest-client';
import type { InvalidSink, RestStatuses } from './rest-page';

/** A socket the subscription can live on (a KalshiConnection). */
export interface ChannelConnection {
  readonly id: number;
  readonly state: ConnectionState;
  /** Sockets opened so far: a new one has lost every subscription. */
  readonly opens: number;
  command(cmd: string, params?: Record<string, unknown>): Promise<CommandReply>;
}

/** The feed's open sockets: the subscription takes the first, and moves when it is gone. */
export interface ChannelHost {
  openConnections(): readonly ChannelConnection[];
}

/** Where lifecycle statuses go: the term's market statuses (they filter, remember and hand on to the pipeline). */
export interface LifecycleStatuses extends Pick<RestStatuses, 'fromRestPage'> {
  applyLifecycle(update: MarketStatusUpdate, receivedAtMs: number): void;
}

export interface LifecycleCounters {
  event(label: LifecycleEvent | 'other'): void;
  gap(): void;
}

export interface LifecycleChannelOptions {
  host: ChannelHost;
  /** The process's one paced client. */
  rest: Pick<KalshiRest, 'readMarkets'>;
  statuses: LifecycleStatuses;
  /** Mapped markets now: the channel carries every market on Kalshi, and only these matter. */
  mapped(): readonly string[];
  isMapped(ticker: string): boolean;
  counters: LifecycleCounters;
  onInvalid: InvalidSink;
  log: Logger;
  /** How often the subscription is checked (default 250 ms): a lost one is made again within this. */
  superviseMs?: number;
  /** After a refused subscribe, or a re-read that left markets unread (default 5 s). */
  retryMs?: number;
  now?: () => number;
}

export interface LifecycleChannelStatus {
  subscribed: boolean;
  connection: number | null;
  sid: number | null;
  lastSeq: number | null;
  gaps: number;
  /** Full re-reads of every mapped market's status (each subscription, each gap). */
  rereads: number;
  /** A status read is in flight or waiting. */
  rereading: boolean;
}

interface Held {
  connection: ChannelConnection;
  /** The socket the subscribe went out on: another socket (a reconnect) has no subscription. */
  opens: number;
  sid: number;
}

const TERMINAL_CODES: ReadonlySet<number> = new Set([10, 25]);
/** Frames held while a subscribe's reply is on its way (a busy channel sends a few a second; more is a flood). */
const MAX_EARLY_FRAMES = 10_000;
/** Below fallback polls (5) and first reads (3): statuses after a gap are worth waiting on less than prices. */
const PRIORITY_REREAD = 4;

/**
 * The term's one `market_lifecycle_v2` subscription (docs/CONTRACT.md, "A game's whole life"). It has no market
 * filter, so it lives on one of the feed's sockets and its events are filtered to mapped markets here. `seq` is
 * tracked per subscription: a gap, a new subscription (the first one too, a resubscription, or a reconnect of its
 * socket) means events may have been missed, so every mapped market's status is read again from REST through the
 * paced client; such a read updates statuses only, never prices.
 */
export class LifecycleChannel {
  private held: Held | undefined;
  private subscribing = false;
  /**
   * Frames of the socket a subscribe went out on, received before its reply was read: the reply and the first events
   * can arrive in one read, and the events are handled before the reply's promise settles. Replayed once the sid is
   * known, so neither an event nor its seq is lost.
   */
  private early: { connectionId: number; frames: [ChannelMessage | ErrorMessage, number][] } | undefined;
  private retryAtMs = 0;
  private readonly seq = new SeqTracker();
  private lastSeq: number | null = null;
  private gaps = 0;
  private rereads = 0;
  private rereadAll = false;
  private reading = false;
  private readonly rereadSome = new Set<string>();
  private wake: (() => void) | undefined;
  private readonly now: () => number;

  constructor(private readonly options: LifecycleChannelOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Until the term's signal aborts: keeps the subscription, and re-reads statuses when asked. */
  async run(signal: AbortSignal): Promise<void> {
    const onAbort = () => this.wake?.();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await Promise.all([every(this.options.superviseMs ?? 250, signal, () => this.supervise(signal)), this.rereadLoop(signal)]);
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.held = undefined;
    }
  }

  /**
   * Markets just mapped: their status is read once (the socket's snapshot says nothing of it). Without a
   * subscription yet, the read that follows the subscribe covers them (the term's first mapping, a socket down).
   */
  readStatuses(tickers: readonly string[]): void {
    if (tickers.length === 0 || this.held === undefined) return;
    for (const ticker of tickers) this.rereadSome.add(ticker);
    this.wake?.();
  }

  status(): LifecycleChannelStatus {
    const held = this.held;
    return {
      subscribed: held !== undefined,
      connection: held?.connection.id ?? null,
      sid: held?.sid ?? null,
      lastSeq: this.lastSeq,
      gaps: this.gaps,
      rereads: this.rereads,
      rereading: this.reading || this.rereadAll || this.rereadSome.size > 0,
    };
  }

  /** A frame of the lifecycle channel, or an error about a subscription, from connection `connectionId`. */
  handle(message: ChannelMessage | ErrorMessage, connectionId: number, receivedAtMs: number): void {
    const held = this.held;
    if (held?.connection.id !== connectionId) {
      const early = this.early;
      if (early?.connectionId === connectionId && early.frames.length < MAX_EARLY_FRAMES) early.frames.push([message, receivedAtMs]);
      return;
    }
    if (message.sid !== held.sid) return;
    if (message.type === 'error') {
      if (!TERMINAL_CODES.has(message.msg.code)) return;
      this.options.log.warn({ sid: held.sid, code: message.msg.code }, 'Kalshi ended the lifecycle subscription; subscribing again');
      this.held = undefined;
      return;
    }
    if (message.seq !== undefined) {
      const verdict = this.seq.observe(message.seq);
      if (verdict === 'stale') {
        this.options.onInvalid('stale_lifecycle_seq', { sid: held.sid, seq: message.seq, lastSeq: this.lastSeq });
        return;
      }
      if (verdict === 'gap') {
        this.gaps += 1;
        this.options.counters.gap();
        this.options.log.warn({ sid: held.sid, seq: message.seq, lastSeq: this.lastSeq }, 'gap in the lifecycle channel: reading every mapped market\'s status again');
        this.requestReread();
      }
      this.lastSeq = message.seq;
    }
    if (message.type !== 'market_lifecycle_v2') return;
    this.options.counters.event(eventLabel(message.msg.event_type));
    // Every market on Kalshi comes through here: one that is not ours reaches nothing and is not kept.
    if (!this.options.isMapped(message.msg.market_ticker)) return;
    const reading = lifecycleUpdate(message, receivedAtMs);
    if ('invalid' in reading) {
      this.options.onInvalid(reading.invalid, { ticker: message.msg.market_ticker, event: message.msg.event_type, detail: reading.detail });
      return;
    }
    if ('update' in reading) this.options.statuses.applyLifecycle(reading.update, receivedAtMs);
  }

  private supervise(signal: AbortSignal): void {
    if (signal.aborted || this.subscribing) return;
    const open = this.options.host.openConnections();
    const held = this.held;
    if (held !== undefined) {
      if (held.connection.state === 'open' && held.connection.opens === held.opens && open.includes(held.connection)) return;
      this.options.log.warn({ connection: held.connection.id, sid: held.sid }, 'the lifecycle subscription\'s socket is gone; subscribing again');
      this.held = undefined;
    }
    const connection = open[0];
    if (connection === undefined || this.now() < this.retryAtMs) return;
    this.subscribing = true;
    void this.subscribe(connection, signal).finally(() => {
      this.subscribing = false;
    });
  }

  private async subscribe(connection: ChannelConnection, signal: AbortSignal): Promise<void> {
    const opens = connection.opens;
    const early = { connectionId: connection.id, frames: [] as [ChannelMessage | ErrorMessage, number][] };
    this.early = early;
    let reply: CommandReply;
    try {
      // No market_tickers: the channel has no filter (docs/KALSHI.md, "Market lifecycle").
      reply = await connection.command('subscribe', { channels: [LIFECYCLE_CHANNEL] });
    } catch (error) {
      this.early = undefined;
      if (signal.aborted) return;
      this.retryAtMs = this.now() + (this.options.retryMs ?? 5000);
      this.options.log.warn({ connection: connection.id, err: (error as Error).message }, 'lifecycle subscribe failed; trying again');
      return;
    }
    this.early = undefined;
    // The term ended, or the socket was replaced while the reply was on its way: the next check starts over.
    if (signal.aborted || connection.state !== 'open' || connection.opens !== opens) return;
    const sid = reply.type === 'subscribed' ? reply.msg.sid : reply.type === 'ok' ? reply.sid : undefined;
    const seq = reply.type === 'ok' ? reply.seq : undefined;
    if (sid === undefined) {
      this.retryAtMs = this.now() + (this.options.retryMs ?? 5000);
      this.options.log.error({ connection: connection.id, reply: reply.type }, 'unexpected reply to the lifecycle subscribe');
      return;
    }
    this.held = { connection, opens, sid };
    this.seq.reset(seq);
    this.lastSeq = null;
    this.options.log.info({ connection: connection.id, sid, early: early.frames.length }, 'subscribed to market_lifecycle_v2; reading every mapped market\'s status');
    this.requestReread();
    for (const [message, receivedAtMs] of early.frames) this.handle(message, connection.id, receivedAtMs);
  }

  private requestReread(): void {
    this.rereadAll = true;
    this.wake?.();
  }

  private async rereadLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      if (!this.rereadAll && this.rereadSome.size === 0) {
        await this.sleep(undefined);
        continue;
      }
      const all = this.rereadAll;
      this.rereadAll = false;
      const tickers = all ? [...this.options.mapped()] : [...this.rereadSome].filter((t) => this.options.isMapped(t));
      this.rereadSome.clear();
      if (tickers.length === 0) continue;
      if (all) this.rereads += 1;
      this.reading = true;
      const result = await this.options.rest.readMarkets(tickers, {
        signal,
        priority: PRIORITY_REREAD,
        // One request at a time: statuses can wait a little; the prices polled meanwhile cannot.
        concurrency: 1,
        // Statuses only: the quotes of a market ticking on a healthy socket are the socket's.
        onPage: (page) => {
          if (!signal.aborted) this.options.statuses.fromRestPage(page, this.options.onInvalid);
        },
      });
      this.reading = false;
      if (result.aborted) return;
      if (result.unread.length > 0) {
        this.options.log.warn({ unread: result.unread.length, why: result.failures.slice(0, 3) }, 'lifecycle re-read left markets unread; trying them again');
        for (const ticker of result.unread) this.rereadSome.add(ticker);
        await this.sleep(this.options.retryMs ?? 5000);
      }
    }
  }

  /** Until a re-read is asked for, the term ends, or `ms` passes (undefined: no timeout). */
  private sleep(ms: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => done(), ms);
      const done = () => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      this.wake = done;
    });
  }
}
