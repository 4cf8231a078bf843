/**
 * A market's place in its life, and the game's, as docs/CONTRACT.md "A game's whole life" defines them.
 * Pure vocabulary shared by the lifecycle channel and REST reads (which produce MarketStatusUpdate) and the
 * game book (which derives a GameStatus and GameResult from its markets' statuses).
 */
export type MarketStatus = 'scheduled' | 'open' | 'paused' | 'closed' | 'determined';

/** A determined market's outcome: YES won or NO won. */
export type MarketResult = 'yes' | 'no';

export type GameStatus = 'scheduled' | 'open' | 'paused' | 'closed' | 'final';

/** Which side won a final game. */
export type GameResult = 'home' | 'away' | 'draw';

/** What one lifecycle event or one REST read says of one market's status. */
export interface MarketStatusUpdate {
  ticker: string;
  status: MarketStatus;
  /** Set with `determined`; null otherwise, or when the determination names no outcome (a void). */
  result: MarketResult | null;
  source: 'lifecycle' | 'rest';
}

/** Where market statuses go: the term's price pipeline implements it. */
export interface MarketStatusSink {
  applyStatus(update: MarketStatusUpdate, receivedAtMs: number): void;
}
