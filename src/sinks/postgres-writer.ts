import type postgres from 'postgres';
import type { GamePrices } from '../prices/types';
import { FLUSH_STATEMENT, toFlushPayload } from './flush-statement';

export interface PostgresWriterOptions {
  /**
   * A write not done within this is cancelled and rejects, so the flush loop requeues and retries it. Without it
   * a write issued while Postgres refuses connections waits inside the driver's reconnect loop indefinitely.
   */
  timeoutMs?: number;
}

/** Default of {@link PostgresWriterOptions.timeoutMs}: far above a 5,000-game flush (tens of ms), short of an outage. */
export const FLUSH_WRITE_TIMEOUT_MS = 2000;

/**
 * postgres.js's reconnect backoff grows to 20 s; a flush retried every second must find Postgres within a second of
 * it answering again (docs/ARCHITECTURE.md "Nothing lost"). Seconds, as the driver takes them.
 */
export function reconnectBackoffSeconds(attempt: number): number {
  return Math.min(0.05 * 2 ** attempt, 0.5);
}

/**
 * Writes batches of game prices into frontend_games.frontend_data, one statement per flush
 * (semantics in {@link FLUSH_STATEMENT}). A failure rejects; the caller puts the batch back and retries.
 */
export class PostgresWriter {
  private readonly timeoutMs: number;

  constructor(
    private readonly sql: postgres.Sql,
    options: PostgresWriterOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? FLUSH_WRITE_TIMEOUT_MS;
  }

  /** rowsWritten = rows actually updated (unknown games, unchanged prices and stale entries are not counted). */
  async write(batch: readonly GamePrices[]): Promise<{ rowsWritten: number }> {
    if (batch.length === 0) return { rowsWritten: 0 };
    const query = this.sql.unsafe(FLUSH_STATEMENT, [toFlushPayload(batch)]);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // A query still waiting for a connection is taken out of the driver's queue, so it cannot land later. One
        // already sent is left alone: cancelling it opens a new connection whose failure the driver leaves unhandled.
        if ((query as unknown as { active?: boolean }).active !== true) query.cancel();
        reject(new Error(`Postgres flush did not finish within ${this.timeoutMs} ms; cancelled`));
      }, this.timeoutMs);
    });
    try {
      const result = await Promise.race([query, timeout]);
      return { rowsWritten: result.count };
    } finally {
      clearTimeout(timer);
    }
  }
}
