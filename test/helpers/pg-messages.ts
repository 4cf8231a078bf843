/** SSLRequest and GSSENCRequest: untyped like the startup message, but answered before it. */
const PRE_STARTUP_CODES = new Set([80877103, 80877104]);

/**
 * Counts what clients send to Postgres, by frontend message type, from the bytes a TcpProxy sees
 * (`proxy.onClientData = (chunk, id) => counter.feed(chunk, id)`). `queries` = Execute + simple Query messages:
 * one per statement run, whatever the driver.
 */
export class PgMessageCounter {
  private readonly connections = new Map<number, { started: boolean; pending: Buffer }>();
  private readonly counts = new Map<string, number>();

  feed(chunk: Buffer, connectionId: number): void {
    const state = this.connections.get(connectionId) ?? { started: false, pending: Buffer.alloc(0) };
    this.connections.set(connectionId, state);
    let buffer = Buffer.concat([state.pending, chunk]);
    for (;;) {
      if (!state.started) {
        if (buffer.length < 8) break;
        const length = buffer.readInt32BE(0);
        if (buffer.length < length) break;
        if (!PRE_STARTUP_CODES.has(buffer.readInt32BE(4))) state.started = true;
        buffer = buffer.subarray(length);
        continue;
      }
      if (buffer.length < 5) break;
      const length = buffer.readInt32BE(1);
      if (buffer.length < 1 + length) break;
      const type = String.fromCharCode(buffer[0] ?? 0);
      this.counts.set(type, (this.counts.get(type) ?? 0) + 1);
      buffer = buffer.subarray(1 + length);
    }
    state.pending = buffer;
  }

  get queries(): number {
    return (this.counts.get('E') ?? 0) + (this.counts.get('Q') ?? 0);
  }
}
