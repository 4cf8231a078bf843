import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { ExchangeTrading } from '../feed-health/feed-state';

/** The path of Kalshi's exchange status under the REST base URL (docs/KALSHI.md, "Exchange status and maintenance"). */
export const EXCHANGE_STATUS_PATH = '/exchange/status';
/** The body is a few hundred bytes; anything near this is not an exchange status. */
export const EXCHANGE_STATUS_MAX_BYTES = 64 * 1024;
/** Kalshi has a handful of shards; a list longer than this is not one. */
const MAX_INDEX_STATUSES = 256;

const ExchangeStatusSchema = Type.Object({
  exchange_active: Type.Optional(Type.Boolean()),
  trading_active: Type.Boolean(),
  exchange_estimated_resume_time: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
  exchange_index_statuses: Type.Optional(
    Type.Union([Type.Array(Type.Object({ trading_active: Type.Boolean() }), { maxItems: MAX_INDEX_STATUSES }), Type.Null()]),
  ),
});
const check = TypeCompiler.Compile(ExchangeStatusSchema);
export type ExchangeStatusBody = Static<typeof ExchangeStatusSchema>;

/**
 * Kalshi's exchange status as the feed state reads it, or null when the body is not one. Trading is paused when
 * `trading_active` is false at the top level (which covers shard 0 only) and in every entry of
 * `exchange_index_statuses` when that list is given; by the top-level flag alone when it is not.
 */
export function readExchangeTrading(body: unknown): ExchangeTrading | null {
  if (!check.Check(body)) return null;
  const shards = body.exchange_index_statuses ?? [];
  const paused = !body.trading_active && shards.every((shard) => !shard.trading_active);
  const resume = body.exchange_estimated_resume_time;
  if (!paused || resume === null || resume === undefined || resume === '') return { paused };
  const ms = Date.parse(resume);
  // A resume time that does not parse is shown as Kalshi wrote it (bounded by the schema), not dropped.
  return { paused, resumesAt: Number.isNaN(ms) ? resume : new Date(ms).toISOString().replace('.000Z', 'Z') };
}
