import type { TickerPayload, TickerShape } from './protocol';

export type ConcreteShape = Exclude<TickerShape, 'mixed'>;
const ROTATION: readonly ConcreteShape[] = ['full', 'lean', 'clock'];
const DOLLAR_FIELDS = ['price_dollars', 'yes_bid_dollars', 'yes_ask_dollars'] as const;

/**
 * Renders a payload the way one kind of real frame looks (kalshi-frames.jsonl): `lean` drops the fields the demo
 * socket leaves out, `clock` adds the undocumented `Clock` of older production frames. `decimals` 6 writes the
 * dollar strings with Kalshi's full fixed-point width ("0.455000"), which clients must accept.
 */
export function shapeTicker(payload: TickerPayload, shape: ConcreteShape, decimals: 4 | 6, clock: number): TickerPayload {
  const out: TickerPayload = { ...payload };
  if (shape === 'lean') {
    delete out.dollar_volume;
    delete out.dollar_open_interest;
    delete out.time;
  }
  if (shape === 'clock') out.Clock = clock;
  if (decimals === 6) for (const field of DOLLAR_FIELDS) out[field] = `${out[field]}00`;
  return out;
}

/** The shape of the n-th frame for a configured shape ('mixed' rotates through all three). */
export function shapeAt(shape: TickerShape, n: number): ConcreteShape {
  return shape === 'mixed' ? (ROTATION[n % ROTATION.length]) : shape;
}
