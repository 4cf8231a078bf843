/**
 * The PrometheusRule (the seed's alerts) and the Grafana dashboard read only the contract's metrics
 * (docs/CONTRACT.md "Metrics"), and cover them.
 */
import { contractMetricNames, exposedSeries, metricNamesFromCode, metricsInPromql } from './helpers/contract';
import { findObject, readChartFile, render, type K8sObject } from './helpers/helm';

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: string };
  annotations: Record<string, string>;
}

const contract = contractMetricNames();
const series = exposedSeries(contract);
/** prom-client's default process metrics (collectDefaultMetrics), which the dashboard may also show. */
const isDefaultProcessMetric = (name: string) => /^(process|nodejs)_[a-z0-9_]+$/.test(name);

function rules(values: Record<string, unknown> = {}): Rule[] {
  const { objects } = render({ metrics: { prometheusRule: { enabled: true, runbookBaseUrl: 'https://runbooks.example/OPERATING.md' } }, ...values });
  const rule = findObject(objects, 'PrometheusRule') as K8sObject & { spec: { groups: { rules: Rule[] }[] } };
  return rule.spec.groups.flatMap((g) => g.rules);
}

describe('contract metric names', () => {
  test('are the twenty-one of docs/CONTRACT.md', () => {
    expect(contract).toHaveLength(21);
    expect(contract).toEqual(expect.arrayContaining(['kalshi_ws_connected', 'kalshi_flush_duration_seconds', 'kalshi_messages_total', 'kalshi_games_by_status']));
    expect(contract).toEqual(expect.arrayContaining(['kalshi_feed_state', 'kalshi_exchange_trading_active']));
    expect(contract).toEqual(expect.arrayContaining(['kalshi_lifecycle_events_total', 'kalshi_lifecycle_gaps_total']));
  });

  test('match what src/observability/metrics.ts registers', () => {
    expect(metricNamesFromCode()).toEqual(contract);
  });

  test('the PromQL reader finds metric names and nothing else, and refuses what is not PromQL', () => {
    expect(() => metricsInPromql('sum(rate(kalshi_ws_reconnects_total[5m])')).toThrow(/not valid PromQL/);
    expect(metricsInPromql('sum(rate(kalshi_ws_reconnects_total{namespace="$namespace"}[$__rate_interval]))')).toEqual(['kalshi_ws_reconnects_total']);
    expect(metricsInPromql('histogram_quantile(0.99, sum by (namespace, le) (rate(kalshi_flush_duration_seconds_bucket{pod=~"$pod"}[5m]))) > 0.5')).toEqual([
      'kalshi_flush_duration_seconds_bucket',
    ]);
    expect(metricsInPromql('max by (namespace, pod) (a_b) == 0 and on (namespace, pod) max by (namespace, pod) (kalshi_leader) == 1')).toEqual([
      'a_b',
      'kalshi_leader',
    ]);
  });
});

