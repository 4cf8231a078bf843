import { Type, type Static } from '@sinclair/typebox';

/**
 * Kalshi's `GET /trade-api/v2/exchange/status` as the simulator serves it (docs/KALSHI.md, "Exchange status and
 * maintenance"): the top-level flags (shard 0) and one entry per shard in `exchange_index_statuses`. Trading can be
 * paused on command (POST /_sim/exchange-status), as in Kalshi's weekly maintenance window.
 */
export const ExchangeStatusControlSchema = Type.Object({
  /** false: trading paused (top level and, unless `shards` says otherwise, every shard). */
  tradingActive: Type.Boolean(),
  /** exchange_estimated_resume_time (RFC 3339), or null. */
  resumeTime: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])),
  /** trading_active of each shard (index 0 first); default: every shard as the top level. */
  shards: Type.Optional(Type.Array(Type.Boolean(), { minItems: 1, maxItems: 16 })),
  /** Leave exchange_index_statuses out of the body (older answers had none). */
  withoutShards: Type.Optional(Type.Boolean()),
  /** The next answers are this instead of a status (until set again without it). */
  fault: Type.Optional(Type.Union([Type.Literal('http-500'), Type.Literal('not-json'), Type.Literal('wrong-shape'), Type.Null()])),
});
export type ExchangeStatusControl = Static<typeof ExchangeStatusControlSchema>;

/** Kalshi has several shards; basketball moved to shard 3 on 2026-09-10. */
const SHARDS = 4;

export class SimExchangeStatus {
  private control: ExchangeStatusControl = { tradingActive: true };
  /** Requests answered (tests check the service's pace). */
  reads = 0;

  set(control: ExchangeStatusControl): void {
    this.control = { ...control };
  }

  get tradingActive(): boolean {
    return this.control.tradingActive;
  }

  /** The answer: [HTTP status, body text]. */
  answer(): [number, string] {
    this.reads += 1;
    const { fault, tradingActive, resumeTime, shards, withoutShards } = this.control;
    if (fault === 'http-500') return [500, JSON.stringify({ error: { code: 'internal', message: 'internal server error' } })];
    if (fault === 'not-json') return [200, '<html>maintenance</html>'];
    if (fault === 'wrong-shape') return [200, JSON.stringify({ trading: 'maybe' })];
    const perShard = shards ?? Array.from({ length: SHARDS }, () => tradingActive);
    const body: Record<string, unknown> = {
      exchange_active: true,
      trading_active: tradingActive,
      exchange_estimated_resume_time: tradingActive ? null : (resumeTime ?? null),
    };
    if (withoutShards !== true) {
      body.exchange_index_statuses = perShard.map((active, index) => ({ index, exchange_active: true, trading_active: active }));
    }
    return [200, JSON.stringify(body)];
  }
}
