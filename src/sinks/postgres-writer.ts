import type postgres from 'postgres';
import { ReplaceableSql } from '../db/replaceable-sql';
import type { GamePrices } from '../prices/types';
import { FLUSH_STATEMENT, toFlushPayload } from './flush-statement';

export interface PostgresWriterOptions {
  /**
   * A write not answered within this rejects (typed, code `timeout`), so the flush loop requeues and retries it.
   * It bounds the wait for a connection (Postgres refusing or not answering); the statement itself is bounded on
   * the server by the writer connection's statement_timeout ({@link WRITER_CONNECTION}), which is shorter.
   */
  timeoutMs?: number;
}

/** Default of {@link PostgresWriterOptions.timeoutMs}: far above a 5,000-game flush (tens of ms), short of an outage. */
export const FLUSH_WRITE_TIMEOUT_MS = 2000;

/**
 * Server-side settings of the writer's own connection (sent at connection start-up). The server cancels a flush
 * past statement_timeout itself: no cancel request has to reach it from a client that may have lost its network,
 * and a timed-out flush is never left running behind the next one. lock_timeout bounds the waits SKIP LOCKED does
 * not avoid (the fence row behind another leader's flush, a table lock taken by a migration of the API).
 */
export const WRITER_CONNECTION = { statement_timeout: 1500, lock_timeout: 500 } as const;

/**
 * postgres.js's reconnect backoff grows to 20 s; a flush retried every second must find Postgres within a second of
 * it answering again (docs/ARCHITECTURE.md "Nothing lost"). Seconds, as the driver takes them.
 */
export function reconnectBackoffSeconds(attempt: number): number {
  return Math.min(0.05 * 2 ** attempt, 0.5);
}

/** Why a write failed: the flush loop retries every one of them; the code says what an operator should look at. */
export type PostgresWriteErrorCode =
  /** no answer within the writer's timeout, or the statement cancelled by its statement_timeout / lock_timeout */
  | 'timeout'
  /** Postgres refused or dropped the connection (down, failing over, not reachable) */
  | 'unreachable'
  /** the server accepting the connection is read-only (a standby): the next connection looks for the primary */
  | 'read_only'
  /** kalshi_fence has no row (migrations not applied): nothing can be fenced, so nothing is written */
  | 'fence_missing'
  /** anything else Postgres answered */
  | 'failed';

export class PostgresWriteError extends Error {
  override readonly name = 'PostgresWriteError';
  constructor(
    readonly code: PostgresWriteErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface WriteResult {
  /** Rows actually updated (unknown games, unchanged prices and stale entries are not counted). */
  rowsWritten: number;
  /** Games whose row another transaction held locked: not written; the caller queues them again (under newer entries). */
  skipped: GamePrices[];
  /** kalshi_fence holds a higher term than the writer's: a newer leader writes now, and nothing was written. */
  fenced: boolean;
  /** Games whose frontend_data is not a JSON object: left alone (the API owns the row); the caller counts them. */
  notObject: string[];
}

interface FlushOutcomeRow {
  written: number;
  fenced: boolean;
  fence_missing: boolean;
  skipped: string[];
  not_object: string[];
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  '57P01', // admin_shutdown: the server is stopping (a failover's first step)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up, or a standby not yet accepting
]);
const TIMEOUT = new Set(['57014', '55P03']); // query_canceled (statement_timeout), lock_not_available (lock_timeout)
const READ_ONLY = new Set(['25006']); // read_only_sql_transaction

function classify(error: unknown): PostgresWriteErrorCode {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return 'failed';
  if (UNREACHABLE.has(code)) return 'unreachable';
  if (TIMEOUT.has(code)) return 'timeout';
  if (READ_ONLY.has(code)) return 'read_only';
  return 'failed';
}

/**
 * Writes batches of game prices into frontend_games.frontend_data, one statement per flush
 * (semantics in {@link FLUSH_STATEMENT}), fenced by the writer's term. A failure rejects with a
 * {@link PostgresWriteError}; the caller puts the batch back and retries.
 *
 * Give it its own connection (openPostgresWriter in src/app/connections.ts: one connection, {@link WRITER_CONNECTION}):
 * flushes then never take a connection the readiness probe or the mapper needs, and at most one connection of the
 * service can ever wait on a lock.
 */
export class PostgresWriter {
  private readonly timeoutMs: number;

  constructor(
    /** A ReplaceableSql is dropped and reopened when a statement on it goes unanswered past the timeout. */
    private readonly target: postgres.Sql | ReplaceableSql,
    options: PostgresWriterOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? FLUSH_WRITE_TIMEOUT_MS;
  }

  /**
   * Writes the batch as term `term` (the leader term's fencing token, Lease.term). `deadline` (wall-clock ms), when
   * given, shortens this try's timeout to it: the last flush at shutdown retries until its deadline and no try of
   * it may outlive it.
   */
  async write(batch: readonly GamePrices[], term: number, deadline?: number): Promise<WriteResult> {
    if (batch.length === 0) return { rowsWritten: 0, skipped: [], fenced: false, notObject: [] };
    const timeoutMs = deadline === undefined ? this.timeoutMs : Math.max(0, Math.min(this.timeoutMs, deadline - Date.now()));
    const sql = this.target instanceof ReplaceableSql ? this.target.sql : this.target;
    const query = sql.unsafe<FlushOutcomeRow[]>(FLUSH_STATEMENT, [toFlushPayload(batch), term]);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // The statement, if a server runs it, is ended there by its statement_timeout (WRITER_CONNECTION), not by
        // the driver's cancel, which opens a new connection (to the first host of a multi-host URL) and leaves its
        // failure unhandled. The connection itself is dropped and the next flush opens a new one: one silent past
        // the timeout would hold every later flush behind it, and one whose server accepts and closes connections
        // (a proxy in front of a stopped Postgres) retries its first query forever, even once it is cancelled.
        if (this.target instanceof ReplaceableSql) this.target.replace();
        // On a shared pool: a query still waiting for a connection is taken out of the queue, so it cannot land later.
        else if ((query as unknown as { active?: boolean }).active !== true) query.cancel();
        reject(new PostgresWriteError('timeout', `Postgres flush did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    let row: FlushOutcomeRow | undefined;
    try {
      [row] = await Promise.race([query, timeout]);
    } catch (error) {
      if (error instanceof PostgresWriteError) throw error;
      const code = classify(error);
      const message = error instanceof Error ? error.message : String(error);
      throw new PostgresWriteError(code, `Postgres flush failed (${code}): ${message}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
    if (row === undefined || row.fence_missing) {
      throw new PostgresWriteError('fence_missing', 'kalshi_fence has no row: run the migrations (npm run migrate)');
    }
    const skippedIds = new Set(row.skipped);
    return {
      rowsWritten: row.written,
      skipped: skippedIds.size === 0 ? [] : batch.filter((game) => skippedIds.has(game.gameId)),
      fenced: row.fenced,
      notObject: row.not_object,
    };
  }
}
