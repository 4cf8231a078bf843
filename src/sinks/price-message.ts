import type { PriceHash, PriceMessage } from '@kalshi-ingestor/client';
import type { GamePrices } from '../prices/types';

/*
 * The Redis contract (docs/CONTRACT.md "Redis") is owned by the client package @kalshi-ingestor/client (packages/client):
 * one source for the schemas the service writes and the consumers validate. This file only builds the service's
 * game states into that shape.
 */
export { PriceMessageSchema, PriceHashSchema, fromPriceHash, type PriceMessage, type PriceHash } from '@kalshi-ingestor/client';

/** The message of a game state. Built as a plain object in the contract's key order (JSON.stringify-ready). */
export function toPriceMessage(state: GamePrices): PriceMessage {
  return {
    type: 'kalshi_price_update',
    gameId: state.gameId,
    slug: state.slug,
    awayTeam: { kalshiBuyPrice: state.awayTeam.kalshiBuyPrice, kalshiSellPrice: state.awayTeam.kalshiSellPrice },
    homeTeam: { kalshiBuyPrice: state.homeTeam.kalshiBuyPrice, kalshiSellPrice: state.homeTeam.kalshiSellPrice },
    ...(state.draw === undefined ? {} : { draw: { kalshiBuyPrice: state.draw.kalshiBuyPrice, kalshiSellPrice: state.draw.kalshiSellPrice } }),
    status: state.status,
    ...(state.result === null ? {} : { result: state.result }),
    ticker: state.ticker,
    timestamp: state.tickTimeMs,
  };
}

/** Cents as the hash's decimal string (45.5 → "45.5"); null → undefined (the field is left out). */
export function centsToString(cents: number | null): string | undefined {
  return cents === null ? undefined : String(cents);
}

/** The hash fields of a game state; a side's price with no quote has no field. */
export function toPriceHash(state: GamePrices): PriceHash {
  const hash: PriceHash = {
    ticker: state.ticker,
    updatedAt: String(Math.floor(state.updatedAtMs / 1000)),
    timestamp: String(state.updatedAtMs),
    slug: state.slug,
    status: state.status,
  };
  if (state.result !== null) hash.result = state.result;
  const awayBuy = centsToString(state.awayTeam.kalshiBuyPrice);
  const awaySell = centsToString(state.awayTeam.kalshiSellPrice);
  const homeBuy = centsToString(state.homeTeam.kalshiBuyPrice);
  const homeSell = centsToString(state.homeTeam.kalshiSellPrice);
  if (awayBuy !== undefined) hash.awayBuyPrice = awayBuy;
  if (awaySell !== undefined) hash.awaySellPrice = awaySell;
  if (homeBuy !== undefined) hash.homeBuyPrice = homeBuy;
  if (homeSell !== undefined) hash.homeSellPrice = homeSell;
  const drawBuy = centsToString(state.draw?.kalshiBuyPrice ?? null);
  const drawSell = centsToString(state.draw?.kalshiSellPrice ?? null);
  if (drawBuy !== undefined) hash.drawBuyPrice = drawBuy;
  if (drawSell !== undefined) hash.drawSellPrice = drawSell;
  return hash;
}
