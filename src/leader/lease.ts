/**
 * What a leader term knows of its own leadership, handed to everything that writes: the fencing token the
 * stores check, and a monotonic check of the lock's freshness made before every write (docs/CONTRACT.md,
 * "Fencing"). A process frozen past its lock (a VM pause, SIGSTOP) finds valid() false when it wakes.
 */
export interface Lease {
  /** This term's number: the value INCR kalshi:websocket:term returned when the lock was taken. */
  readonly term: number;
  /** The value this replica holds in kalshi:websocket:leader (`<WORKER_ID>:<random>`), checked by the price scripts. */
  readonly lockValue: string;
  /** The last successful renewal (or the acquisition) is younger than 2/3 of the ttl, on a monotonic clock. */
  valid(): boolean;
}
