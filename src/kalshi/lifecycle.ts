import { Type, type Static } from '@sinclair/typebox';
import type { MarketResult, MarketStatus, MarketStatusUpdate } from '../prices/market-status';

/**
 * Kalshi's `market_lifecycle_v2` channel and REST market statuses, as market statuses (docs/CONTRACT.md, "A game's
 * whole life"). Pure: no sockets, no clocks but the one handed in.
 */

export const LIFECYCLE_CHANNEL = 'market_lifecycle_v2';

const Ticker = Type.String({ minLength: 1, maxLength: 200 });
/** Sids and seqs are positive integers; bounded so a garbage number cannot poison the gap arithmetic. */
const Counter = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
/** On every envelope since 2026-10 (docs/KALSHI.md); the connection reads it as it does on any frame. */
const SendingTs = Type.Optional(Type.Unknown());

/**
 * Field sets vary by version (docs/KALSHI.md): only `market_ticker` and `event_type` are required; the fields an
 * event type needs are checked by {@link lifecycleUpdate}, the others are not read at all.
 */
export const LifecycleMessageSchema = Type.Object({
  type: Type.Literal(LIFECYCLE_CHANNEL),
  sid: Counter,
  seq: Type.Optional(Counter),
  sending_ts_ms: SendingTs,
  msg: Type.Object({
    market_ticker: Ticker,
    event_type: Type.String({ minLength: 1, maxLength: 100 }),
  }),
});

/**
 * Event lifecycle and fee messages arrive on the same subscription and share its `seq`: read only for their place
 * in the sequence (a gap is a gap whatever the frame it hid).
 */
export const ChannelNoticeSchema = Type.Object({
  type: Type.Union([Type.Literal('event_lifecycle'), Type.Literal('event_fee_update')]),
  sid: Counter,
  seq: Type.Optional(Counter),
  sending_ts_ms: SendingTs,
});

export type LifecycleMessage = Static<typeof LifecycleMessageSchema>;
export type ChannelNotice = Static<typeof ChannelNoticeSchema>;

/** The event types of market_lifecycle_v2 (the label set of kalshi_lifecycle_events_total, plus `other`). */
export const LIFECYCLE_EVENTS = [
  'created',
  'activated',
  'deactivated',
  'close_date_updated',
  'determined',
  'settled',
  'price_level_structure_updated',
  'metadata_updated',
] as const;
export type LifecycleEvent = (typeof LIFECYCLE_EVENTS)[number];

/** A bounded label: an event type Kalshi adds later is counted as `other`, never as a new series. */
export function eventLabel(eventType: string): LifecycleEvent | 'other' {
  return (LIFECYCLE_EVENTS as readonly string[]).includes(eventType) ? (eventType as LifecycleEvent) : 'other';
}

/** What a lifecycle event says of its market: a status, nothing (an event we ignore), or a problem. */
export type LifecycleReading = { update: MarketStatusUpdate } | { ignored: true } | { invalid: 'bad_lifecycle_event'; detail: string };

/**
 * One event as a market status, mapped as docs/CONTRACT.md says: `created` → scheduled (not yet activated),
 * `activated` → open, `deactivated` → paused (`is_deactivated: false`, in the versions that send one event both
 * ways, → open), `close_date_updated` → closed once its `close_ts` (seconds) has passed (a later close time says
 * nothing new), `determined` → determined with `result`, `settled` → determined (its result is REST's).
 */
export function lifecycleUpdate(message: LifecycleMessage, nowMs: number): LifecycleReading {
  const msg = message.msg as LifecycleMessage['msg'] & Record<string, unknown>;
  const ticker = msg.market_ticker;
  const status = (value: MarketStatus, result: MarketResult | null = null): LifecycleReading => ({
    update: { ticker, status: value, result, source: 'lifecycle' },
  });
  switch (msg.event_type) {
    case 'created':
      return status('scheduled');
    case 'activated':
      return status('open');
    case 'deactivated': {
      const flag = msg.is_deactivated;
      if (flag === undefined) return status('paused');
      if (typeof flag !== 'boolean') return { invalid: 'bad_lifecycle_event', detail: 'is_deactivated is not a boolean' };
      return status(flag ? 'paused' : 'open');
    }
    case 'close_date_updated': {
      const closeTs = msg.close_ts;
      if (typeof closeTs !== 'number' || !Number.isFinite(closeTs) || closeTs < 0) {
        return { invalid: 'bad_lifecycle_event', detail: 'close_ts is not a time in seconds' };
      }
      return closeTs * 1000 <= nowMs ? status('closed') : { ignored: true };
    }
    case 'determined': {
      const result = marketResult(msg.result);
      if (result === undefined) return { invalid: 'bad_lifecycle_event', detail: 'result is not yes, no or empty' };
      return status('determined', result);
    }
    case 'settled': {
      // Settled events carry no result in any version we know; one that does is read.
      const result = marketResult(msg.result);
      return status('determined', result ?? null);
    }
    default:
      // price_level_structure_updated, metadata_updated, and whatever Kalshi adds: nothing about the status.
      return { ignored: true };
  }
}

/** `yes` / `no`; `''` or absent (a void, or not yet known) → null; anything else → undefined (invalid). */
function marketResult(value: unknown): MarketResult | null | undefined {
  if (value === 'yes' || value === 'no') return value;
  if (value === undefined || value === null || value === '') return null;
  return undefined;
}

/** The REST statuses whose market will never trade again: only these stop a market's polling. */
export const DETERMINED_REST_STATUSES: ReadonlySet<string> = new Set(['determined', 'disputed', 'amended', 'finalized', 'settled']);

const REST_STATUS: Readonly<Record<string, MarketStatus>> = {
  initialized: 'scheduled',
  active: 'open',
  inactive: 'paused',
  closed: 'closed',
  determined: 'determined',
  disputed: 'determined',
  amended: 'determined',
  finalized: 'determined',
  settled: 'determined',
};

/**
 * A REST market's `status` and `result` as a market status; undefined for a status Kalshi does not document
 * (the caller counts it). `result` is read only for the determined family.
 */
export function restStatusUpdate(ticker: string, status: string, result: unknown): MarketStatusUpdate | undefined {
  if (!Object.prototype.hasOwnProperty.call(REST_STATUS, status)) return undefined;
  const mapped = REST_STATUS[status];
  if (mapped !== 'determined') return { ticker, status: mapped, result: null, source: 'rest' };
  return { ticker, status: mapped, result: marketResult(result) ?? null, source: 'rest' };
}

/** What a frame's `seq` says of the frames before it. */
export type SeqVerdict = 'next' | 'gap' | 'stale';

/**
 * `seq` of one subscription (consecutive per sid, docs/KALSHI.md). A new subscription's frames start after the seq
 * its reply gave (none: 0, so the first frame is 1): a frame lost before the first one that arrives is a gap too.
 * Anything but last + 1 is a gap (frames lost) or stale (a repeat or reordering, dropped).
 */
export class SeqTracker {
  private last = 0;

  /** A new subscription, whose reply carried `seq` (or none). */
  reset(seq = 0): void {
    this.last = seq;
  }

  get lastSeq(): number {
    return this.last;
  }

  observe(seq: number): SeqVerdict {
    const last = this.last;
    if (seq <= last) return 'stale';
    this.last = seq;
    return seq === last + 1 ? 'next' : 'gap';
  }
}
