/**
 * schemas/*.json (the Redis contract as JSON Schema, for consumers) are exactly what
 * scripts/write-json-schemas.ts generates from the TypeBox schemas, and they accept the contract's
 * example message. Regenerate with: npm run schemas
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { jsonSchemas, schemaFileText } from '../../scripts/write-json-schemas';
import { REPO } from './helpers/helm';
import Ajv from 'ajv';

/** Problems ajv finds (empty when valid), as `<path> <message>`. */
function validate(schema: object, value: unknown): string[] {
  const check = new Ajv({ allErrors: true, strict: true }).compile(schema);
  return check(value) ? [] : (check.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

const SCHEMA_DIR = path.join(REPO, 'schemas');
const generated = jsonSchemas();

describe('JSON Schema files of the Redis contract', () => {
  test('schemas/ holds exactly the generated files', () => {
    expect(readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json')).sort()).toEqual(Object.keys(generated).sort());
  });

  test.each(Object.keys(generated))('%s is up to date', (name) => {
    const text = readFileSync(path.join(SCHEMA_DIR, name), 'utf8');
    expect(JSON.parse(text)).toEqual(generated[name]);
    expect(text).toBe(schemaFileText(generated[name]));
  });

  test('are plain JSON Schema', () => {
    for (const schema of Object.values(generated)) {
      expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
      expect(Object.getOwnPropertySymbols(schema)).toEqual([]);
      expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
    }
  });

  test('the message schema accepts the example of docs/CONTRACT.md and rejects a malformed one', () => {
    const schema = generated['price-message.schema.json'];
    const example = {
      type: 'kalshi_price_update',
      gameId: '193462',
      slug: 'nba-cha-hou-2026-02-05',
      awayTeam: { kalshiBuyPrice: 43, kalshiSellPrice: 42 },
      homeTeam: { kalshiBuyPrice: 58, kalshiSellPrice: null },
      ticker: 'KXNBAGAME-26FEB05CHAHOU-HOU',
      timestamp: 1738772400123,
    };
    expect(validate(schema, example)).toEqual([]);
    expect(validate(schema, { ...example, type: 'other' })).not.toEqual([]);
    expect(validate(schema, { ...example, timestamp: 1.5 })).not.toEqual([]);
    expect(validate(schema, { ...example, homeTeam: { kalshiBuyPrice: 101, kalshiSellPrice: 57 } })).not.toEqual([]);
  });

  test('the message schema accepts docs/CONTRACT.md\'s final three-way example, and a message without the added fields', () => {
    const schema = generated['price-message.schema.json'];
    const final = {
      type: 'kalshi_price_update',
      gameId: '88120',
      slug: 'epl-ars-che-2026-09-27',
      awayTeam: { kalshiBuyPrice: 0, kalshiSellPrice: 0 },
      homeTeam: { kalshiBuyPrice: 100, kalshiSellPrice: 100 },
      draw: { kalshiBuyPrice: 0, kalshiSellPrice: 0 },
      status: 'final',
      result: 'home',
      ticker: 'KXEPLGAME-26SEP27ARSCHE-ARS',
      timestamp: 1790546400000,
    };
    expect(validate(schema, final)).toEqual([]);
    const { draw: _draw, status: _status, result: _result, ...older } = final;
    expect(validate(schema, older)).toEqual([]);
    expect(validate(schema, { ...final, status: 'settled' })).not.toEqual([]);
    expect(validate(schema, { ...final, result: null })).not.toEqual([]);
    expect(validate(schema, { ...final, draw: { kalshiBuyPrice: 0 } })).not.toEqual([]);
    const hash = { homeBuyPrice: '100', drawBuyPrice: '0', status: 'final', result: 'home', ticker: 'T', updatedAt: '1', timestamp: '1000', slug: 's' };
    expect(validate(generated['price-hash.schema.json'], hash)).toEqual([]);
    expect(validate(generated['price-hash.schema.json'], { ...hash, result: 'nobody' })).not.toEqual([]);
  });

  test('the hash schema accepts a hash with a side missing and rejects numbers', () => {
    const schema = generated['price-hash.schema.json'];
    const hash = { homeBuyPrice: '58', homeSellPrice: '57.5', ticker: 'KX-HOU', updatedAt: '1738772400', timestamp: '1738772400123', slug: 's' };
    expect(validate(schema, hash)).toEqual([]);
    expect(validate(schema, { ...hash, homeBuyPrice: 58 })).not.toEqual([]);
    const withoutUpdatedAt = Object.fromEntries(Object.entries(hash).filter(([key]) => key !== 'updatedAt'));
    expect(validate(schema, withoutUpdatedAt)).toEqual(["/ must have required property 'updatedAt'"]);
  });
});
