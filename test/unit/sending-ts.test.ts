import { Histogram, Registry } from 'prom-client';
import { exchangeDelaySeconds } from '../../src/kalshi/sending-ts';
import { HistogramAccumulator } from '../../src/observability/histogram-accumulator';
import { createMetrics } from '../../src/observability/metrics';

describe('exchangeDelaySeconds', () => {
  const now = 1_790_000_000_000;

  it('is receive time − sending_ts_ms in seconds, clamped at 0 when our clock is behind', () => {
    expect(exchangeDelaySeconds(now - 37, now)).toBeCloseTo(0.037, 9);
    expect(exchangeDelaySeconds(now, now)).toBe(0);
    expect(exchangeDelaySeconds(now + 250, now)).toBe(0);
    expect(exchangeDelaySeconds(undefined, now)).toBeUndefined();
  });

  it.each([
    ['seconds instead of ms', Math.floor(now / 1000)],
    ['microseconds', now * 1000],
    ['a fraction', now - 0.5],
    ['a string', String(now)],
    ['null', null],
    ['more than 5 minutes ahead', now + 5 * 60_000 + 1],
    ['more than a day old', now - 24 * 3_600_000 - 1],
    ['NaN', NaN],
  ])('calls %s bad (counted, kept out of the histogram)', (_what, value) => {
    expect(exchangeDelaySeconds(value, now)).toBe('bad');
  });
});

describe('HistogramAccumulator', () => {
  const buckets = [0.001, 0.01, 0.1, 1];
  const values = [0, 0.001, 0.0011, 0.05, 0.1, 0.7, 1, 3, 42, 0.0005];

  async function exposition(observe: (h: Histogram, register: Registry) => void): Promise<string> {
    const registry = new Registry();
    const histogram = new Histogram({ name: 'h_seconds', help: 'h', buckets, registers: [registry] });
    observe(histogram, registry);
    return registry.metrics();
  }

  it('exposes exactly what prom-client’s own observe() does, across drains', async () => {
    const direct = await exposition((h) => {
      for (const v of values) h.observe(v);
      for (const v of values) h.observe(v * 2);
    });
    const accumulated = await exposition((h) => {
      const acc = new HistogramAccumulator(h, buckets);
      for (const v of values) acc.observe(v);
      acc.drain();
      for (const v of values) acc.observe(v * 2);
      acc.drain();
      acc.drain(); // nothing new: nothing added twice
    });
    expect(accumulated).toBe(direct);
    expect(accumulated).toContain('h_seconds_count 20');
  });

  it('moves kalshi_exchange_delay_seconds into the registry at each scrape', async () => {
    const metrics = createMetrics();
    metrics.exchangeDelay.observe(0.004);
    metrics.exchangeDelay.observe(0.2);
    const first = await metrics.registry.getSingleMetricAsString('kalshi_exchange_delay_seconds');
    expect(first).toContain('kalshi_exchange_delay_seconds_bucket{le="0.005"} 1');
    expect(first).toContain('kalshi_exchange_delay_seconds_bucket{le="0.25"} 2');
    expect(first).toContain('kalshi_exchange_delay_seconds_count 2');
    metrics.exchangeDelay.observe(12);
    const second = await metrics.registry.getSingleMetricAsString('kalshi_exchange_delay_seconds');
    expect(second).toContain('kalshi_exchange_delay_seconds_count 3');
    expect(second).toContain('kalshi_exchange_delay_seconds_bucket{le="10"} 2');
    expect(second).toContain('kalshi_exchange_delay_seconds_bucket{le="30"} 3');
    expect(second).toMatch(/kalshi_exchange_delay_seconds_sum 12\.20\d*/);
  });

  it('refuses a histogram whose state it cannot reach (labelled, or another prom-client), at construction', () => {
    const registry = new Registry();
    const labelled = new Histogram({ name: 'l_seconds', help: 'l', buckets, labelNames: ['x'], registers: [registry] });
    expect(() => new HistogramAccumulator(labelled, buckets)).toThrow(/prom-client no longer keeps/);
  });
});
