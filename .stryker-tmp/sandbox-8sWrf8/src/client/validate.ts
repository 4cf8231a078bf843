// @ts-nocheck
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { PriceMessageSchema, type PriceMessage } from '../sinks/price-message';

const compiled = TypeCompiler.Compile(PriceMessageSchema);

/** Whether a value is a valid price message (the exported schema, compiled once). */
export function isPriceMessage(value: unknown): value is PriceMessage {
  return compiled.Check(value);
}

/** The message in a `kalshi:prices:channel` payload, or null when it is not JSON or not a valid message. */
export function parsePriceMessage(text: string): PriceMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return isPriceMessage(value) ? value : null;
}
