import { WebSocket, type RawData } from 'ws';
import type { Exchange } from './exchange';
import {
  ErrorCode,
  errorMessage,
  HEARTBEAT_BODY,
  LIFECYCLE_CHANNEL,
  withId,
  withSendingTs,
  type SendingTsMode,
  type Channel,
  type LifecyclePayload,
  type ServerMessage,
  type TerminalCode,
  type TickerPayload,
  type UnlistedMode,
} from './protocol';

/** What a session needs from the simulator that owns it. */
export interface SessionHost {
  readonly exchange: Exchange;
  readonly maxMarketsPerSubscription: number;
  /** What a ticker the exchange does not list gets. */
  unlistedMode(): UnlistedMode;
  /** Errors scoped to an existing subscription are sent without `id`, with `sid` and `seq`. */
  errorsWithoutId(): boolean;
  /** Where every frame sent carries `sending_ts_ms`, if at all. */
  sendingTs(): SendingTsMode;
  /** A code every delete_markets is refused with (a fault switch), or null. */
  deleteRefusalCode(): number | null;
  /** A market's current payload as the simulator renders ticker frames (initial snapshots). */
  snapshot(ticker: string): TickerPayload | undefined;
  isStalled(): boolean;
  isSilenced(ticker: string): boolean;
  /** A one-shot error armed by failNextCommand, consumed by the first command that asks. */
  takeInjectedFailure(): { code: number; msg?: string } | undefined;
  recordCommand(connectionId: number, cmd: unknown): void;
  countTickerSent(): void;
}

export interface SubscriptionView {
  sid: number;
  /** Left out for the ticker subscription (as before channels other than ticker existed). */
  channel?: Channel;
  tickers: string[];
}

interface Subscription {
  readonly sid: number;
  /** Subscribed without market_tickers: every market the exchange knows, now and later. */
  readonly all: boolean;
  readonly tickers: Set<string>;
  seq: number;
}

type Params = Record<string, unknown>;
/** null: no ticker list given (every market); 'invalid': not a list of strings. */
type TickerList = string[] | null | 'invalid';

/**
 * One client connection: parses commands, keeps its ticker subscription, sends ticker messages.
 * As on Kalshi since 2025-09-25 (docs/KALSHI.md), a connection holds at most one `ticker` subscription: a second
 * `subscribe` merges into it and is answered `ok` with the whole list, with snapshots only for tickers it added.
 */
export class WsSession {
  private subscription: Subscription | undefined;
  /** The `market_lifecycle_v2` subscription: every market, no filter; its own sid and seq. */
  private lifecycle: { sid: number; seq: number } | undefined;
  private nextSid = 1;

  constructor(
    readonly id: number,
    private readonly socket: WebSocket,
    private readonly host: SessionHost,
  ) {
    socket.on('message', (data) => this.onMessage(data));
    // The server is created with autoPong off, so that a stalled simulator does not answer pings either.
    socket.on('ping', (data) => {
      if (!this.host.isStalled() && this.isOpen()) socket.pong(data);
    });
  }

  isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  ping(): void {
    if (this.isOpen()) this.socket.ping(HEARTBEAT_BODY);
  }

  sendRaw(data: string | Buffer, binary: boolean): void {
    if (this.isOpen()) this.socket.send(data, { binary });
  }

  /** terminate() (1006 on the client) unless a close code is given (the caller checks it is sendable). */
  drop(code?: number): void {
    if (code === undefined) {
      this.socket.terminate();
      return;
    }
    this.socket.close(code);
    // Do not wait the ws default 30 s for a client that never answers the close frame.
    setTimeout(() => this.socket.terminate(), 1_000).unref();
  }

  terminate(): void {
    this.socket.terminate();
  }

  view(): SubscriptionView[] {
    const sub = this.subscription;
    const views: SubscriptionView[] = sub === undefined ? [] : [{ sid: sub.sid, tickers: this.tickersOf(sub) }];
    if (this.lifecycle !== undefined) views.push({ sid: this.lifecycle.sid, channel: LIFECYCLE_CHANNEL, tickers: [] });
    return views;
  }

