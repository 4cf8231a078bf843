/**
 * The Redis contract as JSON Schema files for consumers (docs/CONTRACT.md "Redis"): the message published on
 * kalshi:prices:channel and the fields of the kalshi:prices:{gameId} hash, and the feed's health (the message on
 * kalshi:feed:channel and the fields of the kalshi:feed hash), generated from the TypeBox schemas
 * the service itself validates with. `schemas/` in the repository holds the output; a test keeps it current.
 *
 *   npm run schemas     (builds this into build/scripts/ and rewrites schemas/*.json)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { FeedHashSchema, FeedStatusMessageSchema } from '@kalshi-ingestor/client';
import { PriceHashSchema, PriceMessageSchema } from '../src/sinks/price-message';

const JSON_SCHEMA_DRAFT = 'http://json-schema.org/draft-07/schema#';

/** A TypeBox schema as plain JSON (TypeBox's symbol keys dropped), marked with its JSON Schema draft. */
function plain(schema: TSchema): Record<string, unknown> {
  return { $schema: JSON_SCHEMA_DRAFT, ...(JSON.parse(JSON.stringify(schema)) as Record<string, unknown>) };
}

/** The schema files, by file name. */
export function jsonSchemas(): Record<string, Record<string, unknown>> {
  return {
    'price-message.schema.json': plain(PriceMessageSchema),
    'price-hash.schema.json': plain(PriceHashSchema),
    'feed-status-message.schema.json': plain(FeedStatusMessageSchema),
    'feed-hash.schema.json': plain(FeedHashSchema),
  };
}

/** The text of one schema file. */
export function schemaFileText(schema: Record<string, unknown>): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/** Writes every schema file into `dir` and returns their paths. */
export function writeJsonSchemas(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return Object.entries(jsonSchemas()).map(([name, schema]) => {
    const file = path.join(dir, name);
    writeFileSync(file, schemaFileText(schema));
    return file;
  });
}

if (require.main === module) {
  // Run from its build, build/scripts/: schemas/ is two levels up.
  const written = writeJsonSchemas(path.resolve(__dirname, '../../schemas'));
  for (const file of written) console.log(`wrote ${path.relative(process.cwd(), file)}`);
}
