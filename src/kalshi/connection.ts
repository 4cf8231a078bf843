import WebSocket, { type RawData } from 'ws';
import type { Logger } from 'pino';
import type { DropReason } from '../observability/drop-reasons';
import { handshakeHeaders, type KalshiCredentials } from './auth';
import { errorCommandId, isChannelMessage, isInvalid, parseServerFrame, type ChannelMessage, type ErrorMessage, type ServerMessage } from './protocol';
import { ReconnectPolicy } from './reconnect-policy';
import { exchangeDelaySeconds, type ExchangeDelaySink } from './sending-ts';
import { readTickerFrame } from './ticker-fast-path';

export const MAX_FRAME_BYTES = 1024 * 1024;

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'waiting' | 'stopped';

export interface ConnectionHandlers {
  /** The socket is open and authenticated; every subscription must be made again. */
  onOpen(): void;
  /** The socket closed; pending commands were rejected. */
  onClose(): void;
  /** A data message (ticker) or an error that answers no pending command. */
  onMessage(message: ServerMessage, receivedAtMs: number): void;
  onInvalid(reason: DropReason, detail?: Record<string, unknown>): void;
  onReconnect(): void;
  onAuthRejected(status: number): void;
}

export interface ConnectionOptions {
  id: number;
  url: string;
  credentials: KalshiCredentials;
  stallTimeoutMs: number;
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
  reconnectPolicy?: ReconnectPolicy;
  log: Logger;
  handlers: ConnectionHandlers;
  /** Where each frame's `sending_ts_ms` delay goes (kalshi_exchange_delay_seconds); none: not observed. */
  exchangeDelay?: ExchangeDelaySink;
}

export class CommandError extends Error {
  constructor(
    readonly code: number,
    message: string,
    /** The error's body: it may name the refused market(s). */
    readonly detail: ErrorMessage['msg'] = { code },
  ) {
    super(`Kalshi error ${code}: ${message}`);
  }
}

function sidsOf(params: Record<string, unknown> | undefined): number[] {
  const sids = params?.sids ?? (params?.sid === undefined ? undefined : [params.sid]);
  return Array.isArray(sids) ? sids.filter((sid): sid is number => typeof sid === 'number') : [];
}

export type CommandReply = Exclude<ServerMessage, { type: 'ticker' } | ErrorMessage | ChannelMessage>;

interface PendingCommand {
  resolve(reply: CommandReply): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
  /** The subscriptions the command is about: an error without `id` that names one of them answers it. */
  sids: readonly number[];
}

/**
 * One authenticated Kalshi WebSocket as a state machine:
 * idle → connecting → open → (closed) → waiting → connecting … until stop().
 * Owns the handshake, the stall watchdog, reconnect backoff and command/reply matching.
 */
export class KalshiConnection {
  private ws: WebSocket | undefined;
  private stateValue: ConnectionState = 'idle';
  private nextCommandId = 1;
  private readonly pending = new Map<number, PendingCommand>();
  private lastFrameAt = 0;
  private openedAt = 0;
  private openCount = 0;
  private watchdog: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private authRejectedStatus: number | undefined;
  private authRejectionLogged = false;
  private readonly policy: ReconnectPolicy;
  private readonly log: Logger;

