/**
 * The contract's metric names, read from DESIGN.md ("### Metrics"). DESIGN.md lives in the shared folder
 * beside the repository (../shared) on the project's machines; where it is not there (a GitHub runner), the
 * names registered in src/observability/metrics.ts stand in, and a test checks the two agree when both exist.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { REPO } from './helm';

const DESIGN_CANDIDATES = ['DESIGN.md', 'docs/DESIGN.md', '../shared/DESIGN.md'].map((p) => path.resolve(REPO, p));

export function designPath(): string | undefined {
  return DESIGN_CANDIDATES.find((p) => existsSync(p));
}

export function metricNamesFromDesign(text: string): string[] {
  const section = /### Metrics[^\n]*\n([\s\S]*?)(?=\n### |\n## )/.exec(text);
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
