import { EventEmitter } from 'node:events';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { handleControl, type SimControls } from './control';
import { Exchange, type QuoteUpdate, type SimMarket } from './exchange';
import { sendError } from './http-util';
import {
  CONTROL_PREFIX,
  REST_PREFIX,
  RETIRED_CODES,
  WS_PATH,
  type SendingTsMode,
  type TerminalCode,
  type TickerPayload,
  type TickerShape,
  type UnlistedMode,
} from './protocol';
import { shapeAt, shapeTicker } from './ticker-shape';
import { handleRest } from './rest';
import { SimExchangeStatus, type ExchangeStatusControl } from './exchange-status';
import { toPublicKey, verifyHandshake } from './signature';
import { WsSession, type SessionHost } from './ws-session';

export interface SimulatorOptions {
  /** PEM or KeyObject; handshake signatures are verified against it. */
  publicKey: string | KeyObject;
  /** Expected KALSHI-ACCESS-KEY. */
  keyId: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 10000; WebSocket Ping frames with body 'heartbeat'. 0 = no pings. */
  pingIntervalMs?: number;
  /** Default 0 = off; when on, every interval moves a few random markets' quotes and streams ticker messages. */
  randomWalkIntervalMs?: number;
  /** Default Infinity; a command that would take the connection's subscription beyond it → error code 26. */
  maxMarketsPerSubscription?: number;
  /** What a ticker the exchange does not list gets; default 'accept' (left out of the subscription, no data). */
  unlistedTickers?: UnlistedMode;
  /** Default false; true: errors about an existing subscription come without `id`, with `sid` and `seq`. */
  subscriptionErrorsWithoutId?: boolean;
  /** Which optional fields ticker frames carry; default 'mixed' (every recorded shape in turn). */
  tickerShape?: TickerShape;
  /** Decimals of the dollar strings: 4 (Kalshi today, default) or 6 (the fixed-point type's full width). */
  priceDecimals?: 4 | 6;
  /** Where every frame carries `sending_ts_ms`: 'second' (default, as Kalshi's docs show), 'after' msg, or 'none'. */
  sendingTs?: SendingTsMode;
  /** Default 60000; an older or newer KALSHI-ACCESS-TIMESTAMP → 401. */
  maxTimestampSkewMs?: number;
  /** Uniform [0, 1) for the random walk and generated volumes; default Math.random. */
  random?: () => number;
}

export type { SimMarket } from './exchange';

export interface SimulatorStats {
  connectionsOpen: number;
  maxConcurrentConnections: number;
  authenticatedTotal: number;
  rejectedHandshakes: number;
  commandsReceived: number;
  tickersSent: number;
  /** Ping rounds that reached the clients (not counting rounds skipped while stalled). */
  pingRounds: number;
}

export interface ConnectionView {
  id: number;
  subscriptions: { sid: number; tickers: string[] }[];
}

export interface CommandLogEntry {
  connectionId: number;
  cmd: unknown;
  at: number;
}

/** commandLog() keeps the most recent entries up to this many (a long `npm run sim` must not grow forever). */
export const COMMAND_LOG_LIMIT = 100_000;

/**
 * Kalshi look-alike: WebSocket (`/trade-api/ws/v2`, signed handshake, ticker channel), REST market data
 * (`/trade-api/v2/markets`) and a control API (`/_sim/...`) on one port.
 *
 * Events: 'connection' (id), 'command' (connectionId, cmd), 'disconnect' (id, code, reason),
 * 'rejected' (status, reason) for a refused handshake, 'heartbeat' ({ stalled }) at each ping interval.
 */
