import type { GamePrices } from '../../src/prices/types';
import type { PriceMessage } from '@kalshi-ingestor/client';

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
    status: 'open',
    result: null,
    ticker: `KXNBAGAME-${gameId}-HOME`,
    tickTimeMs,
    updatedAtMs,
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
