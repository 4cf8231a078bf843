import type { PriceMessage } from './contract';

interface Entry {
  message: PriceMessage;
  /** Value of the sequence when this state was accepted. */
  seq: number;
}

/**
 * The last state delivered per game, and the rule that keeps deliveries in order (pure; no I/O).
 *
 * A live message is accepted unless its `timestamp` is older than the last delivered one (equal is accepted:
 * two markets of a game can tick in the same millisecond). A state rebuilt from a hash carries the game's newest
 * exchange time, so it is accepted when newer, or when it has the same time but other prices and nothing was
 * delivered for that game since the hash was read (this repairs a live message dropped as stale because its
 * market's tick time was older than the other market's).
 *
 * Bounded: past `maxGames`, the least recently updated game is forgotten.
 */
export class LatestStates {
  private readonly entries = new Map<string, Entry>();
  private seq = 0;

  constructor(private readonly maxGames = 10_000) {}

  get(gameId: string): PriceMessage | undefined {
    return this.entries.get(gameId)?.message;
  }

  all(): PriceMessage[] {
    return [...this.entries.values()].map((entry) => entry.message);
  }

  /** A token to pass to acceptStored: take it before reading the hash. */
  version(gameId: string): number {
    return this.entries.get(gameId)?.seq ?? 0;
  }

  acceptLive(message: PriceMessage): boolean {
    const last = this.entries.get(message.gameId);
    if (last !== undefined && message.timestamp < last.message.timestamp) return false;
    this.set(message);
    return true;
  }

  acceptStored(message: PriceMessage, versionAtRead: number): boolean {
    const last = this.entries.get(message.gameId);
    const accept =
      last === undefined ||
      message.timestamp > last.message.timestamp ||
      (message.timestamp === last.message.timestamp && last.seq === versionAtRead && !samePrices(message, last.message));
    if (accept) this.set(message);
    return accept;
  }

  private set(message: PriceMessage): void {
    this.seq += 1;
    this.entries.delete(message.gameId);
    this.entries.set(message.gameId, { message, seq: this.seq });
    if (this.entries.size > this.maxGames) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }
}

/** Same prices and the same status and result: nothing a user sees differs. */
function samePrices(a: PriceMessage, b: PriceMessage): boolean {
  return (
    a.awayTeam.kalshiBuyPrice === b.awayTeam.kalshiBuyPrice &&
    a.awayTeam.kalshiSellPrice === b.awayTeam.kalshiSellPrice &&
    a.homeTeam.kalshiBuyPrice === b.homeTeam.kalshiBuyPrice &&
    a.homeTeam.kalshiSellPrice === b.homeTeam.kalshiSellPrice &&
    (a.draw?.kalshiBuyPrice ?? null) === (b.draw?.kalshiBuyPrice ?? null) &&
    (a.draw?.kalshiSellPrice ?? null) === (b.draw?.kalshiSellPrice ?? null) &&
    a.status === b.status &&
    a.result === b.result
  );
}