export class KalshiSimulator extends EventEmitter implements SimControls {
  private readonly options: Required<
    Omit<SimulatorOptions, 'publicKey' | 'random' | 'unlistedTickers' | 'subscriptionErrorsWithoutId' | 'tickerShape' | 'priceDecimals' | 'sendingTs'>
  >;
  private unlisted: UnlistedMode;
  private errorsWithoutId: boolean;
  private deleteRefusal: number | null = null;
  private readonly tickerShape: TickerShape;
  private readonly priceDecimals: 4 | 6;
  private sendingTsMode: SendingTsMode;
  private framesShaped = 0;
  private readonly publicKey: KeyObject;
  private readonly exchange: Exchange;
  /** GET /exchange/status: trading on until told otherwise. */
  readonly exchangeStatus = new SimExchangeStatus();
  private readonly host: SessionHost;
  private readonly sessions = new Map<number, WsSession>();
  private readonly silenced = new Set<string>();
  private readonly injectedFailures: { code: number; msg?: string }[] = [];
  private readonly log: CommandLogEntry[] = [];
  private readonly counters = {
    maxConcurrentConnections: 0,
    authenticatedTotal: 0,
    rejectedHandshakes: 0,
    commandsReceived: 0,
    tickersSent: 0,
    pingRounds: 0,
  };
  private server: Server | undefined;
  private wss: WebSocketServer | undefined;
  private boundPort: number | undefined;
  private timers: NodeJS.Timeout[] = [];
  private nextConnectionId = 1;
  private stalled = false;
  private rejectStatus: 401 | 403 | null = null;
  private closing: Promise<void> | undefined;

  constructor(options: SimulatorOptions) {
    super();
    this.publicKey = toPublicKey(options.publicKey);
    this.options = {
      keyId: options.keyId,
      port: options.port ?? 0,
      host: options.host ?? '127.0.0.1',
      pingIntervalMs: options.pingIntervalMs ?? 10_000,
      randomWalkIntervalMs: options.randomWalkIntervalMs ?? 0,
      maxMarketsPerSubscription: options.maxMarketsPerSubscription ?? Infinity,
      maxTimestampSkewMs: options.maxTimestampSkewMs ?? 60_000,
    };
    this.unlisted = options.unlistedTickers ?? 'accept';
    this.errorsWithoutId = options.subscriptionErrorsWithoutId ?? false;
    this.tickerShape = options.tickerShape ?? 'mixed';
    this.priceDecimals = options.priceDecimals ?? 4;
    this.sendingTsMode = options.sendingTs ?? 'second';
    this.exchange = new Exchange(options.random === undefined ? {} : { random: options.random });
    this.host = {
      exchange: this.exchange,
      maxMarketsPerSubscription: this.options.maxMarketsPerSubscription,
      unlistedMode: () => this.unlisted,
      errorsWithoutId: () => this.errorsWithoutId,
      sendingTs: () => this.sendingTsMode,
      deleteRefusalCode: () => this.deleteRefusal,
      snapshot: (ticker) => this.shaped(this.exchange.payload(ticker)),
      isStalled: () => this.stalled,
      isSilenced: (ticker) => this.silenced.has(ticker),
      takeInjectedFailure: () => this.injectedFailures.shift(),
      recordCommand: (connectionId, cmd) => this.recordCommand(connectionId, cmd),
      countTickerSent: () => {
        this.counters.tickersSent++;
      },
    };
  }

  // ---- lifecycle ----

  async start(): Promise<void> {
    if (this.closing !== undefined) throw new Error('KalshiSimulator: cannot start after close()');
    if (this.server !== undefined) throw new Error('KalshiSimulator: already started');
    const server = createServer((req, res) => this.onRequest(req, res));
    const wss = new WebSocketServer({ noServer: true, autoPong: false, perMessageDeflate: false, maxPayload: 1_048_576 });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    this.server = server;
    this.wss = wss;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.boundPort = (server.address() as AddressInfo).port;
    if (this.options.pingIntervalMs > 0) {
      this.timers.push(setInterval(() => this.heartbeat(), this.options.pingIntervalMs).unref());
    }
    if (this.options.randomWalkIntervalMs > 0) {
      this.timers.push(setInterval(() => this.tick(), this.options.randomWalkIntervalMs).unref());
    }
  }

  /** Terminates every client and closes the server; idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    for (const session of this.sessions.values()) session.terminate();
    const { server, wss } = this;
    if (wss !== undefined) await new Promise<void>((resolve) => wss.close(() => resolve()));
    if (server !== undefined) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    }
  }

  get port(): number {
    if (this.boundPort === undefined) throw new Error('KalshiSimulator: not started');
    return this.boundPort;
  }

  get wsUrl(): string {
    return `ws://${this.urlHost()}:${this.port}${WS_PATH}`;
  }

  get restUrl(): string {
    return `http://${this.urlHost()}:${this.port}${REST_PREFIX}`;
  }

  /** Base URL of the control API (`POST /_sim/quote` etc.). */
  get controlUrl(): string {
    return `http://${this.urlHost()}:${this.port}${CONTROL_PREFIX}`;
  }

