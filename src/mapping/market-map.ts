import type { MappedMarket } from '../prices/game-book';
import type { Side } from '../prices/types';

export interface MarketRow {
  ticker: string;
  live_game_id: string;
  side: string;
  /** null when the game is missing from frontend_games. */
  slug: string | null;
}

export interface MarketMapProblem {
  reason: 'unknown_side' | 'tie_market' | 'market_without_game' | 'duplicate_side' | 'bad_ticker' | 'max_markets_exceeded';
  ticker: string;
  gameId: string;
}

export interface MarketMap {
  markets: Map<string, MappedMarket>;
  problems: MarketMapProblem[];
}

const SIDES: ReadonlySet<string> = new Set<Side>(['home', 'away', 'draw']);
/** Spellings of a draw that are not the side `draw` itself ('tie', 'Draw'): refused as tie_market, not guessed. */
const DRAW_SPELLINGS: ReadonlySet<string> = new Set(['tie', 'draw']);
const TICKER = /^[A-Za-z0-9._-]{1,200}$/;
/** Kalshi's soccer game events have a third market `…-TIE` (YES = a draw): neither team's price. */
const TIE_TICKER = /-TIE$/i;

/**
 * Active rows of kalshi_markets → the markets to track. Bad rows are set aside with a reason; beyond `maxMarkets`
 * new markets are refused. Which ones are kept is stable: the markets already `tracked` first (a row's updated_at
 * touched, or a new row sorting before it, never evicts a tracked market), then the others in the rows' order (by
 * ticker: the same ones at every load and every start).
 */
export function buildMarketMap(rows: readonly MarketRow[], maxMarkets: number, tracked: { has(ticker: string): boolean } = new Set()): MarketMap {
  const markets = new Map<string, MappedMarket>();
  const problems: MarketMapProblem[] = [];
  const sidesTaken = new Set<string>();
  const ordered = [...rows.filter((row) => tracked.has(row.ticker)), ...rows.filter((row) => !tracked.has(row.ticker))];
  for (const row of ordered) {
    const base = { ticker: row.ticker, gameId: row.live_game_id };
    if (!TICKER.test(row.ticker)) {
      problems.push({ reason: 'bad_ticker', ...base });
      continue;
    }
    // A draw market is neither home nor away. Which side a market is comes from the mapping, never the ticker, but
    // a `-TIE` market mapped as a team would publish the draw's odds as that team's price: refused (docs/CONTRACT.md
    // "Three-way events"). Mapped as `draw`, it is the third market of a three-way game.
    const isDraw = row.side === 'draw';
    if ((!isDraw && DRAW_SPELLINGS.has(row.side.toLowerCase())) || (!isDraw && TIE_TICKER.test(row.ticker))) {
      problems.push({ reason: 'tie_market', ...base });
      continue;
    }
    if (!SIDES.has(row.side)) {
      problems.push({ reason: 'unknown_side', ...base });
      continue;
    }
    if (row.slug === null) {
      problems.push({ reason: 'market_without_game', ...base });
      continue;
    }
    const sideKey = `${row.live_game_id}\u0000${row.side}`;
    if (sidesTaken.has(sideKey)) {
      problems.push({ reason: 'duplicate_side', ...base });
      continue;
    }
    if (markets.size >= maxMarkets) {
      problems.push({ reason: 'max_markets_exceeded', ...base });
      continue;
    }
    sidesTaken.add(sideKey);
    markets.set(row.ticker, { ticker: row.ticker, gameId: row.live_game_id, side: row.side as Side, slug: row.slug });
  }
  return { markets, problems };
}

/** A market still mapped whose game, side or slug changed. */
export interface MarketRemap {
  before: MappedMarket;
  after: MappedMarket;
}

export interface MarketMapDiff {
  /** New markets, and re-mapped ones (also listed in `changed`). */
  added: MappedMarket[];
  /** Markets gone, and re-mapped ones as they were (also listed in `changed`). */
  removed: MappedMarket[];
  /** Re-mapped markets: the book moves them keeping their quote. Absent = none (older producers). */
  changed?: MarketRemap[];
}

/**
 * What changed between two loads. A market whose game, side or slug changed is listed in `changed`, and, for
 * consumers that only know adds and removals, also as removed (before) and added (after).
 */
export function diffMarketMaps(previous: ReadonlyMap<string, MappedMarket>, next: ReadonlyMap<string, MappedMarket>): MarketMapDiff {
  const added: MappedMarket[] = [];
  const removed: MappedMarket[] = [];
  const changed: MarketRemap[] = [];
  for (const [ticker, market] of previous) {
    const now = next.get(ticker);
    if (now === undefined) removed.push(market);
    else if (!sameMapping(now, market)) {
      removed.push(market);
      changed.push({ before: market, after: now });
    }
  }
  for (const [ticker, market] of next) {
    const before = previous.get(ticker);
    if (before === undefined || !sameMapping(before, market)) added.push(market);
  }
  return { added, removed, changed };
}

function sameMapping(a: MappedMarket, b: MappedMarket): boolean {
  return a.gameId === b.gameId && a.side === b.side && a.slug === b.slug;
}
