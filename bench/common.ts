/**
 * What the bench orchestrator, the simulator process and the bare client agree on: market and game names,
 * the ticker frames of a blast, and the final price each game must end with.
 */
import type { TickerPayload } from '@kalshi-ingestor/kalshi-sim';

export const KEY_ID = 'bench-key-id';

export interface BenchGame {
  gameId: string;
  slug: string;
  home: string;
  away: string;
}

/** `games` games, each with a home and an away market (2 × games markets). */
export function benchGames(games: number, tag = 'B'): BenchGame[] {
  const list: BenchGame[] = [];
  for (let g = 0; g < games; g++) {
    const id = String(g).padStart(5, '0');
    list.push({
      gameId: `bench-${tag}-${id}`,
      slug: `nba-bench-${tag.toLowerCase()}-${id}`,
      home: `KXBENCH${tag}-G${id}-HOME`,
      away: `KXBENCH${tag}-G${id}-AWAY`,
    });
  }
  return list;
}

/** Market order of a blast: home and away of game 0, then of game 1, … */
export function tickersOf(games: readonly BenchGame[]): string[] {
  return games.flatMap((g) => [g.home, g.away]);
}

/** Units: ten-thousandths of a dollar, as in Kalshi's `_dollars` strings. */
export interface UnitQuote {
  bid: number;
  ask: number;
}

/**
 * The quote of market `m` in round `r` of a blast. Ordinary rounds use whole cents (bid 10–79¢, ask 1–3¢ above).
 * The final round uses prices with a sub-cent part (…25 units) that no ordinary round produces, so a final price
 * seen on Redis or in Postgres cannot be an earlier tick's.
 */
export function blastQuote(m: number, r: number, final: boolean, variant = 0): UnitQuote {
  if (final) {
    // 20.25¢ … 68.25¢ (never a whole cent); each variant (blast number) moves every market's final price.
    const bid = 2000 + ((m + 31 * variant) % 97) * 50 + 25;
    return { bid, ask: bid + 150 };
  }
  const bidCents = 10 + ((r * 7 + m * 3) % 70);
  return { bid: bidCents * 100, ask: (bidCents + 1 + ((r + m) % 3)) * 100 };
}

/** The quote of a steady-rate tick number `n` on market `m` (whole cents, moving every tick). */
export function steadyQuote(m: number, n: number): UnitQuote {
  const bidCents = 15 + ((n * 11 + m * 5) % 65);
  return { bid: bidCents * 100, ask: (bidCents + 1 + (n % 4)) * 100 };
}

export function formatDollars(units: number): string {
  const whole = Math.floor(units / 10_000);
  return `${whole}.${String(units % 10_000).padStart(4, '0')}`;
}

/**
 * Where a frame carries `sending_ts_ms` (docs/KALSHI.md, since 2026-10-01): 'second' in the envelope as in Kalshi's
 * docs (today's frames, the default), 'after' msg as in a live frame, or 'none' (the frames before October 2026).
 */
export type SendingTsAt = 'second' | 'after' | 'none';

/**
 * A ticker frame as the simulator (and Kalshi) sends it: every field of the real payload, in Kalshi's order, and
 * the envelope's sending_ts_ms (= ts_ms: the bench's frames leave at their exchange time) where `sendingTs` puts it.
 */
export function tickerFrame(sid: number, ticker: string, marketId: string, quote: UnitQuote, tsMs: number, n: number, sendingTs: SendingTsAt = 'second'): string {
  const volume = 1000 + (n % 50_000);
  const openInterest = 500 + (n % 25_000);
  const last = quote.bid;
  const msg: TickerPayload = {
    market_ticker: ticker,
    market_id: marketId,
    price_dollars: formatDollars(last),
    yes_bid_dollars: formatDollars(quote.bid),
    yes_ask_dollars: formatDollars(quote.ask),
    volume_fp: `${volume}.00`,
    open_interest_fp: `${openInterest}.00`,
    dollar_volume: Math.round((volume * last) / 10_000),
    dollar_open_interest: Math.round((openInterest * last) / 10_000),
    yes_bid_size_fp: `${1 + (n % 997)}.00`,
    yes_ask_size_fp: `${1 + ((n * 7) % 991)}.00`,
    ts: Math.floor(tsMs / 1000),
    ts_ms: tsMs,
  };
  switch (sendingTs) {
    case 'second':
      return JSON.stringify({ type: 'ticker', sending_ts_ms: tsMs, sid, msg });
    case 'after':
      return JSON.stringify({ type: 'ticker', sid, msg, sending_ts_ms: tsMs });
    case 'none':
      return JSON.stringify({ type: 'ticker', sid, msg });
  }
}

/** Cents as the service computes them from units (units / 100: 2025 → 20.25). */
export const centsOf = (units: number): number => units / 100;