  /** The lifecycle subscription's sid, if this connection holds one. */
  lifecycleSid(): number | undefined {
    return this.lifecycle?.sid;
  }

  /**
   * A lifecycle event, to this connection's lifecycle subscription if it has one. `lost`: the frame's seq is used
   * up but the frame is not sent (a gap, as a client sees one when Kalshi loses a frame).
   */
  deliverLifecycle(msg: LifecyclePayload, lost: boolean): void {
    const sub = this.lifecycle;
    if (sub === undefined) return;
    sub.seq++;
    if (!lost) this.send({ type: LIFECYCLE_CHANNEL, sid: sub.sid, seq: sub.seq, msg });
  }

  tickers(): Set<string> {
    const sub = this.subscription;
    return new Set(sub === undefined ? [] : this.tickersOf(sub));
  }

  /** Streams a market change to this connection's subscription if it holds the market. */
  deliver(payload: TickerPayload): void {
    const sub = this.subscription;
    if (sub !== undefined && (sub.all || sub.tickers.has(payload.market_ticker))) this.sendTicker(sub.sid, payload);
  }

  /** Kalshi ends the subscription holding `ticker` with an error (10, 25) without `id`. Returns how many ended. */
  endSubscriptionsHolding(ticker: string, code: TerminalCode, msg?: string): number {
    const sub = this.subscription;
    if (sub === undefined || (!sub.all && !sub.tickers.has(ticker))) return 0;
    this.subscription = undefined;
    sub.seq++;
    this.send(errorMessage(undefined, code, msg, sub.sid, sub.seq));
    return 1;
  }

  private tickersOf(sub: Subscription): string[] {
    return sub.all ? this.host.exchange.tickers() : [...sub.tickers];
  }

  private send(message: ServerMessage): boolean {
    if (this.host.isStalled() || !this.isOpen()) return false;
    this.socket.send(JSON.stringify(withSendingTs(message, this.host.sendingTs(), Date.now())));
    return true;
  }

  private sendTicker(sid: number, payload: TickerPayload): void {
    if (this.host.isSilenced(payload.market_ticker)) return;
    if (this.send({ type: 'ticker', sid, msg: payload })) this.host.countTickerSent();
  }

  private sendSnapshots(sid: number, tickers: Iterable<string>): void {
    for (const ticker of tickers) {
      const payload = this.host.snapshot(ticker);
      if (payload !== undefined) this.sendTicker(sid, payload);
    }
  }

  private error(id: number | undefined, code: number, msg?: string): void {
    this.send(errorMessage(id, code, msg));
  }

  /** An error about an existing subscription: without `id` (sid and seq instead) when the switch is on. */
  private scopedError(id: number | undefined, sub: Subscription, code: number): void {
    if (!this.host.errorsWithoutId()) return this.error(id, code);
    sub.seq++;
    this.send(errorMessage(undefined, code, undefined, sub.sid, sub.seq));
  }

  /** Tickers the exchange does not list: left out ('accept') or the whole command refused (11, 14). */
  private screen(requested: Iterable<string>): { listed: string[] } | { refuse: number } {
    const listed: string[] = [];
    let unlisted = false;
    for (const ticker of new Set(requested)) {
      if (this.host.exchange.has(ticker)) listed.push(ticker);
      else unlisted = true;
    }
    if (!unlisted) return { listed };
    switch (this.host.unlistedMode()) {
      case 'accept':
        return { listed };
      case 'error11':
        return { refuse: ErrorCode.invalidParameter };
      case 'error14':
        return { refuse: ErrorCode.marketTickerRequired };
    }
  }