  private urlHost(): string {
    const host = this.options.host;
    if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
    return host.includes(':') ? `[${host}]` : host;
  }

  // ---- market data ----

  /** Pauses or resumes trading as Kalshi's exchange status reports it (the weekly maintenance window). */
  setExchangeStatus(control: ExchangeStatusControl): void {
    this.exchangeStatus.set(control);
  }

  addMarkets(markets: SimMarket[]): void {
    this.exchange.add(markets);
    // New markets reach subscriptions to every market; re-added ones reach whoever still holds them.
    for (const { ticker } of markets) this.stream(this.exchange.payload(ticker));
  }

  removeMarket(ticker: string): void {
    this.exchange.remove(ticker);
  }

  hasMarket(ticker: string): boolean {
    return this.exchange.has(ticker);
  }

  setQuote(ticker: string, quote: QuoteUpdate): void {
    this.stream(this.exchange.setQuote(ticker, quote));
  }

  /** One random-walk step now; returns how many markets moved. */
  tick(count?: number): number {
    const moved = this.exchange.tick(count);
    for (const payload of moved) this.stream(payload);
    return moved.length;
  }

  /** A size-only change: a frame with the same bid and ask (Kalshi sends these since 2026-02-12). */
  changeSizes(ticker: string, tsMs?: number): void {
    if (!this.exchange.has(ticker)) throw new Error(`unknown market ${ticker}`);
    this.stream(this.exchange.changeSizes(ticker, tsMs));
  }

  private stream(payload: TickerPayload | undefined): void {
    if (this.sessions.size === 0) return;
    const shaped = this.shaped(payload);
    if (shaped === undefined) return;
    for (const session of this.sessions.values()) session.deliver(shaped);
  }

  private shaped(payload: TickerPayload | undefined): TickerPayload | undefined {
    if (payload === undefined) return undefined;
    const n = this.framesShaped++;
    return shapeTicker(payload, shapeAt(this.tickerShape, n), this.priceDecimals, n + 1);
  }

  // ---- fault switches ----

  sendRaw(data: string | Buffer, options?: { binary?: boolean }): void {
    if (this.stalled) return;
    const binary = options?.binary ?? typeof data !== 'string';
    for (const session of this.sessions.values()) session.sendRaw(data, binary);
  }

  /** No code (or 1006): terminate(), 1006 on the client. Otherwise a close frame with that code. */
  dropConnections(code?: number): void {
    if (code !== undefined && code !== 1006 && !sendableCloseCode(code)) {
      throw new RangeError(`close code ${code} cannot be sent in a close frame`);
    }
    for (const session of this.sessions.values()) session.drop(code === 1006 ? undefined : code);
  }

  /** Drops one connection (terminate(): 1006 on the client), the others untouched; false when there is none with that id. */
  dropConnection(id: number): boolean {
    const session = this.sessions.get(id);
    session?.drop();
    return session !== undefined;
  }

  setStalled(stalled: boolean): void {
    this.stalled = stalled;
  }

  setRejectHandshake(status: 401 | 403 | null): void {
    this.rejectStatus = status;
  }

  /** Kalshi no longer sends 6, 16 or 17: injecting them would test a client against an exchange that is gone. */
  failNextCommand(code: number, msg?: string): void {
    if (RETIRED_CODES.has(code)) throw new RangeError(`error code ${code} is retired: Kalshi no longer sends it`);
    this.injectedFailures.push(msg === undefined ? { code } : { code, msg });
  }

  setUnlistedMode(mode: UnlistedMode): void {
    this.unlisted = mode;
  }

  setSubscriptionErrorsWithoutId(on: boolean): void {
    this.errorsWithoutId = on;
  }

  /** Where frames from now on carry `sending_ts_ms` ('second', 'after' msg, or 'none'). */
  setSendingTs(mode: SendingTsMode): void {
    this.sendingTsMode = mode;
  }

  /** Every delete_markets is refused with `code` until set back to null (a fault switch). */
  setDeleteRefusal(code: number | null): void {
    if (code !== null && RETIRED_CODES.has(code)) throw new RangeError(`error code ${code} is retired: Kalshi no longer sends it`);
    this.deleteRefusal = code;
  }

