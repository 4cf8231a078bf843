import postgres from 'postgres';
import type { GamePrices } from '../../src/prices/types';
import { PostgresWriter, WRITER_CONNECTION } from '../../src/sinks/postgres-writer';
import { benchGames, type BenchGame } from '../common';
import type { BenchContext } from '../context';
import { createBenchDatabase, percentile, round1, seedGames, sortedNumbers } from '../infra';

const RUNS = 20;

export interface FlushResult {
  games1000P50Ms: number;
  games1000P99Ms: number;
  games5000P50Ms: number;
  games5000P99Ms: number;
  naive1000P50Ms: number;
  naive1000P99Ms: number;
  naive5000P50Ms: number;
  naive5000P99Ms: number;
  runs: number;
  tableRows: number;
  /** Rows the one-statement flush reported updated per run (must equal the batch size). */
  rowsWritten: { games1000: number; games5000: number };
  naiveMethod: string;
}

/**
 * The seed plan's per-game write: nested jsonb_set on one row. (It cannot create a missing awayTeam/homeTeam; the
 * seeded rows have both, so it does the same work here.)
 */
const NAIVE_UPDATE = `
UPDATE frontend_games
   SET frontend_data = jsonb_set(jsonb_set(jsonb_set(jsonb_set(jsonb_set(frontend_data,
         '{awayTeam,kalshiBuyPrice}',  COALESCE(to_jsonb($2::numeric), 'null'::jsonb)),
         '{awayTeam,kalshiSellPrice}', COALESCE(to_jsonb($3::numeric), 'null'::jsonb)),
         '{homeTeam,kalshiBuyPrice}',  COALESCE(to_jsonb($4::numeric), 'null'::jsonb)),
         '{homeTeam,kalshiSellPrice}', COALESCE(to_jsonb($5::numeric), 'null'::jsonb)),
         '{kalshiUpdatedAt}', to_jsonb($6::bigint)),
       updated_at = now()
 WHERE live_game_id = $1`;

/** Prices of every game in run `run`: all four change from one run to the next; some are sub-cent. */
function batchOf(games: readonly BenchGame[], size: number, run: number, now: number): GamePrices[] {
  const batch: GamePrices[] = [];
  for (let g = 0; g < size; g++) {
    const game = games[g];
    const bid = 10 + ((run * 7 + g) % 70) + (g % 4 === 0 ? 0.5 : 0);
    const homeBid = 100 - bid - 2;
    batch.push({
      gameId: game.gameId,
      slug: game.slug,
      awayTeam: { kalshiBuyPrice: bid + 1, kalshiSellPrice: bid },
      homeTeam: { kalshiBuyPrice: homeBid + 1, kalshiSellPrice: g % 50 === 0 ? null : homeBid },
      status: 'open',
      result: null,
      ticker: game.away,
      tickTimeMs: now,
      updatedAtMs: now,
    });
  }
  return batch;
}

const elapsedMs = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e6;

export async function runFlush(ctx: BenchContext): Promise<FlushResult> {
  const games = benchGames(5000, 'F');
  const db = await createBenchDatabase();
  // The service's own writer connection (src/app/connections.ts openPostgresWriter).
  const sql = postgres(db.url, { max: 1, connect_timeout: 5, onnotice: () => undefined, connection: { ...WRITER_CONNECTION } });
  try {
    await seedGames(db.sql, games, false);
    await db.sql`vacuum analyze frontend_games`;
    const writer = new PostgresWriter(sql);
    let run = 0;
    const timings: Record<string, number[]> = {};
    const rowsWritten = { games1000: 0, games5000: 0 };

    for (const size of [1000, 5000]) {
      ctx.log(`flush: one statement, ${size} changed games × ${RUNS} runs`);
      const list: number[] = [];
      for (let i = -1; i < RUNS; i++) {
        const batch = batchOf(games, size, ++run, Date.now());
        const started = process.hrtime.bigint();
        const { rowsWritten: rows } = await writer.write(batch, 0);
        const ms = elapsedMs(started);
        if (rows !== size) throw new Error(`flush of ${size} games updated ${rows} rows`);
        if (i >= 0) list.push(ms); // run -1 warms the connection and the plan
        rowsWritten[size === 1000 ? 'games1000' : 'games5000'] = rows;
      }
      timings[`games${size}`] = list;
    }

    for (const size of [1000, 5000]) {
      ctx.log(`flush: naive per-row UPDATE, ${size} games × ${RUNS} runs`);
      const list: number[] = [];
      for (let i = -1; i < RUNS; i++) {
        const batch = batchOf(games, size, ++run, Date.now());
        const started = process.hrtime.bigint();
        await sql.begin(async (tx) => {
          for (const p of batch) {
            await tx.unsafe(NAIVE_UPDATE, [
              p.gameId,
              p.awayTeam.kalshiBuyPrice,
              p.awayTeam.kalshiSellPrice,
              p.homeTeam.kalshiBuyPrice,
              p.homeTeam.kalshiSellPrice,
              p.updatedAtMs,
            ]);
          }
        });
        const ms = elapsedMs(started);
        if (i >= 0) list.push(ms);
      }
      timings[`naive${size}`] = list;
    }

    const p = (key: string, q: number) => round1(percentile(sortedNumbers(timings[key] ?? []), q));
    return {
      games1000P50Ms: p('games1000', 0.5),
      games1000P99Ms: p('games1000', 0.99),
      games5000P50Ms: p('games5000', 0.5),
      games5000P99Ms: p('games5000', 0.99),
      naive1000P50Ms: p('naive1000', 0.5),
      naive1000P99Ms: p('naive1000', 0.99),
      naive5000P50Ms: p('naive5000', 0.5),
      naive5000P99Ms: p('naive5000', 0.99),
      runs: RUNS,
      tableRows: games.length,
      rowsWritten,
      naiveMethod:
        'one UPDATE … jsonb_set(…) WHERE live_game_id = $1 per game (prepared), awaited one after another inside one transaction',
    };
  } finally {
    await sql.end({ timeout: 5 });
    await db.drop();
  }
}