  private onMessage(data: RawData): void {
    let cmd: unknown;
    try {
      cmd = JSON.parse(rawToString(data));
    } catch {
      this.error(undefined, ErrorCode.unableToProcess);
      return;
    }
    this.host.recordCommand(this.id, cmd);
    if (!isRecord(cmd)) {
      this.error(undefined, ErrorCode.unableToProcess);
      return;
    }
    const id = typeof cmd.id === 'number' && Number.isSafeInteger(cmd.id) ? cmd.id : undefined;
    const failure = this.host.takeInjectedFailure();
    if (failure !== undefined) {
      this.error(id, failure.code, failure.msg);
      return;
    }
    switch (cmd.cmd) {
      case 'subscribe':
        this.subscribe(id, cmd.params);
        return;
      case 'update_subscription':
        this.updateSubscription(id, cmd.params);
        return;
      case 'unsubscribe':
        this.unsubscribe(id, cmd.params);
        return;
      case 'list_subscriptions': {
        const list: { channel: Channel; sid: number }[] = this.subscription === undefined ? [] : [{ channel: 'ticker' as const, sid: this.subscription.sid }];
        if (this.lifecycle !== undefined) list.push({ channel: LIFECYCLE_CHANNEL, sid: this.lifecycle.sid });
        this.send(withId(id, { type: 'ok' as const, msg: list }));
        return;
      }
      default:
        this.error(id, ErrorCode.unknownCommand);
    }
  }

  private subscribe(id: number | undefined, params: unknown): void {
    if (!isRecord(params)) return this.error(id, ErrorCode.paramsRequired);
    const channels = params.channels;
    if (channels === undefined || (isList(channels) && channels.length === 0)) {
      return this.error(id, ErrorCode.channelsRequired);
    }
    if (!isList(channels) || !channels.every((c) => typeof c === 'string')) {
      return this.error(id, ErrorCode.invalidParameter, 'channels must be a list of channel names');
    }
    if (channels.some((c) => c !== 'ticker' && c !== LIFECYCLE_CHANNEL)) return this.error(id, ErrorCode.unknownChannel);
    if (channels.includes(LIFECYCLE_CHANNEL)) {
      // docs/KALSHI.md: market_tickers filters are not supported on this channel; the simulator refuses them loudly.
      if (params.market_tickers !== undefined || params.market_ticker !== undefined) {
        return this.error(id, ErrorCode.invalidParameter, 'market_lifecycle_v2 takes no market_tickers');
      }
      this.subscribeLifecycle(id);
      if (!channels.includes('ticker')) return;
    }
    const requested = readTickers(params);
    if (requested === 'invalid') return this.error(id, ErrorCode.invalidParameter, 'market_tickers must be a list of strings');
    // No list (or an empty one) subscribes to every market, as on Kalshi.
    const all = requested === null || requested.length === 0;
    const snapshot = params.send_initial_snapshot === true;
    const existing = this.subscription;
    if (existing !== undefined) return this.merge(id, existing, all ? null : requested, snapshot);

    let tickers = new Set<string>();
    if (!all) {
      const screened = this.screen(requested);
      if ('refuse' in screened) return this.error(id, screened.refuse);
      if (screened.listed.length > this.host.maxMarketsPerSubscription) return this.error(id, ErrorCode.marketLimitExceeded);
      tickers = new Set(screened.listed);
    }
    const sid = this.nextSid++;
    const sub: Subscription = { sid, all, tickers, seq: 0 };
    this.subscription = sub;
    this.send(withId(id, { type: 'subscribed' as const, msg: { channel: 'ticker' as const, sid } }));
    if (snapshot) this.sendSnapshots(sid, this.tickersOf(sub));
  }

  private subscribeLifecycle(id: number | undefined): void {
    const existing = this.lifecycle;
    if (existing !== undefined) {
      this.send(withId(id, { sid: existing.sid, seq: existing.seq, type: 'ok' as const }));
      return;
    }
    const sid = this.nextSid++;
    this.lifecycle = { sid, seq: 0 };
    this.send(withId(id, { type: 'subscribed' as const, msg: { channel: LIFECYCLE_CHANNEL, sid } }));
  }

  /** A second subscribe on the connection: new tickers join the existing subscription; answered `ok`. */
  private merge(id: number | undefined, sub: Subscription, requested: string[] | null, snapshot: boolean): void {
    let added: string[] = [];
    if (!sub.all) {
      if (requested === null) return this.scopedError(id, sub, ErrorCode.invalidParameter);
      const screened = this.screen(requested);
      if ('refuse' in screened) return this.scopedError(id, sub, screened.refuse);
      added = screened.listed.filter((t) => !sub.tickers.has(t));
      if (sub.tickers.size + added.length > this.host.maxMarketsPerSubscription) {
        return this.scopedError(id, sub, ErrorCode.marketLimitExceeded);
      }
      for (const t of added) sub.tickers.add(t);
    }
    sub.seq++;
    this.send(withId(id, { sid: sub.sid, seq: sub.seq, type: 'ok' as const, msg: { market_tickers: this.tickersOf(sub) } }));
    if (snapshot) this.sendSnapshots(sub.sid, added);
  }

