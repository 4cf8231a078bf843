import type { GameResult, GameStatus } from '../prices/market-status';
import type { GamePrices } from '../prices/types';

/**
 * The Postgres flush as ONE statement whatever the batch size: the whole batch travels as a single text
 * parameter holding a JSON array (see {@link toFlushPayload}), unpacked server-side by json_to_recordset (plain `json`:
 * validated and read once, never converted to `jsonb`, which costs ~40 ms per 5,000 games).
 *
 * Per game it merges into frontend_data
 *   awayTeam.kalshiBuyPrice / kalshiSellPrice, homeTeam.kalshiBuyPrice / kalshiSellPrice  (cents; JSON null = no quote)
 *   kalshiUpdatedAt                                                                      (Unix ms)
 *   kalshiStatus, kalshiResult          (the game's status; "home" / "away" / "draw" / null: docs/CONTRACT.md)
 *   draw.kalshiBuyPrice / kalshiSellPrice                     (three-way games only; a two-way game's `draw` is untouched)
 * and sets updated_at = now(), building objects with jsonb_build_object and `||` (jsonb_set returns NULL for a
 * NULL value and does nothing under a missing parent):
 *  - every other top-level key is kept;
 *  - awayTeam / homeTeam (and a three-way game's draw) are created where missing or not JSON objects; their other
 *    keys are kept;
 *  - a row whose prices (four, six for a three-way game), status and result are unchanged is skipped (jsonb
 *    comparison: 45.5 = 45.50, null = null): a status change alone is a change;
 *  - a row whose stored kalshiUpdatedAt is a number newer than the incoming one is skipped (a non-number stored
 *    there is treated as absent, never cast; so is one more than 5 minutes ahead of Postgres's clock, which can
 *    only be a bad exchange time stored before those were refused, e.g. a ts_ms in microseconds);
 *  - games absent from frontend_games, or whose frontend_data is not a JSON object, are left alone;
 *  - duplicate game ids in one batch: the entry with the newest updated_at_ms wins.
 * Prices go through `numeric`, so they keep their exact decimal value (45.37 stays 45.37).
 *
 * Fencing (docs/CONTRACT.md "Fencing"): $2 is the writer's term. The statement first raises kalshi_fence.term to it;
 * when the row already holds a higher term, that UPDATE matches nothing and no game row is touched. Two leaders'
 * flushes serialize on the fence row, and the later one re-reads it after the earlier commits (READ COMMITTED), so a
 * term-5 flush that waited behind a term-6 one writes nothing.
 *
 * Another writer's row lock (the API holding a frontend_games row for seconds): the game rows are locked first with
 * FOR NO KEY UPDATE SKIP LOCKED, so a row locked elsewhere is skipped at once, never waited on; the other games are
 * written. A plain read (no lock) tells a skipped game (its row exists) from an unknown one.
 *
 * It returns one row: `written` (rows actually updated), `fenced` (a higher term holds the fence: nothing written),
 * `fence_missing` (kalshi_fence has no row: nothing written), `skipped` (JSON array of the game ids whose rows were
 * locked by another transaction: not written, to be queued again), `not_object` (JSON array of the game ids whose
 * frontend_data is not a JSON object: left alone, and reported as bad rows).
 */
