import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { makeQuote, type QuoteProblem } from '../prices/quote';
import { ChannelNoticeSchema, LifecycleMessageSchema, type ChannelNotice, type LifecycleMessage } from './lifecycle';
import type { MarketQuote } from '../prices/types';

/**
 * Server → client messages of Kalshi's WebSocket API v2 (docs/KALSHI.md). Extra fields are allowed: Kalshi adds
 * fields without notice (`Clock` was one), and a frame is refused only for what this service reads.
 */
const Id = Type.Integer({ minimum: 0 });
const Ticker = Type.String({ minLength: 1, maxLength: 200 });
/** Bounds the `ok` list we read: more than any subscription Kalshi allows, less than a flood. */
export const MAX_OK_TICKERS = 10_000;

/**
 * `sending_ts_ms` (Kalshi since 2026-10-01: when it queued the frame, Unix ms) may sit anywhere in any envelope
 * (docs/KALSHI.md). It is read for kalshi_exchange_delay_seconds only, never for a price, so any value is let
 * through here and judged by the reader (src/kalshi/sending-ts.ts): a bad one must not cost the frame its prices.
 */
const SendingTs = Type.Optional(Type.Unknown());

/** Every field but market_ticker is optional in practice (real frames lack dollar_volume, time, …). */
export const TickerMessageSchema = Type.Object({
  type: Type.Literal('ticker'),
  sid: Type.Integer(),
  sending_ts_ms: SendingTs,
  msg: Type.Object({
    market_ticker: Ticker,
    market_id: Type.Optional(Type.String()),
    yes_bid_dollars: Type.Optional(Type.String()),
    yes_ask_dollars: Type.Optional(Type.String()),
    price_dollars: Type.Optional(Type.String()),
    volume_fp: Type.Optional(Type.String()),
    open_interest_fp: Type.Optional(Type.String()),
    yes_bid_size_fp: Type.Optional(Type.String()),
    yes_ask_size_fp: Type.Optional(Type.String()),
    last_trade_size_fp: Type.Optional(Type.String()),
    dollar_volume: Type.Optional(Type.Number()),
    dollar_open_interest: Type.Optional(Type.Number()),
    /** The seed's integer-cent fields, removed on 2026-03-12: a fallback only. */
    yes_bid: Type.Optional(Type.Number()),
    yes_ask: Type.Optional(Type.Number()),
    ts: Type.Optional(Type.Number()),
    ts_ms: Type.Optional(Type.Number()),
    /** RFC 3339, deprecated; not read (ts_ms is). */
    time: Type.Optional(Type.String()),
  }),
});

export const SubscribedMessageSchema = Type.Object({
  id: Id,
  type: Type.Literal('subscribed'),
  sending_ts_ms: SendingTs,
  msg: Type.Object({ channel: Type.String(), sid: Type.Integer() }),
});

export const OkMessageSchema = Type.Object({
  id: Id,
  type: Type.Literal('ok'),
  sending_ts_ms: SendingTs,
  sid: Type.Optional(Type.Integer()),
  seq: Type.Optional(Type.Integer()),
  msg: Type.Optional(Type.Unknown()),
});

export const UnsubscribedMessageSchema = Type.Object({
  id: Id,
  type: Type.Literal('unsubscribed'),
  sending_ts_ms: SendingTs,
  sid: Type.Integer(),
  seq: Type.Optional(Type.Integer()),
});

/** `id` is left out (or 0) on an error tied to a subscription, which carries `sid` and `seq` instead. */
export const ErrorMessageSchema = Type.Object({
  id: Type.Optional(Id),
  sid: Type.Optional(Type.Integer()),
  seq: Type.Optional(Type.Integer()),
  type: Type.Literal('error'),
  sending_ts_ms: SendingTs,
  msg: Type.Object({
    code: Type.Integer(),
    msg: Type.Optional(Type.String()),
    market_ticker: Type.Optional(Ticker),
    market_tickers: Type.Optional(Type.Array(Ticker, { maxItems: MAX_OK_TICKERS })),
  }),
});

