import type { GamePrices } from '../../src/prices/types';

/** A game's state for queue tests: away buys at `buy`, home is its complement, both at time `t`. */
export const gameState = (gameId: string, buy: number, t: number): GamePrices => ({
  gameId,
  slug: `slug-${gameId}`,
  awayTeam: { kalshiBuyPrice: buy, kalshiSellPrice: buy - 1 },
  homeTeam: { kalshiBuyPrice: 100 - buy + 1, kalshiSellPrice: 100 - buy },
  status: 'open',
  result: null,
  ticker: `T-${gameId}`,
  tickTimeMs: t,
  updatedAtMs: t,
});