describe('PrometheusRule', () => {
  const all = rules();
  const byName = new Map(all.map((r) => [r.alert, r]));

  test('has the seed alerts and KalshiFeedDown, each with severity, summary, description and runbook', () => {
    expect([...byName.keys()].sort()).toEqual(
      [
        'KalshiFeedDown',
        'KalshiFlushSlow',
        'KalshiNoLeader',
        'KalshiPriceQueueBacklog',
        'KalshiTickerCacheLarge',
        'KalshiWebSocketDisconnected',
        'KalshiWebSocketReconnecting',
      ].sort(),
    );
    for (const rule of all) {
      expect(['warning', 'critical']).toContain(rule.labels.severity);
      expect(rule.annotations.summary.length).toBeGreaterThan(10);
      expect(rule.annotations.description.length).toBeGreaterThan(80);
      expect(rule.annotations.runbook_url).toBe(`https://runbooks.example/OPERATING.md#${rule.alert.toLowerCase()}`);
    }
  });

  test('reads only metrics of the contract', () => {
    for (const rule of all) {
      const used = metricsInPromql(rule.expr);
      expect(used.length).toBeGreaterThan(0);
      expect([rule.alert, used.filter((m) => !series.has(m))]).toEqual([rule.alert, []]);
    }
  });

  test('keeps the seed thresholds', () => {
    const expr = (name: string) => (byName.get(name) as Rule).expr.replace(/\s+/g, ' ').trim();
    expect(expr('KalshiWebSocketDisconnected')).toMatch(/\(kalshi_ws_connected\) == 0 and on \(namespace, pod\) .*\(kalshi_leader\) == 1 unless /);
    expect(byName.get('KalshiWebSocketDisconnected')?.for).toBe('1m');
    expect(expr('KalshiPriceQueueBacklog')).toMatch(/\(kalshi_price_queue_size\) > 800$/);
    expect(expr('KalshiFlushSlow')).toMatch(/^histogram_quantile\(0\.99, .*rate\(kalshi_flush_duration_seconds_bucket\[5m\]\)\)\) > 0\.5$/);
    expect(expr('KalshiWebSocketReconnecting')).toMatch(/increase\(kalshi_ws_reconnects_total\[5m\]\)\) > 5 unless /);
    expect(expr('KalshiTickerCacheLarge')).toMatch(/\(kalshi_ticker_cache_size\) > 1800$/);
    expect(expr('KalshiNoLeader')).toBe('sum by (namespace) (kalshi_leader) == 0');
    expect(byName.get('KalshiNoLeader')?.for).toBe('1m');
  });

  test('Prometheus templating survives Helm: annotations hold {{ $labels.pod }} literally', () => {
    expect(byName.get('KalshiPriceQueueBacklog')?.annotations.description).toContain('{{ $labels.pod }}');
  });

  test('thresholds come from values; REST-only mode drops the socket alert', () => {
    const tuned = rules({ metrics: { prometheusRule: { enabled: true, thresholds: { priceQueueSize: 4000, flushP99Seconds: 1.5 } } } });
    expect(tuned.find((r) => r.alert === 'KalshiPriceQueueBacklog')?.expr).toMatch(/> 4000$/);
    expect(tuned.find((r) => r.alert === 'KalshiFlushSlow')?.expr.trim()).toMatch(/> 1\.5$/);
    const restOnly = rules({ kalshi: { wsEnabled: false } });
    expect(restOnly.map((r) => r.alert)).not.toContain('KalshiWebSocketDisconnected');
    expect(restOnly).toHaveLength(6);
  });

  test("the socket, fallback and feed alerts are silent while Kalshi pauses trading (and 5 minutes after); the others are not", () => {
    const pause = 'unless on (namespace) (min by (namespace) (min_over_time(kalshi_exchange_trading_active[5m])) == 0)';
    const quieted = ['KalshiWebSocketDisconnected', 'KalshiWebSocketReconnecting', 'KalshiFeedDown'];
    for (const rule of all) {
      const expr = rule.expr.replace(/\s+/g, ' ').trim();
      if (quieted.includes(rule.alert)) {
        // Valid PromQL (metricsInPromql parses it with Prometheus's grammar), the pause condition last, so it applies to the whole.
        expect([rule.alert, metricsInPromql(rule.expr)]).toEqual([rule.alert, expect.arrayContaining(['kalshi_exchange_trading_active'])]);
        expect([rule.alert, expr.endsWith(pause)]).toEqual([rule.alert, true]);
      } else {
        expect([rule.alert, metricsInPromql(rule.expr)]).not.toEqual([rule.alert, expect.arrayContaining(['kalshi_exchange_trading_active'])]);
      }
    }
    const tuned = rules({ metrics: { prometheusRule: { enabled: true, thresholds: { pauseQuietFor: '15m', feedDownFor: '10m' } } } });
    expect(tuned.find((r) => r.alert === 'KalshiFeedDown')?.expr).toContain('min_over_time(kalshi_exchange_trading_active[15m])');
    expect(tuned.find((r) => r.alert === 'KalshiFeedDown')?.for).toBe('10m');
  });

  test('KalshiFeedDown fires on the leader\'s down state after 3 minutes', () => {
    const rule = byName.get('KalshiFeedDown') as Rule;
    expect(rule.expr.replace(/\s+/g, ' ').trim()).toMatch(/^max by \(namespace, pod\) \(kalshi_feed_state\{state="down"\}\) == 1 unless /);
    expect(rule.for).toBe('3m');
    expect(rule.labels.severity).toBe('critical');
  });
});

describe('Grafana dashboard', () => {
  const json = readChartFile('dashboards/kalshi-ingestor.json');
  const dashboard = JSON.parse(json) as {
    uid: string;
    panels: { type: string; title: string; targets?: { expr: string }[] }[];
  };
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  const used = new Set(exprs.flatMap(metricsInPromql));

  test('is shipped as a ConfigMap labelled for the Grafana sidecar', () => {
    const { objects } = render();
    const map = findObject(objects, 'ConfigMap', '-dashboard') as K8sObject & { data: Record<string, string> };
    expect(map.metadata.labels?.grafana_dashboard).toBe('1');
    expect(JSON.parse(map.data['kalshi-ingestor.json'])).toEqual(dashboard);
    expect(render({ metrics: { grafanaDashboard: { enabled: false } } }).objects.map((o) => o.kind)).not.toContain('ConfigMap');
  });

  test('has a panel for every metric of the contract', () => {
    const missing = contract.filter((name) => ![...exposedSeries([name])].some((s) => used.has(s)));
    expect(missing).toEqual([]);
  });

  test('reads only contract metrics and the default process metrics', () => {
    expect([...used].filter((m) => !series.has(m) && !isDefaultProcessMetric(m))).toEqual([]);
    expect(dashboard.panels.filter((p) => p.type !== 'row').every((p) => (p.targets ?? []).length > 0)).toBe(true);
  });
});
