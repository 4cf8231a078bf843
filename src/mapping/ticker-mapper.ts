import type { Logger } from 'pino';
import type postgres from 'postgres';
import type { DropReason } from '../observability/drop-reasons';
import type { MappedMarket } from '../prices/game-book';
import type { RedisClient } from '../redis/connect';
import { every, pause } from '../timing/every';
import { buildMarketMap, diffMarketMaps, type MarketMapDiff, type MarketMapProblem, type MarketRow } from './market-map';

export const MARKETS_CHANGED_CHANNEL = 'kalshi_markets_changed';
const TICKER_MAP_TTL_MS = 120_000;
/** Several NOTIFYs in a burst (a bulk insert) cause one reload. */
const NOTIFY_DEBOUNCE_MS = 50;
/** How soon to try again while Postgres cannot be read. */
const RETRY_MS = 1000;

export interface TickerMapperOptions {
  sql: postgres.Sql;
  redis: RedisClient;
  tickerMapKey: string;
  refreshMs: number;
  maxMarkets: number;
  log: Logger;
  /** The term's signal: once aborted, nothing the mapper reads reaches anyone, and its LISTEN goes. */
  signal: AbortSignal;
  /** Counts a refused row (the mapper logs them itself, once per change). */
  onProblem(reason: DropReason, detail: Record<string, unknown>): void;
  /** Called after every load that changed the map, in load order, never after the signal aborted. */
  onChange(diff: MarketMapDiff, markets: ReadonlyMap<string, MappedMarket>): void;
}

/**
 * The ticker → game map of one leader term: loaded from kalshi_markets joined to frontend_games, reloaded on a
 * timer and at once on NOTIFY, mirrored to Redis for other workers. One refresh chain per mapper, one mapper
 * per term; a result (rows, a LISTEN) that arrives after the term ended changes nothing.
 */
export class TickerMapper {
  private markets: ReadonlyMap<string, MappedMarket> = new Map();
  private listener: { unlisten(): Promise<void> } | undefined;
  private loading: Promise<void> | undefined;
  private reloadAgain = false;
  private debouncing = false;
  private lastLoadAt = 0;
  private lastLoadFailed = false;
  private lastProblems = '';
  private loadsValue = 0;
  private runValue: Promise<void> | undefined;

  constructor(private readonly options: TickerMapperOptions) {}

  get size(): number {
    return this.markets.size;
  }

  get current(): ReadonlyMap<string, MappedMarket> {
    return this.markets;
  }

  get lastLoadAtMs(): number {
    return this.lastLoadAt;
  }

  /** Loads that reached Postgres and came back (tests: a dead term's mapper loads no more). */
  get loads(): number {
    return this.loadsValue;
  }

  /**
   * Listens and loads, then reloads every `refreshMs` (every second while Postgres cannot be read or the LISTEN
   * is missing; the previous map stays in force meanwhile). Resolves when the signal aborted and the LISTEN is
   * released. Calling it again returns the same chain.
   */
  run(): Promise<void> {
    this.runValue ??= this.loop();
    return this.runValue;
  }

  private async loop(): Promise<void> {
    const { signal } = this.options;
    await every(
      () => (this.listener !== undefined && this.lastLoadAt > 0 && !this.lastLoadFailed ? this.options.refreshMs : RETRY_MS),
      signal,
      async () => {
        await this.ensureListening();
        await this.reload().catch(() => undefined);
      },
    );
    const listener = this.listener;
    this.listener = undefined;
    await listener?.unlisten().catch(() => undefined);
  }