export type TickerMessage = Static<typeof TickerMessageSchema>;
export type SubscribedMessage = Static<typeof SubscribedMessageSchema>;
export type OkMessage = Static<typeof OkMessageSchema>;
export type UnsubscribedMessage = Static<typeof UnsubscribedMessageSchema>;
export type ErrorMessage = Static<typeof ErrorMessageSchema>;
/** Data frames of a subscription that are not ticks: the lifecycle channel's (read only by the full parser). */
export type ChannelMessage = LifecycleMessage | ChannelNotice;
export type ServerMessage = TickerMessage | SubscribedMessage | OkMessage | UnsubscribedMessage | ErrorMessage | ChannelMessage;

export type InvalidReason = 'invalid_json' | 'unknown_type' | 'invalid_schema';
export type ParsedFrame = ServerMessage | { invalid: InvalidReason; type?: string };

const checkers: Record<ServerMessage['type'], TypeCheck<TSchema>> = {
  ticker: TypeCompiler.Compile(TickerMessageSchema),
  subscribed: TypeCompiler.Compile(SubscribedMessageSchema),
  ok: TypeCompiler.Compile(OkMessageSchema),
  unsubscribed: TypeCompiler.Compile(UnsubscribedMessageSchema),
  error: TypeCompiler.Compile(ErrorMessageSchema),
  market_lifecycle_v2: TypeCompiler.Compile(LifecycleMessageSchema),
  event_lifecycle: TypeCompiler.Compile(ChannelNoticeSchema),
  event_fee_update: TypeCompiler.Compile(ChannelNoticeSchema),
};

/** A data frame of a subscription other than `ticker` (no command reply: these never carry an `id`). */
export function isChannelMessage(message: ServerMessage): message is ChannelMessage {
  return message.type === 'market_lifecycle_v2' || message.type === 'event_lifecycle' || message.type === 'event_fee_update';
}

/** Parses and validates one text frame. Never throws. */
export function parseServerFrame(text: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { invalid: 'invalid_json' };
  }
  if (typeof value !== 'object' || value === null) return { invalid: 'invalid_schema' };
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(checkers, type)) {
    return { invalid: 'unknown_type', type: typeof type === 'string' ? type : undefined };
  }
  const checker = checkers[type as ServerMessage['type']];
  return checker.Check(value) ? (value as ServerMessage) : { invalid: 'invalid_schema', type };
}

export function isInvalid(frame: ParsedFrame): frame is { invalid: InvalidReason; type?: string } {
  return (frame as { invalid?: unknown }).invalid !== undefined;
}

const OkTickersSchema = Type.Object({ market_tickers: Type.Array(Ticker, { maxItems: MAX_OK_TICKERS }) });
const okTickersCheck = TypeCompiler.Compile(OkTickersSchema);

/**
 * The subscription's whole ticker list carried by an `ok` reply (after update_subscription, or a subscribe merged
 * into the connection's subscription); undefined when the reply has none (list_subscriptions) or it is malformed.
 */
export function okMarketTickers(reply: OkMessage): string[] | undefined {
  return okTickersCheck.Check(reply.msg) ? (reply.msg).market_tickers : undefined;
}

/** The command id an error answers: none when left out or 0 (docs/KALSHI.md: `id` 0 means none). */
export function errorCommandId(message: ErrorMessage): number | undefined {
  return message.id === undefined || message.id === 0 ? undefined : message.id;
}

/** Exchange time of a ticker: ts_ms, else ts×1000, else the receive time. */
export function exchangeTimeOf(msg: TickerMessage['msg'], receivedAtMs: number): number {
  if (msg.ts_ms !== undefined && Number.isFinite(msg.ts_ms) && msg.ts_ms > 0) return msg.ts_ms;
  if (msg.ts !== undefined && Number.isFinite(msg.ts) && msg.ts > 0) return msg.ts * 1000;
  return receivedAtMs;
}

/**
 * A ticker message as the quote it carries: YES bid and ask from the `_dollars` strings (the removed integer-cent
 * fields only as a fallback), at its exchange time. Nothing else of the frame matters to a price, so a frame whose
 * only change is a size gives the same quote with a newer time.
 */
export function tickerQuote(msg: TickerMessage['msg'], receivedAtMs: number): MarketQuote | QuoteProblem {
  return makeQuote(
    msg.market_ticker,
    { dollars: msg.yes_bid_dollars, cents: msg.yes_bid },
    { dollars: msg.yes_ask_dollars, cents: msg.yes_ask },
    exchangeTimeOf(msg, receivedAtMs),
    'socket',
  );
}
