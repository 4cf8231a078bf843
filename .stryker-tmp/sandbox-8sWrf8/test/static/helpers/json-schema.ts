/**
 * A small JSON Schema (draft-07) checker for the keywords values.schema.json uses, so that the tests can
 * validate values the way `helm lint` / `helm install` do, without a dependency of their own. An unknown
 * keyword is an error: the schema must stay within what this checker understands.
 */
// @ts-nocheck

type Schema = Record<string, unknown>;

const KNOWN = new Set([
  '$schema', '$id', 'title', 'description', 'default', 'examples', '$comment',
  'type', 'properties', 'additionalProperties', 'required', 'items', 'enum', 'const',
  'minimum', 'maximum', 'exclusiveMinimum', 'minLength', 'maxLength', 'pattern', 'anyOf', 'oneOf', 'minItems',
]);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

/** Returns one line per problem, each naming the path; empty when the value is valid. */
export function validate(schema: Schema, value: unknown, path = '$'): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(schema)) {
    if (!KNOWN.has(key)) problems.push(`${path}: schema keyword ${key} is not understood by this checker`);
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((t) => typeMatches(value, t))) {
      return [...problems, `${path}: is ${typeOf(value)}, needs ${types.join(' or ')}`];
    }
  }
  if (schema.enum !== undefined && !(schema.enum as unknown[]).some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    problems.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if (schema.const !== undefined && JSON.stringify(schema.const) !== JSON.stringify(value)) {
    problems.push(`${path}: needs ${JSON.stringify(schema.const)}`);
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) problems.push(`${path}: below ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) problems.push(`${path}: above ${schema.maximum}`);
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) {
      problems.push(`${path}: not above ${schema.exclusiveMinimum}`);
    }
  }
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) problems.push(`${path}: too short`);
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) problems.push(`${path}: too long`);
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) {
      problems.push(`${path}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
    }
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) problems.push(`${path}: too few items`);
    if (schema.items !== undefined) {
      value.forEach((item, i) => problems.push(...validate(schema.items as Schema, item, `${path}[${i}]`)));
    }
  }
  if (typeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const name of (schema.required ?? []) as string[]) {
      if (!(name in object)) problems.push(`${path}: missing required ${name}`);
    }
    for (const [name, item] of Object.entries(object)) {
      if (properties[name]) problems.push(...validate(properties[name], item, `${path}.${name}`));
      else if (schema.additionalProperties === false) problems.push(`${path}: unknown key ${name}`);
      else if (typeof schema.additionalProperties === 'object') {
        problems.push(...validate(schema.additionalProperties as Schema, item, `${path}.${name}`));
      }
    }
  }
  for (const combinator of ['anyOf', 'oneOf'] as const) {
    const options = schema[combinator] as Schema[] | undefined;
    if (!options) continue;
    const passing = options.filter((option) => validate(option, value, path).length === 0).length;
    if (passing === 0 || (combinator === 'oneOf' && passing > 1)) {
      problems.push(`${path}: matches ${passing} of the ${combinator} alternatives`);
    }
  }
  return problems;
}
