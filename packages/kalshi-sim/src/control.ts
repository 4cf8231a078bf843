import type { IncomingMessage, ServerResponse } from 'node:http';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { QuoteUpdate, SimMarket } from './exchange';
import { BodyError, readJson, sendError, sendJson } from './http-util';
import type { TerminalCode, UnlistedMode } from './protocol';
import { ExchangeStatusControlSchema, type ExchangeStatusControl } from './exchange-status';

/** What the control API drives; KalshiSimulator implements it. */
export interface SimControls {
  addMarkets(markets: SimMarket[]): void;
  removeMarket(ticker: string): void;
  setQuote(ticker: string, quote: QuoteUpdate): void;
  sendRaw(data: string | Buffer, options?: { binary?: boolean }): void;
  dropConnections(code?: number): void;
  setStalled(stalled: boolean): void;
  setRejectHandshake(status: 401 | 403 | null): void;
  failNextCommand(code: number, msg?: string): void;
  endSubscription(ticker: string, code: TerminalCode): void;
  setUnlistedMode(mode: UnlistedMode): void;
  setSubscriptionErrorsWithoutId(on: boolean): void;
  setDeleteRefusal(code: number | null): void;
  changeSizes(ticker: string, tsMs?: number): void;
  silenceMarket(ticker: string, silent: boolean): void;
  tick(count?: number): number;
  /** Kalshi's exchange status: pause or resume trading (GET /trade-api/v2/exchange/status answers it). */
  setExchangeStatus(control: ExchangeStatusControl): void;
  hasMarket(ticker: string): boolean;
  readonly stats: object;
  subscribedTickers(): Set<string>;
  connections(): { id: number; subscriptions: { sid: number; tickers: string[] }[] }[];
}

const Price = Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()]);
const Ticker = Type.String({ minLength: 1 });

export const SimMarketSchema = Type.Object({
  ticker: Ticker,
  yesBid: Price,
  yesAsk: Price,
  status: Type.Optional(Type.String()),
  eventTicker: Type.Optional(Type.String({ minLength: 1 })),
});
export const SimMarketsSchema = Type.Array(SimMarketSchema);

const QuoteBody = Type.Object({
  ticker: Ticker,
  yesBid: Type.Optional(Price),
  yesAsk: Type.Optional(Price),
  tsMs: Type.Optional(Type.Integer({ minimum: 0 })),
});
const DropBody = Type.Union([Type.Undefined(), Type.Object({ code: Type.Optional(Type.Integer({ minimum: 1000, maximum: 4999 })) })]);
const StallBody = Type.Object({ stalled: Type.Boolean() });
const RejectBody = Type.Object({ status: Type.Union([Type.Literal(401), Type.Literal(403), Type.Null()]) });
const GarbageBody = Type.Object({ data: Type.String(), binary: Type.Optional(Type.Boolean()) });
const RemoveBody = Type.Object({ ticker: Ticker });
const FailNextBody = Type.Object({ code: Type.Integer({ minimum: 1 }), msg: Type.Optional(Type.String()) });
const EndBody = Type.Object({ ticker: Ticker, code: Type.Union([Type.Literal(10), Type.Literal(25)]) });
const RefusalsBody = Type.Object({
  unlisted: Type.Optional(Type.Union([Type.Literal('accept'), Type.Literal('error11'), Type.Literal('error14')])),
  errorsWithoutId: Type.Optional(Type.Boolean()),
  deleteMarkets: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
});
const SizesBody = Type.Object({ ticker: Ticker, tsMs: Type.Optional(Type.Integer({ minimum: 0 })) });
const SilenceBody = Type.Object({ ticker: Ticker, silent: Type.Boolean() });
const TickBody = Type.Union([Type.Undefined(), Type.Object({ count: Type.Optional(Type.Integer({ minimum: 1 })) })]);

function parse<T extends TSchema>(schema: T, body: unknown): Static<T> {
  if (Value.Check(schema, body)) return body;
  const first = Value.Errors(schema, body).First();
  throw new BodyError(400, first === undefined ? 'invalid body' : `invalid body at "${first.path}": ${first.message}`);
}

/**
 * The simulator's own control API under /_sim (no Kalshi equivalent), for tests and the demo that run the
 * simulator as a separate process. `path` is relative to /_sim.
 */
export async function handleControl(sim: SimControls, req: IncomingMessage, path: string, res: ServerResponse): Promise<void> {
  const route = `${req.method ?? 'GET'} ${path}`;
  try {
    if (route === 'GET /stats') {
      sendJson(res, 200, { ...sim.stats, subscribedTickers: [...sim.subscribedTickers()], connections: sim.connections() });
      return;
    }
    if (req.method !== 'POST') {
      sendError(res, 404, 'not_found', `no control route ${route}`);
      return;
    }
    const body = await readJson(req);
    switch (path) {
      case '/quote': {
        const { ticker, ...quote } = parse(QuoteBody, body);
        if (!sim.hasMarket(ticker)) {
          sendError(res, 404, 'not_found', `unknown market ${ticker}`);
          return;
        }
        sim.setQuote(ticker, quote);
        break;
      }
      case '/markets':
        sim.addMarkets(parse(SimMarketsSchema, body));
        break;
      case '/remove':
        sim.removeMarket(parse(RemoveBody, body).ticker);
        break;
      case '/drop':
        sim.dropConnections(parse(DropBody, body)?.code);
        break;
      case '/stall':
        sim.setStalled(parse(StallBody, body).stalled);
        break;
      case '/reject':
        sim.setRejectHandshake(parse(RejectBody, body).status);
        break;
      case '/garbage': {
        const { data, binary } = parse(GarbageBody, body);
        sim.sendRaw(data, { binary: binary ?? false });
        break;
      }
      case '/fail-next': {
        const { code, msg } = parse(FailNextBody, body);
        sim.failNextCommand(code, msg);
        break;
      }
      case '/end-subscription': {
        const { ticker, code } = parse(EndBody, body);
        sim.endSubscription(ticker, code);
        break;
      }
      case '/refusals': {
        const { unlisted, errorsWithoutId, deleteMarkets } = parse(RefusalsBody, body);
        if (unlisted !== undefined) sim.setUnlistedMode(unlisted);
        if (errorsWithoutId !== undefined) sim.setSubscriptionErrorsWithoutId(errorsWithoutId);
        if (deleteMarkets !== undefined) sim.setDeleteRefusal(deleteMarkets);
        break;
      }
      case '/sizes': {
        const { ticker, tsMs } = parse(SizesBody, body);
        if (!sim.hasMarket(ticker)) {
          sendError(res, 404, 'not_found', `unknown market ${ticker}`);
          return;
        }
        sim.changeSizes(ticker, tsMs);
        break;
      }
      case '/silence': {
        const { ticker, silent } = parse(SilenceBody, body);
        sim.silenceMarket(ticker, silent);
        break;
      }
      case '/exchange-status':
        sim.setExchangeStatus(parse(ExchangeStatusControlSchema, body));
        break;
      case '/tick': {
        const moved = sim.tick(parse(TickBody, body)?.count);
        sendJson(res, 200, { ok: true, moved });
        return;
      }
      default:
        sendError(res, 404, 'not_found', `no control route ${route}`);
        return;
    }
    sendJson(res, 200, { ok: true });
  } catch (error) {
    if (error instanceof BodyError) {
      sendError(res, error.status, 'bad_request', error.message);
      return;
    }
    if (error instanceof RangeError || error instanceof TypeError) {
      sendError(res, 400, 'bad_request', error.message);
      return;
    }
    throw error;
  }
}
