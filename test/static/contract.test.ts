/**
 * docs/CONTRACT.md against the code's own lists, both ways: the metrics the prom-client registry holds, the
 * environment variables src/config.ts reads (and their defaults), the Redis keys and channels of the key
 * builders (src/sinks/redis-keys.ts and packages/client/src/redis-keys.ts), and the npm scripts of the commands.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as clientKeys from '../../packages/client/src/redis-keys';
import { ENV_DEFAULTS, loadConfig } from '../../src/config';
import * as serviceKeys from '../../src/sinks/redis-keys';
import { CONTRACT_PATH, contractMetricNames, markdownSection, metricNamesFromCode } from './helpers/contract';
import { REPO } from './helpers/repo-files';

const contract = readFileSync(CONTRACT_PATH, 'utf8');

/** Rows of the markdown tables of a section: cells, header and separator rows left out. */
function tableRows(section: string): string[][] {
  const rows = section
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) => line.slice(1, line.endsWith('|') ? -1 : undefined).split(' | ').map((cell) => cell.trim()));
  const separator = (cells: string[] | undefined) => cells !== undefined && /^[-|: ]+$/.test(cells.join('|'));
  return rows.filter((cells, i) => !separator(cells) && !separator(rows[i + 1]));
}

const backticked = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

/** Every variable src/config.ts reads from the environment it is given: recorded by the source object itself. */
function variablesReadByConfig(): string[] {
  const read = new Set<string>();
  const source = new Proxy<Record<string, string | undefined>>({}, {
    get(_target, name) {
      if (typeof name === 'string') read.add(name);
      return undefined;
    },
  });
  loadConfig(source);
  return [...read].sort();
}

/** The configuration table: variable → documented default (undefined for none: `—…`, `hostname`). */
function documentedVariables(): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const [names, defaults] of tableRows(markdownSection(contract, 'Configuration'))) {
    const variables = backticked(names);
    const values = defaults.split(' / ').map((value) => {
      const code = /^`([^`]*)`$/.exec(value.trim());
      if (code) return code[1];
      if (value.trim() === 'empty') return '';
      return undefined; // "—", "— (required …)", "hostname"
    });
    if (values.length !== variables.length) throw new Error(`docs/CONTRACT.md "Configuration": ${names} has ${values.length} defaults`);
    variables.forEach((name, i) => out.set(name, values[i]));
  }
  return out;
}

/** Every key and channel the builders make, with a function's argument shown as `{gameId}` as the doc writes it. */
function keysOfCode(): string[] {
  const keys = new Set<string>();
  for (const module of [clientKeys, serviceKeys] as Record<string, unknown>[]) {
    const build = module.redisKeys as (prefix: string) => Record<string, unknown>;
    for (const value of Object.values(build(''))) {
      if (typeof value === 'string') keys.add(value);
      else if (typeof value === 'function') keys.add((value as (id: string) => string)('{gameId}'));
    }
  }
  return [...keys].sort();
}

function keysOfContract(): string[] {
  return tableRows(markdownSection(contract, 'Redis'))
    .flatMap(([key]) => backticked(key))
    .filter((key) => key.startsWith('kalshi:'))
    .sort();
}

describe('docs/CONTRACT.md is the code', () => {
  test('metrics: the registry holds exactly the kalshi_ metrics the doc names', () => {
    expect(metricNamesFromCode()).toEqual(contractMetricNames());
  });

  test('configuration: the variables src/config.ts reads are the table, with the same defaults', () => {
    const documented = documentedVariables();
    expect([...documented.keys()].sort()).toEqual(variablesReadByConfig());
    const defaults = Object.fromEntries(Object.entries(ENV_DEFAULTS as Record<string, string | undefined>));
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries([...documented.keys()].map((name) => [name, defaults[name]])));
  });

  test('Redis: the keys and channels of both key builders are the table', () => {
    expect(keysOfContract()).toEqual(keysOfCode());
  });

  test('commands: every npm script the doc names exists', () => {
    const scripts = (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const named = tableRows(markdownSection(contract, 'Commands'))
      .flatMap(([command]) => backticked(command))
      .map((command) => /^npm (?:run )?([a-z:]+)/.exec(command)?.[1])
      .filter((name): name is string => name !== undefined && name !== 'ci');
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((name) => !(name in scripts))).toEqual([]);
  });

  test('the tables are read (a reader that finds nothing would pass the comparisons above)', () => {
    expect(documentedVariables().size).toBeGreaterThan(20);
    expect(keysOfContract().length).toBeGreaterThanOrEqual(4);
    expect(contractMetricNames().length).toBeGreaterThanOrEqual(15);
  });
});
