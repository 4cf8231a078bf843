/** Kalshi WebSocket v2 wire shapes as the simulator sends them (KALSHI.md). */
// @ts-nocheck


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
  alreadySubscribed: 6,
  unknownSid: 7,
  unknownChannel: 8,
  authenticationRequired: 9,
  channelError: 10,
  invalidParameter: 11,
  exactlyOneSidRequired: 12,
  unsupportedAction: 13,
  marketTickerRequired: 14,
  actionRequired: 15,
  marketNotFound: 16,
  internalError: 17,
  commandTimeout: 18,
  subscriptionBufferOverflow: 25,
  marketLimitExceeded: 26,
  tooManyRequests: 27,
} as const;

const ERROR_TEXT: Readonly<Record<number, string>> = {
  1: 'Unable to process message',
  2: 'Params required',
  3: 'Channels required',
  4: 'Sids required',
  5: 'Unknown command',
  6: 'Already subscribed',
  7: 'Unknown subscription ID',
  8: 'Unknown channel name',
  9: 'Authentication required',
  10: 'Channel error',
  11: 'Invalid parameter',
  12: 'Exactly one subscription ID is required',
  13: 'Unsupported action',
  14: 'Market Ticker required',
  15: 'Action required',
  16: 'Market not found',
  17: 'Internal error',
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
  dollar_volume: number;
  dollar_open_interest: number;
  yes_bid_size_fp: string;
  yes_ask_size_fp: string;
  ts: number;
  ts_ms: number;
}

/** `id` is echoed when the command carried one. */
type WithId = { id?: number };

export type ServerMessage =
  | { type: 'ticker'; sid: number; msg: TickerPayload }
  | (WithId & { type: 'subscribed'; msg: { channel: 'ticker'; sid: number } })
  | (WithId & { sid: number; seq: number; type: 'ok'; msg: { market_tickers: string[] } })
  | (WithId & { sid: number; seq: number; type: 'unsubscribed' })
  | (WithId & { type: 'ok'; msg: Array<{ channel: 'ticker'; sid: number }> })
  | (WithId & { sid?: number; type: 'error'; msg: { code: number; msg: string } });

/** Builds a reply with `id` first (when known), as Kalshi orders its keys. */
export function withId<T extends object>(id: number | undefined, body: T): WithId & T {
  return id === undefined ? body : { id, ...body };
}

export function errorMessage(id: number | undefined, code: number, msg?: string, sid?: number): ServerMessage {
  const body = { ...(sid === undefined ? {} : { sid }), type: 'error' as const, msg: { code, msg: msg ?? errorText(code) } };
  return withId(id, body);
}