  private updateSubscription(id: number | undefined, params: unknown): void {
    if (!isRecord(params)) return this.error(id, ErrorCode.paramsRequired);
    const sids = params.sids ?? (params.sid === undefined ? undefined : [params.sid]);
    if (!isList(sids) || sids.length !== 1) return this.error(id, ErrorCode.exactlyOneSidRequired);
    const sid: unknown = sids[0];
    if (!isPositiveInteger(sid)) return this.error(id, ErrorCode.invalidParameter, 'sid must be a positive integer');
    const action = params.action;
    if (action === undefined) return this.error(id, ErrorCode.actionRequired);
    if (action !== 'add_markets' && action !== 'delete_markets') return this.error(id, ErrorCode.unsupportedAction);
    const sub = this.subscription;
    if (sub?.sid !== sid) return this.error(id, ErrorCode.unknownSid);
    const requested = readTickers(params);
    if (requested === 'invalid') return this.scopedError(id, sub, ErrorCode.invalidParameter);
    if (requested === null || requested.length === 0) return this.scopedError(id, sub, ErrorCode.marketTickerRequired);
    if (sub.all) return this.scopedError(id, sub, ErrorCode.invalidParameter);

    const added: string[] = [];
    if (action === 'add_markets') {
      const screened = this.screen(requested);
      if ('refuse' in screened) return this.scopedError(id, sub, screened.refuse);
      for (const t of screened.listed) if (!sub.tickers.has(t)) added.push(t);
      if (sub.tickers.size + added.length > this.host.maxMarketsPerSubscription) {
        return this.scopedError(id, sub, ErrorCode.marketLimitExceeded);
      }
      for (const t of added) sub.tickers.add(t);
    } else {
      const refusal = this.host.deleteRefusalCode();
      if (refusal !== null) return this.scopedError(id, sub, refusal);
      for (const t of requested) sub.tickers.delete(t);
    }
    sub.seq++;
    this.send(withId(id, { sid, seq: sub.seq, type: 'ok' as const, msg: { market_tickers: [...sub.tickers] } }));
    // Kalshi's default here is false (docs/KALSHI.md): markets added to a running subscription get no snapshot unless asked.
    if (params.send_initial_snapshot === true) this.sendSnapshots(sid, added);
  }

  private unsubscribe(id: number | undefined, params: unknown): void {
    if (!isRecord(params)) return this.error(id, ErrorCode.paramsRequired);
    const sids = params.sids;
    if (!isList(sids) || sids.length === 0) return this.error(id, ErrorCode.sidsRequired);
    if (!sids.every(isPositiveInteger)) return this.error(id, ErrorCode.invalidParameter, 'sids must be positive integers');
    const sub = this.subscription;
    const life = this.lifecycle;
    if (sids.some((sid) => sid !== sub?.sid && sid !== life?.sid)) return this.error(id, ErrorCode.unknownSid);
    for (const ended of [sub, life]) {
      if (ended === undefined || !sids.includes(ended.sid)) continue;
      if (ended === sub) this.subscription = undefined;
      else this.lifecycle = undefined;
      ended.seq++;
      this.send(withId(id, { sid: ended.sid, seq: ended.seq, type: 'unsubscribed' as const }));
    }
  }
}

function readTickers(params: Params): TickerList {
  const list = params.market_tickers ?? (params.market_ticker === undefined ? undefined : [params.market_ticker]);
  if (list === undefined || list === null) return null;
  if (!isList(list) || !list.every((t): t is string => typeof t === 'string')) return 'invalid';
  return list;
}

function isList(value: unknown): value is unknown[] {
  return Array.isArray(value);
}

function isRecord(value: unknown): value is Params {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