  constructor(private readonly options: ConnectionOptions) {
    this.policy = options.reconnectPolicy ?? new ReconnectPolicy();
    this.log = options.log.child({ connection: options.id });
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  get id(): number {
    return this.options.id;
  }

  get lastFrameAtMs(): number {
    return this.lastFrameAt;
  }

  /** Sockets opened so far: a different count means a new socket, whose subscriptions are all gone. */
  get opens(): number {
    return this.openCount;
  }

  start(): void {
    if (this.stateValue !== 'idle') return;
    this.connect();
  }

  /** Closes the socket for good; resolves once it is closed. */
  async stop(): Promise<void> {
    if (this.stateValue === 'stopped') return;
    this.stateValue = 'stopped';
    this.clearTimers();
    const ws = this.ws;
    this.ws = undefined;
    this.rejectPending(new Error('connection stopped'));
    if (ws === undefined || ws.readyState === WebSocket.CLOSED) return;
    // No close handshake: the socket may be paused (shutdown), and nothing more is wanted from it.
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      ws.terminate();
    });
  }

  /** Stops reading frames at once (shutdown: nothing new enters the pipeline). */
  pause(): void {
    this.ws?.pause();
  }

  /** Sends a command and resolves with its reply (rejects with CommandError on an error reply). */
  command(cmd: string, params?: Record<string, unknown>): Promise<CommandReply> {
    const ws = this.ws;
    if (this.stateValue !== 'open' || ws === undefined) return Promise.reject(new Error('connection not open'));
    const id = this.nextCommandId++;
    // A reply later than the stall timeout means the socket is not working, whatever its pings say.
    const timeoutMs = this.options.commandTimeoutMs ?? Math.min(10_000, Math.max(1000, this.options.stallTimeoutMs));
    return new Promise<CommandReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`Kalshi command ${cmd} #${id} got no reply in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer, sids: sidsOf(params) });
      ws.send(JSON.stringify(params === undefined ? { id, cmd } : { id, cmd, params }), (error) => {
        if (error === undefined || error === null) return;
        const entry = this.pending.get(id);
        if (entry === undefined) return;
        this.pending.delete(id);
        clearTimeout(entry.timer);
        reject(error);
      });
    });
  }

  /** Drops the current socket and reconnects (e.g. after a terminal error of unknown scope). */
  recycle(reason: string): void {
    if (this.stateValue !== 'open' && this.stateValue !== 'connecting') return;
    this.log.warn({ reason }, 'recycling Kalshi connection');
    this.ws?.terminate();
  }

  private connect(): void {
    this.stateValue = 'connecting';
    this.authRejectedStatus = undefined;
    const { url, credentials } = this.options;
    const ws = new WebSocket(url, {
      headers: handshakeHeaders(credentials, url, Date.now()),
      maxPayload: MAX_FRAME_BYTES,
      handshakeTimeout: this.options.connectTimeoutMs ?? 10_000,
      perMessageDeflate: false,
    });
    this.ws = ws;
    this.lastFrameAt = Date.now();

    ws.on('open', () => this.handleOpen(ws));
    ws.on('message', (data, isBinary) => this.handleFrame(data, isBinary));
    ws.on('ping', () => {
      this.lastFrameAt = Date.now();
    });
    ws.on('pong', () => {
      this.lastFrameAt = Date.now();
    });
    ws.on('unexpected-response', (_request, response) => {
      this.authRejectedStatus = response.statusCode;
      response.resume();
      ws.terminate();
    });
    ws.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' || /max payload/i.test(error.message)) {
        this.options.handlers.onInvalid('oversized_frame', { limitBytes: MAX_FRAME_BYTES });
        return;
      }
      this.log.warn({ err: error }, 'Kalshi socket error'); // the error itself: its stack, code and cause
    });
    ws.on('close', (code, reason) => this.handleClose(ws, code, reason.toString()));
  }

  private handleOpen(ws: WebSocket): void {
    if (this.ws !== ws) return;
    this.stateValue = 'open';
    this.openCount += 1;
    this.authRejectionLogged = false;
    this.openedAt = Date.now();
    this.lastFrameAt = this.openedAt;
    this.log.info({ url: this.options.url }, 'Kalshi socket open');
    this.startWatchdog();
    this.options.handlers.onOpen();
  }

  private handleFrame(data: RawData, isBinary: boolean): void {
    const receivedAt = Date.now();
    this.lastFrameAt = receivedAt;
    if (isBinary) {
      this.options.handlers.onInvalid('binary_frame');
      return;
    }
    const text = data.toString();
    // The common ticker frame is read in one pass; anything the fast path does not fully recognise gets the full parse.
    const frame = readTickerFrame(text) ?? parseServerFrame(text);
    if (isInvalid(frame)) {
      // A short sample makes the log line useful at 3 a.m.; the complaint logger bounds how often it is written.
      this.options.handlers.onInvalid(frame.invalid, { type: frame.type, sample: text.slice(0, 120) });
      return;
    }
    if (frame.sending_ts_ms !== undefined) this.observeDelay(frame.sending_ts_ms, receivedAt);
    if (frame.type !== 'ticker' && !isChannelMessage(frame)) {
      const id = frame.type === 'error' ? this.commandAnswered(frame) : frame.id;
      const entry = id === undefined ? undefined : this.pending.get(id);
      if (id !== undefined && entry !== undefined) {
        this.pending.delete(id);
        clearTimeout(entry.timer);
        if (frame.type === 'error') entry.reject(new CommandError(frame.msg.code, frame.msg.msg ?? '', frame.msg));
        else entry.resolve(frame);
        return;
      }
    }
    this.options.handlers.onMessage(frame, receivedAt);
  }

  /** A bad sending_ts_ms is counted and left out of the histogram; the frame itself is handled as usual. */
  private observeDelay(sendingTsMs: unknown, receivedAt: number): void {
    const delay = exchangeDelaySeconds(sendingTsMs, receivedAt);
    if (delay === 'bad') this.options.handlers.onInvalid('bad_sending_ts', { sendingTsMs, receivedAtMs: receivedAt });
    else if (delay !== undefined) this.options.exchangeDelay?.observe(delay);
  }

  /**
   * The pending command an error answers. Kalshi may leave `id` out of an error tied to a subscription and send
   * `sid` and `seq` instead (docs/KALSHI.md): it then answers the pending command about that sid, so the command is
   * settled now rather than waiting out its timeout. Without either, a single pending command is the only
   * candidate; anything else is an error about a subscription, handled by the subscriptions.
   */
  private commandAnswered(frame: ErrorMessage): number | undefined {
    const id = errorCommandId(frame);
    if (id !== undefined) return id;
    if (frame.sid !== undefined) {
      for (const [pendingId, entry] of this.pending) if (entry.sids.includes(frame.sid)) return pendingId;
      return undefined;
    }
    if (this.pending.size === 1) return this.pending.keys().next().value;
    return undefined;
  }

  private handleClose(ws: WebSocket, code: number, reason: string): void {
    if (this.ws !== ws) return;
    const wasOpen = this.stateValue === 'open';
    const uptime = wasOpen ? Date.now() - this.openedAt : 0;
    this.ws = undefined;
    this.clearTimers();
    this.rejectPending(new Error(`connection closed (${code})`));
    if (wasOpen) this.options.handlers.onClose();
    if (this.stateValue === 'stopped') return;

    let delay: number;
    if (this.authRejectedStatus === 401 || this.authRejectedStatus === 403) {
      this.options.handlers.onAuthRejected(this.authRejectedStatus);
      delay = this.policy.longestDelay();
      const detail = { status: this.authRejectedStatus, keyId: this.options.credentials.keyId, retryInMs: delay };
      if (!this.authRejectionLogged) {
        this.authRejectionLogged = true;
        this.log.error(detail, 'Kalshi rejected the handshake (authentication error): check KALSHI_API_KEY_ID and the private key (demo keys work only on demo); retrying at the longest delay');
      } else {
        this.log.debug(detail, 'Kalshi rejected the handshake again');
      }
    } else {
      delay = this.policy.nextDelay(uptime);
      this.log.warn(
        { code, reason: reason || undefined, status: this.authRejectedStatus, wasOpen, retryInMs: delay, attempt: this.policy.attempts },
        wasOpen ? 'Kalshi socket closed; reconnecting' : 'Kalshi socket could not connect; retrying',
      );
    }
    this.stateValue = 'waiting';
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.stateValue !== 'waiting') return;
      this.options.handlers.onReconnect();
      this.connect();
    }, delay);
  }

  private startWatchdog(): void {
    const { stallTimeoutMs } = this.options;
    const every = Math.max(50, Math.min(1000, Math.floor(stallTimeoutMs / 4)));
    this.watchdog = setInterval(() => {
      const silentFor = Date.now() - this.lastFrameAt;
      if (silentFor < stallTimeoutMs) return;
      this.log.warn({ silentForMs: silentFor, stallTimeoutMs }, 'no frame (data or ping) from Kalshi: the socket is dead; reconnecting');
      this.ws?.terminate();
    }, every);
  }

  private clearTimers(): void {
    if (this.watchdog !== undefined) clearInterval(this.watchdog);
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.watchdog = this.retryTimer = undefined;
  }

  private rejectPending(error: Error): void {
    for (const entry of this.pending.values()) {
      clearTimeout(entry.timer);
      entry.reject(error);
    }
    this.pending.clear();
  }
}
