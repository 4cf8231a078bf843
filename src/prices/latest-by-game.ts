import type { GamePrices } from './types';

/**
 * A queue that holds one entry per game: the latest state wins. Its size is bounded by the
 * number of mapped games, never by dropping data.
 */
export class LatestByGame {
  private entries = new Map<string, GamePrices>();

  get size(): number {
    return this.entries.size;
  }

  put(prices: GamePrices): void {
    this.entries.set(prices.gameId, prices);
  }

  /** Takes every entry out, leaving the queue empty. */
  drain(): GamePrices[] {
    if (this.entries.size === 0) return [];
    const batch = [...this.entries.values()];
    this.entries = new Map();
    return batch;
  }

  /** Puts a failed batch back under whatever arrived since: a newer state of a game is kept. */
  requeue(batch: readonly GamePrices[]): void {
    for (const prices of batch) {
      if (!this.entries.has(prices.gameId)) this.entries.set(prices.gameId, prices);
    }
  }

  delete(gameId: string): void {
    this.entries.delete(gameId);
  }

  clear(): void {
    this.entries.clear();
  }
}
