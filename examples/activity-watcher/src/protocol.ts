import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { FeedStatusMessage, PriceMessage } from '@kalshi-ingestor/client';

/** What the browser receives: the seed plan's §6.1 event. */
export interface KalshiPriceUpdateEvent {
  type: 'kalshi_price_update';
  data: Pick<PriceMessage, 'gameId' | 'slug' | 'awayTeam' | 'homeTeam' | 'draw' | 'status' | 'result' | 'ticker' | 'timestamp'>;
}

export function toBrowserEvent(message: PriceMessage): KalshiPriceUpdateEvent {
  return {
    type: 'kalshi_price_update',
    data: {
      gameId: message.gameId,
      slug: message.slug,
      awayTeam: { kalshiBuyPrice: message.awayTeam.kalshiBuyPrice, kalshiSellPrice: message.awayTeam.kalshiSellPrice },
      homeTeam: { kalshiBuyPrice: message.homeTeam.kalshiBuyPrice, kalshiSellPrice: message.homeTeam.kalshiSellPrice },
      // The game's life (the service's docs/CONTRACT.md "A game's whole life"), passed on only where the message has it.
      ...(message.draw === undefined ? {} : { draw: { kalshiBuyPrice: message.draw.kalshiBuyPrice, kalshiSellPrice: message.draw.kalshiSellPrice } }),
      ...(message.status === undefined ? {} : { status: message.status }),
      ...(message.result === undefined ? {} : { result: message.result }),
      ticker: message.ticker,
      timestamp: message.timestamp,
    },
  };
}

/**
 * The feed's health, sent to every browser when it connects and at each change: the service's `kalshi:feed` as
 * the client package delivers it, or null while no replica leads. How fresh the prices are, which the page's own
 * WebSocket state cannot tell.
 */
export interface KalshiFeedStatusEvent {
  type: 'kalshi_feed_status';
  data: Pick<FeedStatusMessage, 'state' | 'since' | 'reason'> | null;
}

export function toFeedEvent(status: FeedStatusMessage | null): KalshiFeedStatusEvent {
  return { type: 'kalshi_feed_status', data: status === null ? null : { state: status.state, since: status.since, reason: status.reason } };
}

/** Most games one browser message may name. */
export const MAX_GAME_IDS = 1000;

const GameIds = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: MAX_GAME_IDS });
/** What a browser may send: `{"type":"subscribe","gameIds":[...]}` or the same with "unsubscribe". */
export const BrowserMessageSchema = Type.Union([
  Type.Object({ type: Type.Literal('subscribe'), gameIds: GameIds }),
  Type.Object({ type: Type.Literal('unsubscribe'), gameIds: GameIds }),
]);
export type BrowserMessage = Static<typeof BrowserMessageSchema>;

const compiled = TypeCompiler.Compile(BrowserMessageSchema);

/** The browser's message, or null when it is not one we understand (ignored). */
export function parseBrowserMessage(text: string): BrowserMessage | null {
  try {
    const value: unknown = JSON.parse(text);
    return compiled.Check(value) ? value : null;
  } catch {
    return null;
  }
}
