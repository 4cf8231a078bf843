/**
 * The contract's metric names, read from DESIGN.md ("### Metrics"). DESIGN.md lives in the shared folder
 * beside the repository (../shared) on the project's machines; where it is not there (a GitHub runner), the
 * names registered in src/observability/metrics.ts stand in, and a test checks the two agree when both exist.
 */
// @ts-nocheck

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from './helm';

const DESIGN_CANDIDATES = ['DESIGN.md', 'docs/DESIGN.md', '../shared/DESIGN.md'].map((p) => path.resolve(REPO, p));

export function designPath(): string | undefined {
  return DESIGN_CANDIDATES.find((p) => existsSync(p));
}

export function metricNamesFromDesign(text: string): string[] {
  const section = text.match(/### Metrics[^\n]*\n([\s\S]*?)(?=\n### |\n## )/);
  if (!section) throw new Error('DESIGN.md has no "### Metrics" section');
  const names = [...section[1].matchAll(/`(kalshi_[a-z0-9_]+)(?:\{[^}]*\})?`/g)].map((m) => m[1]);
  return [...new Set(names)].sort();
}

export function metricNamesFromCode(): string[] {
  const text = readFileSync(path.join(REPO, 'src/observability/metrics.ts'), 'utf8');
  return [...new Set([...text.matchAll(/name:\s*'(kalshi_[a-z0-9_]+)'/g)].map((m) => m[1]))].sort();
}

export function contractMetricNames(): string[] {
  const design = designPath();
  return design ? metricNamesFromDesign(readFileSync(design, 'utf8')) : metricNamesFromCode();
}

/** Series names a metric exposes: histograms add _bucket, _sum and _count. */
export function exposedSeries(names: string[]): Set<string> {
  const out = new Set<string>();
  for (const name of names) {
    out.add(name);
    for (const suffix of ['_bucket', '_sum', '_count']) out.add(name + suffix);
  }
  return out;
}

/** PromQL words that are not metric names. */
const PROMQL_WORDS = new Set([
  'sum', 'max', 'min', 'avg', 'count', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or',
  'unless', 'rate', 'irate', 'increase', 'delta', 'histogram_quantile', 'absent', 'le', 'namespace', 'pod', 'type',
  'reason', 'bool', 'offset', 'topk', 'bottomk', 'label_values', 'changes', 'resets', 'clamp_min', 'time',
]);

/** Metric names a PromQL expression reads (identifiers outside label matchers, strings and grouping lists). */
export function metricsInPromql(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '$1')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\$[A-Za-z_]+/g, '');
  const words = stripped.match(/[A-Za-z_:][A-Za-z0-9_:]*/g) ?? [];
  return [...new Set(words.filter((w) => !PROMQL_WORDS.has(w) && !/^\d/.test(w)))];
}
