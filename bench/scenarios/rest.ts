import { benchGames, tickersOf } from '../common';
import { startSim, stopHelper, type BenchContext } from '../context';
import { benchPrefix, createBenchDatabase, seedGames, waitFor } from '../infra';
import { BenchService } from '../service';

const GAMES = 2500; // 5,000 markets, MAX_MARKETS' default
const RATE_PER_S = 10; // KALSHI_REST_RATE_PER_S' default

export interface RestResult {
  markets: number;
  ratePerS: number;
  /** One full fallback pass over every market, as the service reports it (/status fallback.lastPassMs). */
  passMs: number;
  /** The least a pass can take at this rate: ceil(markets / 100) requests, 1/rate apart. */
  floorMs: number;
  /** Service start → every game priced in Postgres. */
  allPricedMs: number;
}

interface FallbackBody {
  fallback?: { passes?: number; lastPassMs?: number | null; missing?: number };
}

/** REST-only (KALSHI_WS_ENABLED=false) against the simulator's REST: how long one fallback pass takes. */
export async function runRest(ctx: BenchContext): Promise<RestResult> {
  const games = benchGames(GAMES, 'R');
  const tickers = tickersOf(games);
  const sim = await startSim(ctx);
  const db = await createBenchDatabase();
  let service: BenchService | undefined;
  try {
    await sim.rpc.call('addMarkets', { tickers });
    await seedGames(db.sql, games);
    const t0 = Date.now();
    service = await BenchService.start({
      wsUrl: sim.wsUrl,
      restUrl: sim.restUrl,
      db,
      prefix: benchPrefix(),
      privatePem: ctx.keys.privatePem,
      env: { KALSHI_WS_ENABLED: 'false', KALSHI_REST_RATE_PER_S: String(RATE_PER_S), FALLBACK_POLL_INTERVAL_MS: '30000', FLUSH_INTERVAL_MS: '1000' },
    });
    const running = service;
    await waitFor(
      async () => {
        const [row] = await db.sql<{ n: number }[]>`
          select count(*)::int as n from frontend_games where (frontend_data->'homeTeam'->>'kalshiBuyPrice') is not null`;
        return row?.n === GAMES;
      },
      'every game priced in Postgres',
      60_000,
      100,
    );
    const allPricedMs = Date.now() - t0;
    const status = await waitFor(
      async () => {
        const body = (await running.status()) as FallbackBody;
        return (body.fallback?.passes ?? 0) >= 1 ? body.fallback : undefined;
      },
      'one full fallback pass',
      60_000,
      100,
    );
    const requests = Math.ceil(tickers.length / 100);
    return {
      markets: tickers.length,
      ratePerS: RATE_PER_S,
      passMs: Number(status.lastPassMs),
      floorMs: Math.round(((requests - 1) * 1000) / RATE_PER_S),
      allPricedMs,
    };
  } finally {
    await service?.stop('SIGTERM', 12_000).catch(() => undefined);
    await stopHelper(sim.rpc);
    await db.drop();
  }
}
