/** Kalshi WebSocket v2 wire shapes as the simulator sends them (docs/KALSHI.md). */

export const WS_PATH = '/trade-api/ws/v2';
export const REST_PREFIX = '/trade-api/v2';
export const CONTROL_PREFIX = '/_sim';
export const HEARTBEAT_BODY = 'heartbeat';

export const ErrorCode = {
  unableToProcess: 1,
  paramsRequired: 2,
  channelsRequired: 3,
  sidsRequired: 4,
  unknownCommand: 5,
  unknownSid: 7,
  unknownChannel: 8,
  authenticationRequired: 9,
  channelError: 10,
  invalidParameter: 11,
  exactlyOneSidRequired: 12,
  unsupportedAction: 13,
  marketTickerRequired: 14,
  actionRequired: 15,
  commandTimeout: 18,
  subscriptionBufferOverflow: 25,
  marketLimitExceeded: 26,
  tooManyRequests: 27,
} as const;

/** Retired by Kalshi (docs/KALSHI.md): the simulator never sends them, so clients cannot come to rely on them. */
export const RETIRED_CODES: ReadonlySet<number> = new Set([6, 16, 17]);

/** Codes after which Kalshi has ended the subscription. */
export type TerminalCode = 10 | 25;

/**
 * What a ticker the exchange does not list gets (docs/KALSHI.md: undocumented today, so all three are simulated):
 * 'accept' — the command succeeds, the ticker is left out of the subscription (absent from the `ok` list), no data;
 * 'error11' / 'error14' — the whole command is refused with that code.
 */
export type UnlistedMode = 'accept' | 'error11' | 'error14';
export const UNLISTED_MODES: readonly UnlistedMode[] = ['accept', 'error11', 'error14'];

/**
 * Which optional fields a ticker frame carries, after the frames recorded from Kalshi (kalshi-frames.jsonl):
 * 'full' — production 2026-09 (dollar_volume, dollar_open_interest, last_trade_size_fp, time);
 * 'lean' — demo 2026-08 (no dollar_volume, dollar_open_interest or time);
 * 'clock' — older production frames, 'full' plus the undocumented `Clock`;
 * 'mixed' — the three in turn, frame by frame.
 */
export type TickerShape = 'full' | 'lean' | 'clock' | 'mixed';
export const TICKER_SHAPES: readonly TickerShape[] = ['full', 'lean', 'clock', 'mixed'];

/**
 * Where frames carry `sending_ts_ms` (when Kalshi queued the frame, Unix ms; since 2026-10-01, docs/KALSHI.md):
 * 'second' — second key of the envelope, as in Kalshi's docs example (the default: Kalshi today);
 * 'after' — last key, after `msg`, the order of a live frame of 2026-10-05;
 * 'none' — not at all, as before October 2026.
 */
export type SendingTsMode = 'second' | 'after' | 'none';
export const SENDING_TS_MODES: readonly SendingTsMode[] = ['second', 'after', 'none'];

/** The message as sent: `sending_ts_ms` placed by the mode (object key order is insertion order, so JSON's too). */
export function withSendingTs(message: ServerMessage, mode: SendingTsMode, nowMs: number): object {
  if (mode === 'none') return message;
  if (mode === 'after') return { ...message, sending_ts_ms: nowMs };
  const out: Record<string, unknown> = {};
  let placed = false;
  for (const [key, value] of Object.entries(message)) {
    out[key] = value;
    if (!placed) {
      out.sending_ts_ms = nowMs;
      placed = true;
    }
  }
  return out;
}

const ERROR_TEXT: Readonly<Record<number, string>> = {
  1: 'Unable to process message',
  2: 'Params required',
  3: 'Channels required',
  4: 'Sids required',
  5: 'Unknown command',
  7: 'Unknown subscription ID',
  8: 'Unknown channel name',
  9: 'Authentication required',
  10: 'Channel error',
  11: 'Invalid parameter',
  12: 'Exactly one subscription ID is required',
  13: 'Unsupported action',
  14: 'Market Ticker required',
  15: 'Action required',
  18: 'Command timeout',
  25: 'Subscription buffer overflow',
  26: 'Subscription market limit exceeded',
  27: 'Too many requests',
};

export function errorText(code: number): string {
  return ERROR_TEXT[code] ?? `Error ${code}`;
}

/** The `msg` of a `ticker` message, fields in Kalshi's order. */
export interface TickerPayload {
  market_ticker: string;
  market_id: string;
  price_dollars: string;
  yes_bid_dollars: string;
  yes_ask_dollars: string;
  volume_fp: string;
  open_interest_fp: string;
  /** Missing from some real frames (docs/KALSHI.md). */
  dollar_volume?: number;
  dollar_open_interest?: number;
  yes_bid_size_fp: string;
  yes_ask_size_fp: string;
  last_trade_size_fp?: string;
  ts: number;
  ts_ms: number;
  /** RFC 3339 (deprecated; missing from some real frames). */
  time?: string;
  /** Undocumented, in older production frames. */
  Clock?: number;
}

export const LIFECYCLE_CHANNEL = 'market_lifecycle_v2';
export type Channel = 'ticker' | typeof LIFECYCLE_CHANNEL;

/**
 * The `msg` of a `market_lifecycle_v2` frame (docs/KALSHI.md, "Market lifecycle"): `market_ticker` and `event_type`
 * always, the rest by event type (created: open_ts, close_ts; deactivated: is_deactivated; close_date_updated:
 * close_ts; determined: result, settlement_value, determination_ts; settled: settled_ts). Times in seconds.
 */
export interface LifecyclePayload {
  market_ticker: string;
  event_type: string;
  [field: string]: unknown;
}

/** `id` is echoed when the command carried one. */
interface WithId { id?: number }

export type ServerMessage =
  | { type: 'ticker'; sid: number; msg: TickerPayload }
  | { type: typeof LIFECYCLE_CHANNEL; sid: number; seq: number; msg: LifecyclePayload }
  | (WithId & { type: 'subscribed'; msg: { channel: Channel; sid: number } })
  | (WithId & { sid: number; seq: number; type: 'ok'; msg: { market_tickers: string[] } })
  | (WithId & { sid: number; seq: number; type: 'ok' })
  | (WithId & { sid: number; seq: number; type: 'unsubscribed' })
  | (WithId & { type: 'ok'; msg: { channel: Channel; sid: number }[] })
  | (WithId & { sid?: number; seq?: number; type: 'error'; msg: { code: number; msg: string } });

/** Builds a reply with `id` first (when known), as Kalshi orders its keys. */
export function withId<T extends object>(id: number | undefined, body: T): WithId & T {
  return id === undefined ? body : { id, ...body };
}

export function errorMessage(id: number | undefined, code: number, msg?: string, sid?: number, seq?: number): ServerMessage {
  const scope = { ...(sid === undefined ? {} : { sid }), ...(seq === undefined ? {} : { seq }) };
  const body = { ...scope, type: 'error' as const, msg: { code, msg: msg ?? errorText(code) } };
  return withId(id, body);
}
