// @ts-nocheck
import type { GamePrices } from '../../src/prices/types';
import type { PriceMessage } from '../../src/sinks/price-message';

/** A game state as the service publishes it (RedisPublisher input). */
export function gameState(
  gameId: string,
  prices: [awayBuy: number | null, awaySell: number | null, homeBuy: number | null, homeSell: number | null],
  updatedAtMs: number,
  tickTimeMs = updatedAtMs,
): GamePrices {
  const [awayBuy, awaySell, homeBuy, homeSell] = prices;
  return {
    gameId,
    slug: `nba-${gameId}`,
    awayTeam: { kalshiBuyPrice: awayBuy, kalshiSellPrice: awaySell },
    homeTeam: { kalshiBuyPrice: homeBuy, kalshiSellPrice: homeSell },
    ticker: `KXNBAGAME-${gameId}-HOME`,
    tickTimeMs,
    updatedAtMs,
  };
}

/** A valid message as published on the channel. */
export function message(gameId: string, homeBuy: number, timestamp: number): PriceMessage {
  return {
    type: 'kalshi_price_update',
    gameId,
    slug: `nba-${gameId}`,
    awayTeam: { kalshiBuyPrice: 100 - homeBuy + 1, kalshiSellPrice: 100 - homeBuy },
    homeTeam: { kalshiBuyPrice: homeBuy, kalshiSellPrice: homeBuy - 1 },
    ticker: `KXNBAGAME-${gameId}-HOME`,
    timestamp,
  };
}

/** What a subscription delivered, per game. */
export class Recorder {
  readonly updates: PriceMessage[] = [];
  readonly errors: Error[] = [];
  readonly onUpdate = (update: PriceMessage): void => {
    this.updates.push(update);
  };
  readonly onError = (error: Error): void => {
    this.errors.push(error);
  };
  of(gameId: string): PriceMessage[] {
    return this.updates.filter((u) => u.gameId === gameId);
  }
  last(gameId: string): PriceMessage | undefined {
    const list = this.of(gameId);
    return list[list.length - 1];
  }
}