export interface ExpectedGame {
  gameId: string;
  awayBuy: number;
  awaySell: number;
  homeBuy: number;
  homeSell: number;
}

/** Each game's prices after the final round of a blast: a side's buy = its market's YES ask, sell = YES bid. */
export function expectedFinals(games: readonly BenchGame[], variant = 0): Map<string, ExpectedGame> {
  const tickers = tickersOf(games);
  const index = new Map(tickers.map((t, i) => [t, i]));
  const out = new Map<string, ExpectedGame>();
  for (const game of games) {
    const home = blastQuote(index.get(game.home) as number, 0, true, variant);
    const away = blastQuote(index.get(game.away) as number, 0, true, variant);
    out.set(game.gameId, {
      gameId: game.gameId,
      awayBuy: centsOf(away.ask),
      awaySell: centsOf(away.bid),
      homeBuy: centsOf(home.ask),
      homeSell: centsOf(home.bid),
    });
  }
  return out;
}

// ---- IPC between the orchestrator and its helper processes ----

export interface BlastSpec {
  tickers: string[];
  /** Messages in all; a multiple of tickers.length (rounds = total / tickers.length, the last one final). */
  total: number;
  /** Exchange time of round r is tsBase + r (monotonic per market). */
  tsBase: number;
  /** Selects the final round's prices (see blastQuote), so that consecutive blasts end on different prices. */
  variant?: number;
  /** Only these simulator connections receive frames (default: every connection holding the ticker). */
  connectionIds?: number[];
  /** Where the frames carry sending_ts_ms (default 'second': as Kalshi sends them today). */
  sendingTs?: SendingTsAt;
}

export interface BlastResult {
  /**
   * 'wire': pre-encoded WebSocket frames written to each client's TCP socket in 64 KiB chunks (fastest);
   * 'direct': pre-serialized frames sent one by one through each session (sendRaw);
   * 'setQuote': the simulator's public path (exchange + JSON per message).
   */
  mode: 'wire' | 'direct' | 'setQuote';
  sent: number;
  buildMs: number;
  firstSendAt: number;
  lastSendAt: number;
}

export interface SteadySpec {
  tickers: string[];
  ratePerSec: number;
  durationMs: number;
  connectionIds?: number[];
}

export interface SteadyResult {
  sent: number;
  startAt: number;
  endAt: number;
  /** Largest delay of a send turn behind its schedule (ms). */
  maxBehindMs: number;
}

/** One stream of a mixed steady load: round-robin over its tickers at its rate. */
export interface StreamSpec {
  name: string;
  tickers: string[];
  ratePerSec: number;
  /** Return every send's ticker index and ts_ms (for per-tick delays); otherwise only counts. */
  record?: boolean;
}

export interface MixSpec {
  streams: StreamSpec[];
  durationMs: number;
}

export interface StreamResult {
  name: string;
  sent: number;
  /** With record: the ticker index of each send and its ts_ms, in send order. */
  tickerIndex?: number[];
  tsMs?: number[];
  lastTsMs: number | null;
}

export interface MixResult {
  startAt: number;
  endAt: number;
  maxBehindMs: number;
  streams: StreamResult[];
}

export interface ConnectionSummary {
  id: number;
  tickers: number;
  sids: number[];
}

export interface CommandSeen {
  connectionId: number;
  cmd: string;
  at: number;
}

export interface SimApi {
  start(p: { publicKeyPem: string; keyId: string }): { wsUrl: string; restUrl: string };
  addMarkets(p: { tickers: string[] }): { markets: number };
  connections(p: Record<string, never>): ConnectionSummary[];
  /** Resolves when the connections (not in excludeIds) hold `count` distinct tickers. */
  waitSubscribed(p: { count: number; excludeIds?: number[]; timeoutMs: number }): { atMs: number; connections: ConnectionSummary[] };
  commands(p: { sinceMs: number }): CommandSeen[];
  blast(p: BlastSpec): BlastResult;
  steady(p: SteadySpec): SteadyResult;
  /** Several steady streams at once (background load, isolated probes, a busy game), each tick stamped ts_ms = now. */
  mix(p: MixSpec): MixResult;
  stats(p: Record<string, never>): Record<string, number>;
  close(p: Record<string, never>): { closed: true };
}

export interface BareApi {
  connect(p: { wsUrl: string; keyId: string; privateKeyPem: string; tickers: string[] }): { sid: number };
  /** Starts counting ticker frames afresh (call before the blast starts). */
  arm(p: { count: number }): { armed: true };
  /** Resolves when `count` ticker frames have been received and parsed since arm(). */
  wait(p: { timeoutMs: number }): { count: number; firstAt: number; lastAt: number };
  close(p: Record<string, never>): { closed: true };
}