  /** Reloads now; concurrent calls coalesce into one more load after the running one. */
  async reload(): Promise<void> {
    if (this.loading !== undefined) {
      this.reloadAgain = true;
      return this.loading;
    }
    this.loading = this.loadLoop().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async loadLoop(): Promise<void> {
    do {
      this.reloadAgain = false;
      await this.loadOnce();
    } while (this.reloadAgain && !this.options.signal.aborted);
  }

  private async ensureListening(): Promise<void> {
    const { sql, signal, log } = this.options;
    if (this.listener !== undefined || signal.aborted) return;
    try {
      const listener = await sql.listen(
        MARKETS_CHANGED_CHANNEL,
        () => this.scheduleReload(),
        // Called again after postgres.js re-establishes the LISTEN connection: NOTIFYs may have been missed.
        () => {
          if (this.lastLoadAt > 0) this.scheduleReload();
        },
      );
      if (signal.aborted) {
        // The term ended while Postgres was slow to answer: this LISTEN belongs to nobody.
        await listener.unlisten().catch(() => undefined);
        return;
      }
      this.listener = listener;
    } catch (err) {
      if (!signal.aborted) log.error({ err }, `cannot LISTEN ${MARKETS_CHANGED_CHANNEL}; retrying`);
    }
  }

  private scheduleReload(): void {
    const { signal } = this.options;
    if (signal.aborted || this.debouncing) return;
    this.debouncing = true;
    void pause(NOTIFY_DEBOUNCE_MS, signal).then((elapsed) => {
      this.debouncing = false;
      if (elapsed) void this.reload().catch(() => undefined);
    });
  }

  private async loadOnce(): Promise<void> {
    const { sql, log, signal } = this.options;
    if (signal.aborted) return;
    let rows: MarketRow[];
    const query = sql<MarketRow[]>`
        SELECT m.ticker, m.live_game_id, m.side, g.slug
        FROM kalshi_markets m
        LEFT JOIN frontend_games g ON g.live_game_id = m.live_game_id
        WHERE m.status = 'active'
        ORDER BY m.ticker`;
    const cancel = () => {
      query.cancel();
    };
    signal.addEventListener('abort', cancel, { once: true });
    try {
      rows = await query;
    } catch (err) {
      if (signal.aborted) return;
      this.lastLoadFailed = true;
      log.error({ err }, 'could not load kalshi_markets; keeping the previous ticker map');
      throw err;
    } finally {
      signal.removeEventListener('abort', cancel);
    }
    if (signal.aborted) return;
    this.loadsValue += 1;
    this.lastLoadFailed = false;
    // Beyond MAX_MARKETS the markets tracked now keep their place (buildMarketMap).
    const { markets, problems } = buildMarketMap(rows, this.options.maxMarkets, this.markets);
    for (const problem of problems) this.options.onProblem(problem.reason, { ticker: problem.ticker, gameId: problem.gameId });
    this.reportProblems(problems);
    const diff = diffMarketMaps(this.markets, markets);
    this.markets = markets;
    this.lastLoadAt = Date.now();
    if (diff.added.length > 0 || diff.removed.length > 0) {
      log.info({ markets: markets.size, added: diff.added.length, removed: diff.removed.length }, 'ticker map changed');
      this.options.onChange(diff, markets);
    }
    await this.writeSnapshot(markets);
  }
  /** One error line when the set of refused rows changes, not one per row per load. */
  private reportProblems(problems: readonly MarketMapProblem[]): void {
    const summary = problems.map((p) => `${p.reason}:${p.ticker}`).sort().join(',');
    if (summary === this.lastProblems) return;
    this.lastProblems = summary;
    if (problems.length === 0) {
      this.options.log.info('every active kalshi_markets row is mapped again');
      return;
    }
    const byReason: Record<string, number> = {};
    for (const p of problems) byReason[p.reason] = (byReason[p.reason] ?? 0) + 1;
    this.options.log.error(
      { refused: problems.length, byReason, maxMarkets: this.options.maxMarkets, examples: problems.slice(0, 5) },
      'kalshi_markets rows refused (not subscribed): fix the rows, or raise MAX_MARKETS for max_markets_exceeded',
    );
  }

  private async writeSnapshot(markets: ReadonlyMap<string, MappedMarket>): Promise<void> {
    const snapshot: Record<string, string> = {};
    for (const [ticker, market] of markets) snapshot[ticker] = market.gameId;
    // Only a leader writes kalshi:ticker_map: not once its term has ended.
    if (this.options.signal.aborted) return;
    try {
      await this.options.redis.set(this.options.tickerMapKey, JSON.stringify(snapshot), 'PX', TICKER_MAP_TTL_MS);
    } catch (err) {
      this.options.log.warn({ err }, 'could not write the ticker map to Redis; will retry at the next load');
    }
  }
}