export const FLUSH_STATEMENT = `
WITH incoming AS (
  SELECT DISTINCT ON (i.game_id)
         i.game_id,
         i.updated_at_ms,
         COALESCE(to_jsonb(i.away_buy),  'null'::jsonb) AS away_buy,
         COALESCE(to_jsonb(i.away_sell), 'null'::jsonb) AS away_sell,
         COALESCE(to_jsonb(i.home_buy),  'null'::jsonb) AS home_buy,
         COALESCE(to_jsonb(i.home_sell), 'null'::jsonb) AS home_sell,
         COALESCE(i.three_way, false) AS three_way,
         COALESCE(to_jsonb(i.draw_buy),  'null'::jsonb) AS draw_buy,
         COALESCE(to_jsonb(i.draw_sell), 'null'::jsonb) AS draw_sell,
         COALESCE(to_jsonb(i.status),    'null'::jsonb) AS status,
         COALESCE(to_jsonb(i.result),    'null'::jsonb) AS result
    FROM json_to_recordset($1::text::json)
         AS i(game_id text, away_buy numeric, away_sell numeric, home_buy numeric, home_sell numeric, updated_at_ms numeric,
              three_way boolean, draw_buy numeric, draw_sell numeric, status text, result text)
   WHERE i.game_id IS NOT NULL AND i.updated_at_ms IS NOT NULL
   ORDER BY i.game_id, i.updated_at_ms DESC
),
fence AS (
  UPDATE kalshi_fence SET term = $2::bigint WHERE term <= $2::bigint RETURNING term
),
locked AS (
  SELECT n.*
    FROM frontend_games AS f
    JOIN incoming AS n ON n.game_id = f.live_game_id
   WHERE EXISTS (SELECT 1 FROM fence)
     FOR NO KEY UPDATE OF f SKIP LOCKED
),
written AS (
UPDATE frontend_games AS f
   SET frontend_data = f.frontend_data || jsonb_build_object(
         'awayTeam',
           CASE WHEN jsonb_typeof(f.frontend_data -> 'awayTeam') = 'object' THEN f.frontend_data -> 'awayTeam' ELSE '{}'::jsonb END
           || jsonb_build_object('kalshiBuyPrice', n.away_buy, 'kalshiSellPrice', n.away_sell),
         'homeTeam',
           CASE WHEN jsonb_typeof(f.frontend_data -> 'homeTeam') = 'object' THEN f.frontend_data -> 'homeTeam' ELSE '{}'::jsonb END
           || jsonb_build_object('kalshiBuyPrice', n.home_buy, 'kalshiSellPrice', n.home_sell),
         'kalshiUpdatedAt', n.updated_at_ms,
         'kalshiStatus', n.status,
         'kalshiResult', n.result)
       || CASE WHEN n.three_way THEN jsonb_build_object(
            'draw',
              CASE WHEN jsonb_typeof(f.frontend_data -> 'draw') = 'object' THEN f.frontend_data -> 'draw' ELSE '{}'::jsonb END
              || jsonb_build_object('kalshiBuyPrice', n.draw_buy, 'kalshiSellPrice', n.draw_sell))
          ELSE '{}'::jsonb END,
       updated_at = now()
  FROM locked AS n
 WHERE f.live_game_id = n.game_id
   AND jsonb_typeof(f.frontend_data) = 'object'
   AND CASE WHEN jsonb_typeof(f.frontend_data -> 'kalshiUpdatedAt') = 'number'
            THEN (f.frontend_data ->> 'kalshiUpdatedAt')::numeric <= n.updated_at_ms
              OR (f.frontend_data ->> 'kalshiUpdatedAt')::numeric > extract(epoch from now()) * 1000 + 300000
            ELSE true END
   AND (   (f.frontend_data -> 'awayTeam' -> 'kalshiBuyPrice')  IS DISTINCT FROM n.away_buy
        OR (f.frontend_data -> 'awayTeam' -> 'kalshiSellPrice') IS DISTINCT FROM n.away_sell
        OR (f.frontend_data -> 'homeTeam' -> 'kalshiBuyPrice')  IS DISTINCT FROM n.home_buy
        OR (f.frontend_data -> 'homeTeam' -> 'kalshiSellPrice') IS DISTINCT FROM n.home_sell
        OR (f.frontend_data -> 'kalshiStatus') IS DISTINCT FROM n.status
        OR (f.frontend_data -> 'kalshiResult') IS DISTINCT FROM n.result
        OR (n.three_way AND (   (f.frontend_data -> 'draw' -> 'kalshiBuyPrice')  IS DISTINCT FROM n.draw_buy
                             OR (f.frontend_data -> 'draw' -> 'kalshiSellPrice') IS DISTINCT FROM n.draw_sell)))
RETURNING 1
)
SELECT (SELECT count(*) FROM written)::int AS written,
       NOT EXISTS (SELECT 1 FROM fence) AND EXISTS (SELECT 1 FROM kalshi_fence) AS fenced,
       NOT EXISTS (SELECT 1 FROM fence) AND NOT EXISTS (SELECT 1 FROM kalshi_fence) AS fence_missing,
       (SELECT COALESCE(json_agg(n.game_id), '[]'::json)
          FROM incoming AS n
         WHERE EXISTS (SELECT 1 FROM fence)
           AND n.game_id NOT IN (SELECT game_id FROM locked)
           AND EXISTS (SELECT 1 FROM frontend_games AS g WHERE g.live_game_id = n.game_id)) AS skipped,
       (SELECT COALESCE(json_agg(n.game_id), '[]'::json)
          FROM locked AS n
          JOIN frontend_games AS g ON g.live_game_id = n.game_id
         WHERE jsonb_typeof(g.frontend_data) <> 'object') AS not_object
`;

/** One element of the flush payload (snake_case: the column names of json_to_recordset). */
export interface FlushRow {
  game_id: string;
  away_buy: number | null;
  away_sell: number | null;
  home_buy: number | null;
  home_sell: number | null;
  updated_at_ms: number;
  /** The game has a draw market: draw_buy / draw_sell are written (null = no quote). */
  three_way: boolean;
  draw_buy: number | null;
  draw_sell: number | null;
  status: GameStatus;
  result: GameResult | null;
}

const price = (value: number | null): number | null => (value !== null && Number.isFinite(value) ? value : null);

/** The batch as flush rows. A non-finite price becomes null; an entry without a finite updatedAtMs is left out. */
export function toFlushRows(batch: readonly GamePrices[]): FlushRow[] {
  const rows: FlushRow[] = [];
  for (const game of batch) {
    if (!Number.isFinite(game.updatedAtMs)) continue;
    rows.push({
      game_id: game.gameId,
      away_buy: price(game.awayTeam.kalshiBuyPrice),
      away_sell: price(game.awayTeam.kalshiSellPrice),
      home_buy: price(game.homeTeam.kalshiBuyPrice),
      home_sell: price(game.homeTeam.kalshiSellPrice),
      updated_at_ms: game.updatedAtMs,
      three_way: game.draw !== undefined,
      draw_buy: price(game.draw?.kalshiBuyPrice ?? null),
      draw_sell: price(game.draw?.kalshiSellPrice ?? null),
      status: game.status,
      result: game.result,
    });
  }
  return rows;
}

/** The single parameter of {@link FLUSH_STATEMENT}: the batch as JSON text (numbers as JS prints them: 45.37 → "45.37"). */
export function toFlushPayload(batch: readonly GamePrices[]): string {
  return JSON.stringify(toFlushRows(batch));
}
