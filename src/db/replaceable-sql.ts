import type postgres from 'postgres';

/**
 * A postgres.js client that can be thrown away and opened again. The flushes' connection is one: when a statement
 * on it goes unanswered past the writer's timeout (a server that died without a TCP reset, a network partition),
 * the connection is dropped at once instead of waiting minutes for TCP to notice, and the next flush opens a new
 * one (on a multi-host URL, to whichever server accepts writes then). The statement, if its server still runs it,
 * is ended there by its own statement_timeout.
 */
export class ReplaceableSql {
  private current: postgres.Sql;

  constructor(private readonly open: () => postgres.Sql) {
    this.current = open();
  }

  get sql(): postgres.Sql {
    return this.current;
  }

  /** Drops the current client (its queries fail with CONNECTION_DESTROYED) and opens the next. */
  replace(): void {
    const old = this.current;
    this.current = this.open();
    void old.end({ timeout: 0 }).catch(() => undefined);
  }

  end(options?: { timeout?: number }): Promise<void> {
    return this.current.end(options);
  }
}