  endSubscription(ticker: string, code: TerminalCode): void {
    for (const session of this.sessions.values()) session.endSubscriptionsHolding(ticker, code);
  }

  silenceMarket(ticker: string, silent: boolean): void {
    if (silent) this.silenced.add(ticker);
    else this.silenced.delete(ticker);
  }

  // ---- observation ----

  get stats(): SimulatorStats {
    return { connectionsOpen: this.sessions.size, ...this.counters };
  }

  subscribedTickers(): Set<string> {
    const all = new Set<string>();
    for (const session of this.sessions.values()) for (const ticker of session.tickers()) all.add(ticker);
    return all;
  }

  connections(): ConnectionView[] {
    return [...this.sessions.values()].map((session) => ({ id: session.id, subscriptions: session.view() }));
  }

  commandLog(): CommandLogEntry[] {
    return [...this.log];
  }

  // ---- internals ----

  private recordCommand(connectionId: number, cmd: unknown): void {
    this.counters.commandsReceived++;
    if (this.log.length >= COMMAND_LOG_LIMIT) this.log.shift();
    this.log.push({ connectionId, cmd, at: Date.now() });
    this.emit('command', connectionId, cmd);
  }

  private heartbeat(): void {
    if (!this.stalled) {
      this.counters.pingRounds++;
      for (const session of this.sessions.values()) session.ping();
    }
    this.emit('heartbeat', { stalled: this.stalled });
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path.startsWith(`${REST_PREFIX}/`)) {
      handleRest(this.exchange, req.method ?? 'GET', path.slice(REST_PREFIX.length), url.searchParams, res, this.exchangeStatus);
      return;
    }
    if (path.startsWith(`${CONTROL_PREFIX}/`)) {
      handleControl(this, req, path.slice(CONTROL_PREFIX.length), res).catch((error: unknown) => {
        if (!res.headersSent) sendError(res, 500, 'internal', error instanceof Error ? error.message : String(error));
        else res.destroy();
      });
      return;
    }
    if (path === WS_PATH) return sendError(res, 426, 'upgrade_required', 'WebSocket upgrade required');
    sendError(res, 404, 'not_found', 'not found');
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined); // a client that resets mid-handshake must not crash the simulator
    const wss = this.wss;
    if (wss === undefined || this.closing !== undefined) return this.refuse(socket, 503, 'shutting down');
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== WS_PATH) return this.refuse(socket, 404, `no WebSocket at ${path}`);
    if (this.rejectStatus !== null) return this.refuse(socket, this.rejectStatus, 'rejected by the simulator (fault switch)');
    const verdict = verifyHandshake(req.headers, {
      publicKey: this.publicKey,
      keyId: this.options.keyId,
      maxTimestampSkewMs: this.options.maxTimestampSkewMs,
      now: Date.now(),
    });
    if (!verdict.ok) return this.refuse(socket, 401, verdict.reason);
    wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws));
  }

  private refuse(socket: Duplex, status: number, reason: string): void {
    this.counters.rejectedHandshakes++;
    this.emit('rejected', status, reason);
    const body = JSON.stringify({ error: { code: STATUS_CODES[status] ?? 'error', message: reason } });
    socket.once('finish', () => socket.destroy());
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
        'Connection: close\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }

  private onConnection(ws: WebSocket): void {
    if (this.closing !== undefined) {
      ws.terminate();
      return;
    }
    const id = this.nextConnectionId++;
    const session = new WsSession(id, ws, this.host);
    this.sessions.set(id, session);
    this.counters.authenticatedTotal++;
    this.counters.maxConcurrentConnections = Math.max(this.counters.maxConcurrentConnections, this.sessions.size);
    ws.on('error', () => undefined); // e.g. a client frame over maxPayload: ws closes the socket itself
    ws.on('close', (code: number, reason: Buffer) => {
      this.sessions.delete(id);
      this.emit('disconnect', id, code, reason.toString('utf8'));
    });
    this.emit('connection', id);
  }
}

/** Codes a close frame may carry (RFC 6455 §7.4; 1004–1006 and 1015 are reserved). */
function sendableCloseCode(code: number): boolean {
  if (!Number.isInteger(code)) return false;
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}
