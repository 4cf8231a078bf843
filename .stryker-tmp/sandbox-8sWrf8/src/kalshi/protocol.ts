// @ts-nocheck
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';

/** Server → client messages of Kalshi's WebSocket API v2 (KALSHI.md). Extra fields are allowed. */
const Id = Type.Integer({ minimum: 0 });

export const TickerMessageSchema = Type.Object({
  type: Type.Literal('ticker'),
  sid: Type.Integer(),
  msg: Type.Object({
    market_ticker: Type.String({ minLength: 1, maxLength: 200 }),
    yes_bid_dollars: Type.Optional(Type.String()),
    yes_ask_dollars: Type.Optional(Type.String()),
    price_dollars: Type.Optional(Type.String()),
    yes_bid: Type.Optional(Type.Number()),
    yes_ask: Type.Optional(Type.Number()),
    ts: Type.Optional(Type.Number()),
    ts_ms: Type.Optional(Type.Number()),
  }),
});

export const SubscribedMessageSchema = Type.Object({
  id: Id,
  type: Type.Literal('subscribed'),
  msg: Type.Object({ channel: Type.String(), sid: Type.Integer() }),
});

export const OkMessageSchema = Type.Object({
  id: Id,
  type: Type.Literal('ok'),
  sid: Type.Optional(Type.Integer()),
  seq: Type.Optional(Type.Integer()),
  msg: Type.Optional(Type.Unknown()),
});

export const UnsubscribedMessageSchema = Type.Object({
  id: Id,
  type: Type.Literal('unsubscribed'),
  sid: Type.Integer(),
  seq: Type.Optional(Type.Integer()),
});

export const ErrorMessageSchema = Type.Object({
  id: Type.Optional(Id),
  sid: Type.Optional(Type.Integer()),
  type: Type.Literal('error'),
  msg: Type.Object({ code: Type.Integer(), msg: Type.Optional(Type.String()) }),
});

export type TickerMessage = Static<typeof TickerMessageSchema>;
export type SubscribedMessage = Static<typeof SubscribedMessageSchema>;
export type OkMessage = Static<typeof OkMessageSchema>;
export type UnsubscribedMessage = Static<typeof UnsubscribedMessageSchema>;
export type ErrorMessage = Static<typeof ErrorMessageSchema>;
export type ServerMessage = TickerMessage | SubscribedMessage | OkMessage | UnsubscribedMessage | ErrorMessage;

export type InvalidReason = 'invalid_json' | 'unknown_type' | 'invalid_schema';
export type ParsedFrame = ServerMessage | { invalid: InvalidReason; type?: string };

const checkers: Record<ServerMessage['type'], TypeCheck<TSchema>> = {
  ticker: TypeCompiler.Compile(TickerMessageSchema),
  subscribed: TypeCompiler.Compile(SubscribedMessageSchema),
  ok: TypeCompiler.Compile(OkMessageSchema),
  unsubscribed: TypeCompiler.Compile(UnsubscribedMessageSchema),
  error: TypeCompiler.Compile(ErrorMessageSchema),
};

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

/** Exchange time of a ticker: ts_ms, else ts×1000, else the receive time. */
export function exchangeTimeOf(msg: TickerMessage['msg'], receivedAtMs: number): number {
  if (msg.ts_ms !== undefined && Number.isFinite(msg.ts_ms) && msg.ts_ms > 0) return msg.ts_ms;
  if (msg.ts !== undefined && Number.isFinite(msg.ts) && msg.ts > 0) return msg.ts * 1000;
  return receivedAtMs;
}
