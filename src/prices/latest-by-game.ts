import type { GamePrices } from './types';

/**
 * A queue that holds one entry per game: the latest state wins. Its size is bounded by the
 * number of mapped games, never by dropping data.
 */
export class LatestByGame {
  private entries = new Map<string, GamePrices>();
  /**
   * Told the game of every put that found no entry for it (not of a put that replaced one): the publish throttle's
   * leading edge needs to know which game became pending without scanning the queue. One listener.
   */
  onEntry: ((gameId: string) => void) | undefined;
  /**
   * Told the game of every {@link putUrgent} (instead of onEntry): a state that must leave at once, whatever the
   * publish throttle's window says (a status change). One listener.
   */
  onUrgent: ((gameId: string) => void) | undefined;

  get size(): number {
    return this.entries.size;
  }

  put(prices: GamePrices): void {
    const before = this.entries.size;
    this.entries.set(prices.gameId, prices);
    if (this.entries.size !== before) this.onEntry?.(prices.gameId);
  }

  /** Puts a state that must not wait for its game's window (a status change: docs/CONTRACT.md "A game's whole life"). */
  putUrgent(prices: GamePrices): void {
    if (this.onUrgent === undefined) {
      this.put(prices);
      return;
    }
    this.entries.set(prices.gameId, prices);
    this.onUrgent(prices.gameId);
  }

  /** Takes one game's entry out, if it has one. */
  take(gameId: string): GamePrices | undefined {
    const prices = this.entries.get(gameId);
    if (prices !== undefined) this.entries.delete(gameId);
    return prices;
  }

  has(gameId: string): boolean {
    return this.entries.has(gameId);
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
