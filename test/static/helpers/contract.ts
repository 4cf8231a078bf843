/**
 * The contract's metric names, read from docs/CONTRACT.md ("## Metrics"), and the names the code registers, read
 * from the prom-client registry that src/observability/metrics.ts builds (not from its source text).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { createMetrics } from '../../../src/observability/metrics';
import { REPO } from './repo-files';

export const CONTRACT_PATH = path.join(REPO, 'docs/CONTRACT.md');

/** The text of a `## title` section of a markdown document (up to the next `## `), or an error naming it. */
export function markdownSection(text: string, title: string, file = 'docs/CONTRACT.md'): string {
  const start = new RegExp(`^## ${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^\n]*\n`, 'm').exec(text);
  if (!start) throw new Error(`${file} has no "## ${title}" section`);
  const rest = text.slice(start.index + start[0].length);
  const next = /^## /m.exec(rest);
  return next ? rest.slice(0, next.index) : rest;
}

/** The kalshi_ metric names a document's "## Metrics" section names in backticks (labels left off). */
export function metricNamesFromContract(text: string): string[] {
  const section = markdownSection(text, 'Metrics');
  const names = [...section.matchAll(/`(kalshi_[a-z0-9_]+)(?:\{[^}]*\})?`/g)].map((m) => m[1]);
  return [...new Set(names)].sort();
}

/** The kalshi_ metrics the service registers, from the registry itself. */
export function metricNamesFromCode(): string[] {
  const { registry } = createMetrics();
  return registry
    .getMetricsAsArray()
    .map((metric) => metric.name)
    .filter((name) => name.startsWith('kalshi_'))
    .sort();
}

export function contractMetricNames(): string[] {
  return metricNamesFromContract(readFileSync(CONTRACT_PATH, 'utf8'));
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

/** Grafana's interval variables, which stand where PromQL wants a duration. */
const GRAFANA_DURATIONS = /\$__(?:rate_interval|interval|range)\b/g;

/**
 * Metric names a PromQL expression reads: the names of its vector selectors, found by Prometheus's own PromQL
 * grammar (@prometheus-io/lezer-promql). Throws on an expression that does not parse. Grafana's `$var` inside
 * label matchers are plain strings to PromQL; its interval variables are read as a duration.
 */
export function metricsInPromql(expr: string): string[] {
  const text = expr.replace(GRAFANA_DURATIONS, '5m');
  const names: string[] = [];
  const errors: number[] = [];
  parser.parse(text).iterate({
    enter(node) {
      if (node.type.isError) errors.push(node.from);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') names.push(text.slice(node.from, node.to));
    },
  });
  if (errors.length > 0) throw new Error(`not valid PromQL at ${errors[0]}: ${expr}`);
  return [...new Set(names)];
}
