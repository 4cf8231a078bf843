// @ts-nocheck
import { WebSocket, type RawData } from 'ws';
import type { Exchange } from './exchange';
import { ErrorCode, errorMessage, HEARTBEAT_BODY, withId, type ServerMessage, type TickerPayload } from './protocol';

/** What a session needs from the simulator that owns it. */
export interface SessionHost {
  readonly exchange: Exchange;
  readonly maxMarketsPerSubscription: number;
  isStalled(): boolean;
  isSilenced(ticker: string): boolean;
  /** A one-shot error armed by failNextCommand, consumed by the first command that asks. */
  takeInjectedFailure(): { code: number; msg?: string } | undefined;
  recordCommand(connectionId: number, cmd: unknown): void;
  countTickerSent(): void;
}

export interface SubscriptionView {
  sid: number;
  tickers: string[];
}

interface Subscription {
  readonly sid: number;
  /** Subscribed without market_tickers: every market the exchange knows, now and later. */
  readonly all: boolean;
  readonly tickers: Set<string>;
  /** Whether it was created with send_initial_snapshot (the default for later add_markets). */
  readonly snapshot: boolean;
  seq: number;
}

type Params = Record<string, unknown>;
/** null: no ticker list given (every market); 'invalid': not a list of strings. */
type TickerList = string[] | null | 'invalid';

/** One client connection: parses commands, keeps its subscriptions, sends ticker messages. */
export class WsSession {
  private readonly subscriptions = new Map<number, Subscription>();
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
    return [...this.subscriptions.values()].map((sub) => ({ sid: sub.sid, tickers: this.tickersOf(sub) }));
  }

  tickers(): Set<string> {
    const all = new Set<string>();
    for (const sub of this.subscriptions.values()) for (const ticker of this.tickersOf(sub)) all.add(ticker);
    return all;
  }

  /** Streams a market change to every subscription of this connection that holds the market. */
  deliver(payload: TickerPayload): void {
    for (const sub of this.subscriptions.values()) {
      if (sub.all || sub.tickers.has(payload.market_ticker)) this.sendTicker(sub.sid, payload);
    }
  }

  /** Kalshi ends the subscriptions holding `ticker` with an error (10, 17, 25). Returns how many ended. */
  endSubscriptionsHolding(ticker: string, code: number, msg?: string): number {
    let ended = 0;
    for (const sub of [...this.subscriptions.values()]) {
      if (!sub.all && !sub.tickers.has(ticker)) continue;
      this.subscriptions.delete(sub.sid);
      this.send(errorMessage(undefined, code, msg, sub.sid));
      ended++;
    }
    return ended;
  }

  private tickersOf(sub: Subscription): string[] {
    return sub.all ? this.host.exchange.tickers() : [...sub.tickers];
  }

  private send(message: ServerMessage): boolean {
    if (this.host.isStalled() || !this.isOpen()) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  private sendTicker(sid: number, payload: TickerPayload): void {
    if (this.host.isSilenced(payload.market_ticker)) return;
    if (this.send({ type: 'ticker', sid, msg: payload })) this.host.countTickerSent();
  }

  private sendSnapshots(sid: number, tickers: Iterable<string>): void {
    for (const ticker of tickers) {
      const payload = this.host.exchange.payload(ticker);
      if (payload !== undefined) this.sendTicker(sid, payload);
    }
  }

  private error(id: number | undefined, code: number, msg?: string): void {
    this.send(errorMessage(id, code, msg));
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
      case 'list_subscriptions':
        this.send(withId(id, { type: 'ok' as const, msg: [...this.subscriptions.keys()].map((sid) => ({ channel: 'ticker' as const, sid })) }));
        return;
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
    if (channels.some((c) => c !== 'ticker')) return this.error(id, ErrorCode.unknownChannel);
    const requested = readTickers(params);
    if (requested === 'invalid') return this.error(id, ErrorCode.invalidParameter, 'market_tickers must be a list of strings');
    // No list (or an empty one) subscribes to every market, as on Kalshi.
    const all = requested === null || requested.length === 0;
    const tickers = new Set(all ? [] : requested);
    if (!all) {
      if ([...tickers].some((t) => !this.host.exchange.has(t))) return this.error(id, ErrorCode.marketNotFound);
      if (tickers.size > this.host.maxMarketsPerSubscription) return this.error(id, ErrorCode.marketLimitExceeded);
    }
    const snapshot = params.send_initial_snapshot === true;
    const sid = this.nextSid++;
    const sub: Subscription = { sid, all, tickers, snapshot, seq: 0 };
    this.subscriptions.set(sid, sub);
    this.send(withId(id, { type: 'subscribed' as const, msg: { channel: 'ticker' as const, sid } }));
    if (snapshot) this.sendSnapshots(sid, this.tickersOf(sub));
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
    const sub = this.subscriptions.get(sid);
    if (sub === undefined) return this.error(id, ErrorCode.unknownSid);
    const requested = readTickers(params);
    if (requested === 'invalid') return this.error(id, ErrorCode.invalidParameter, 'market_tickers must be a list of strings');
    if (requested === null || requested.length === 0) return this.error(id, ErrorCode.marketTickerRequired);
    if (sub.all) return this.error(id, ErrorCode.invalidParameter, 'subscription already covers every market');

    const added: string[] = [];
    if (action === 'add_markets') {
      if (requested.some((t) => !this.host.exchange.has(t))) return this.error(id, ErrorCode.marketNotFound);
      for (const t of new Set(requested)) if (!sub.tickers.has(t)) added.push(t);
      if (sub.tickers.size + added.length > this.host.maxMarketsPerSubscription) {
        return this.error(id, ErrorCode.marketLimitExceeded);
      }
      for (const t of added) sub.tickers.add(t);
    } else {
      for (const t of requested) sub.tickers.delete(t);
    }
    sub.seq++;
    this.send(withId(id, { sid, seq: sub.seq, type: 'ok' as const, msg: { market_tickers: [...sub.tickers] } }));
    const snapshot = typeof params.send_initial_snapshot === 'boolean' ? params.send_initial_snapshot : sub.snapshot;
    if (snapshot) this.sendSnapshots(sid, added);
  }

  private unsubscribe(id: number | undefined, params: unknown): void {
    if (!isRecord(params)) return this.error(id, ErrorCode.paramsRequired);
    const sids = params.sids;
    if (!isList(sids) || sids.length === 0) return this.error(id, ErrorCode.sidsRequired);
    if (!sids.every(isPositiveInteger)) return this.error(id, ErrorCode.invalidParameter, 'sids must be positive integers');
    const unique = [...new Set(sids)];
    if (unique.some((sid) => !this.subscriptions.has(sid))) return this.error(id, ErrorCode.unknownSid);
    for (const sid of unique) {
      const sub = this.subscriptions.get(sid);
      if (sub === undefined) continue;
      this.subscriptions.delete(sid);
      sub.seq++;
      this.send(withId(id, { sid, seq: sub.seq, type: 'unsubscribed' as const }));
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
