import type { Logger } from 'pino';
import { every } from '../timing/every';
import { isCluster, type RedisClient } from './connect';

/** How often the primaries are identified even when no connection event said anything changed (a safety net). */
export const PRIMARY_CHECK_MS = 10_000;

/**
 * Notices when the Redis connection has come back on another primary: a Sentinel failover, a restarted node (which
 * may have come back empty), a cluster node replaced. A primary is known by its `run_id` (INFO server), which every
 * redis-server process draws at start: the same server reconnected keeps it, another server or a restart has
 * another. The primaries are identified at every (re)connection (`ready`; on a cluster also `+node`) and every
 * PRIMARY_CHECK_MS; a run_id not seen at the previous identification means writes the old primary acknowledged
 * may be gone, and `onSwitch` runs (DESIGN "Nothing lost").
 */
export class PrimaryWatch {
  private known: Set<string> | undefined;
  /** Identifications run one at a time, in order. */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: RedisClient,
    private readonly log: Logger,
    private readonly onSwitch: (detail: { before: string[]; after: string[] }) => void,
  ) {}

  /** Watches until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const look = (): void => void this.check();
    this.redis.on('ready', look);
    if (isCluster(this.redis)) this.redis.on('+node', look);
    try {
      await every(PRIMARY_CHECK_MS, signal, () => this.check());
    } finally {
      this.redis.off('ready', look);
      this.redis.off('+node', look);
    }
  }

  /** Identifies the primaries now (after any identification in flight); resolves when done. */
  check(): Promise<void> {
    this.chain = this.chain.then(() => this.identify());
    return this.chain;
  }

  private async identify(): Promise<void> {
    let ids: Set<string>;
    try {
      ids = await this.runIds();
    } catch (err) {
      // Not connected (or connected again meanwhile): the next `ready` or check looks again.
      this.log.debug({ err }, 'could not identify the Redis primary');
      return;
    }
    if (ids.size === 0) return;
    const before = this.known;
    this.known = ids;
    if (before === undefined) return;
    if (![...ids].some((id) => !before.has(id))) return;
    const detail = { before: [...before], after: [...ids] };
    this.log.warn(detail, 'Redis is served by another primary now (failover or restart): its last writes may be lost');
    this.onSwitch(detail);
  }

  private async runIds(): Promise<Set<string>> {
    const redis = this.redis;
    if (!isCluster(redis)) {
      return redis.status === 'ready' ? new Set([runIdOf(await redis.info('server'))]) : new Set();
    }
    // Every primary of the slot map or none (one that does not answer fails the whole look, tried again later): a
    // partial view would take the nodes it missed for new ones next time.
    if (redis.status !== 'ready') return new Set();
    return new Set(await Promise.all(redis.nodes('master').map(async (node) => runIdOf(await node.info('server')))));
  }
}

function runIdOf(info: string): string {
  const match = /^run_id:(\w+)/m.exec(info);
  if (match === null) throw new Error('INFO server has no run_id');
  return match[1];
}
