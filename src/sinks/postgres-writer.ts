import type postgres from 'postgres';
import type { GamePrices } from '../prices/types';
import { FLUSH_STATEMENT, toFlushPayload } from './flush-statement';

/**
 * Writes batches of game prices into frontend_games.frontend_data, one statement per flush
 * (semantics in {@link FLUSH_STATEMENT}). A failure rejects; the caller puts the batch back and retries.
 */
export class PostgresWriter {
  constructor(private readonly sql: postgres.Sql) {}

  /** rowsWritten = rows actually updated (unknown games, unchanged prices and stale entries are not counted). */
  async write(batch: readonly GamePrices[]): Promise<{ rowsWritten: number }> {
    if (batch.length === 0) return { rowsWritten: 0 };
    const result = await this.sql.unsafe(FLUSH_STATEMENT, [toFlushPayload(batch)]);
    return { rowsWritten: result.count };
  }
}
