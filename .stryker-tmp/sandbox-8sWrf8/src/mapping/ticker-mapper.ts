// @ts-nocheck
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type postgres from 'postgres';
import type { MappedMarket } from '../prices/game-book';
import { buildMarketMap, diffMarketMaps, type MarketMapDiff, type MarketMapProblem, type MarketRow } from './market-map';

export const MARKETS_CHANGED_CHANNEL = 'kalshi_markets_changed';
const TICKER_MAP_TTL_MS = 120_000;
/** Several NOTIFYs in a burst (a bulk insert) cause one reload. */
const NOTIFY_DEBOUNCE_MS = 50;
/** How soon to try again while Postgres cannot be read. */
const RETRY_MS = 1000;

export interface TickerMapperOptions {
  sql: postgres.Sql;
  redis: Redis;
  tickerMapKey: string;
  refreshMs: number;
  maxMarkets: number;
  log: Logger;
  /** Counts a refused row (the mapper logs them itself, once per change). */
  onProblem(reason: string, detail: Record<string, unknown>): void;
  /** Called after every load that changed the map, in load order. */
  onChange(diff: MarketMapDiff, markets: ReadonlyMap<string, MappedMarket>): void;
}

/**
 * The ticker → game map: loaded from kalshi_markets joined to frontend_games, reloaded on a timer
 * and at once on NOTIFY, mirrored to Redis for other workers.
 */
export class TickerMapper {
  private markets: ReadonlyMap<string, MappedMarket> = new Map();
  private timer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private listener: { unlisten(): Promise<void> } | undefined;
  private loading: Promise<void> | undefined;
  private reloadAgain = false;
  private running = false;
  private lastLoadAt = 0;
  private lastLoadFailed = false;
  private lastProblems = '';

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

  /**
   * Starts listening and loads the map. If Postgres cannot be reached it keeps trying every second
   * (the previous map, if any, stays in force), then reloads every `refreshMs`.
   */
  async start(): Promise<void> {
    this.running = true;
    await this.ensureListening();
    await this.reload().catch(() => undefined);
    this.scheduleRefresh();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.debounce !== undefined) clearTimeout(this.debounce);
    this.timer = this.debounce = undefined;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.unlisten().catch(() => undefined);
    await this.loading?.catch(() => undefined);
    // The next start() maps everything anew, so its first load reaches the feed and the book.
    this.markets = new Map();
    this.lastLoadAt = 0;
    this.lastProblems = '';
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
    } while (this.reloadAgain && this.running);
  }

  private scheduleRefresh(): void {
    if (!this.running) return;
    const healthy = this.listener !== undefined && this.lastLoadAt > 0 && !this.lastLoadFailed;
    this.timer = setTimeout(async () => {
      this.timer = undefined;
      await this.ensureListening();
      await this.reload().catch(() => undefined);
      this.scheduleRefresh();
    }, healthy ? this.options.refreshMs : RETRY_MS);
  }

  private async ensureListening(): Promise<void> {
    if (this.listener !== undefined || !this.running) return;
    try {
      this.listener = await this.options.sql.listen(
        MARKETS_CHANGED_CHANNEL,
        () => this.scheduleReload(),
        // Called again after postgres.js re-establishes the LISTEN connection: NOTIFYs may have been missed.
        () => {
          if (this.lastLoadAt > 0) this.scheduleReload();
        },
      );
    } catch (error) {
      this.options.log.error({ err: (error as Error).message }, `cannot LISTEN ${MARKETS_CHANGED_CHANNEL}; retrying`);
    }
  }

  private scheduleReload(): void {
    if (!this.running || this.debounce !== undefined) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.reload().catch(() => undefined);
    }, NOTIFY_DEBOUNCE_MS);
  }

  private async loadOnce(): Promise<void> {
    const { sql, log } = this.options;
    let rows: MarketRow[];
    try {
      rows = await sql<MarketRow[]>`
        SELECT m.ticker, m.live_game_id, m.side, g.slug
        FROM kalshi_markets m
        LEFT JOIN frontend_games g ON g.live_game_id = m.live_game_id
        WHERE m.status = 'active'
        ORDER BY m.updated_at, m.ticker`;
    } catch (error) {
      this.lastLoadFailed = true;
      log.error({ err: (error as Error).message }, 'could not load kalshi_markets; keeping the previous ticker map');
      throw error;
    }
    this.lastLoadFailed = false;
    if (!this.running) return;
    const { markets, problems } = buildMarketMap(rows, this.options.maxMarkets);
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
    try {
      await this.options.redis.set(this.options.tickerMapKey, JSON.stringify(snapshot), 'PX', TICKER_MAP_TTL_MS);
    } catch (error) {
      this.options.log.warn({ err: (error as Error).message }, 'could not write the ticker map to Redis; will retry at the next load');
    }
  }
}
