import type { Histogram } from 'prom-client';

/** What prom-client 15 keeps for the one label set of a histogram without labels (lib/histogram.js, createBaseValues). */
interface BucketState {
  bucketValues: Record<number, number>;
  sum: number;
  count: number;
}

/**
 * A histogram observed on the hot path without allocating: plain counters per bucket, added to a prom-client
 * Histogram (the same buckets, no labels) at each scrape, as MessageCounts does for kalshi_messages_total.
 * prom-client's own observe() builds a label object, a closure and a hash key on every call.
 *
 * Adding counts in bulk reaches into prom-client's per-label-set state (the version is pinned in package.json);
 * the constructor checks that state is where it is expected, so an upgrade that moves it fails at start and in
 * test/unit/histogram-accumulator.test.ts, never silently.
 */
export class HistogramAccumulator {
  /** Observations per bucket since the last drain, not cumulative; the last slot is +Inf. */
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;

  constructor(
    private readonly histogram: Histogram,
    readonly buckets: readonly number[],
  ) {
    this.counts = new Float64Array(buckets.length + 1);
    stateOf(histogram, buckets);
  }

  observe(value: number): void {
    const { buckets } = this;
    let i = 0;
    // The first bound at or above the value, as prom-client files it (le = "less than or equal").
    while (i < buckets.length && value > (buckets[i])) i++;
    this.counts[i] = (this.counts[i]) + 1;
    this.sum += value;
    this.count += 1;
  }

  /** Adds what was observed since the last drain to the histogram (from its collect(), at scrape) and zeroes it. */
  drain(): void {
    if (this.count === 0) return;
    const state = stateOf(this.histogram, this.buckets);
    this.buckets.forEach((bound, i) => {
      state.bucketValues[bound] = (state.bucketValues[bound] ?? 0) + (this.counts[i]);
    });
    state.sum += this.sum;
    state.count += this.count;
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

function stateOf(histogram: Histogram, buckets: readonly number[]): BucketState {
  const map = (histogram as unknown as { hashMap?: Record<string, Partial<BucketState>> }).hashMap;
  const states = map === undefined ? [] : Object.values(map);
  const state = states[0];
  if (
    states.length !== 1 ||
    state === undefined ||
    typeof state.sum !== 'number' ||
    typeof state.count !== 'number' ||
    typeof state.bucketValues !== 'object' ||
    !buckets.every((bound) => typeof state.bucketValues?.[bound] === 'number')
  ) {
    throw new Error('HistogramAccumulator: prom-client no longer keeps a label-free histogram as expected (hashMap); see src/observability/histogram-accumulator.ts');
  }
  return state as BucketState;
}
