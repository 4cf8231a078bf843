import fc from 'fast-check';
import { LatestByGame } from '../../src/prices/latest-by-game';
import type { GamePrices } from '../../src/prices/types';
import { PublishLoop } from '../../src/pipeline/publish-loop';

/** States are told apart by their tick time (the test's clock reading when the change happened). */
const state = (gameId: string, t: number): GamePrices => ({
  gameId,
  slug: `slug-${gameId}`,
  awayTeam: { kalshiBuyPrice: 40, kalshiSellPrice: 39 },
  homeTeam: { kalshiBuyPrice: 61, kalshiSellPrice: 60 },
  status: 'open',
  result: null,
  ticker: `T-${gameId}`,
  tickTimeMs: t,
  updatedAtMs: t,
});

interface Published {
  at: number;
  gameId: string;
  tickTimeMs: number;
}

/** A publish loop on fake timers, recording every batch with the fake clock's time. */
function harness(intervalMs: number, publish?: (batch: readonly GamePrices[]) => Promise<void>) {
  const queue = new LatestByGame();
  const published: Published[] = [];
  const batches: Published[][] = [];
  const failures: number[] = [];
  const loop = new PublishLoop({
    queue,
    intervalMs,
    retryDelayMs: () => 50,
    channel: {
      publish:
        publish ??
        ((batch) => {
          const at = Date.now();
          const rows = batch.map((p) => ({ at, gameId: p.gameId, tickTimeMs: p.tickTimeMs }));
          batches.push(rows);
          published.push(...rows);
          return Promise.resolve();
        }),
    },
    failures: { failed: (_error, size) => void failures.push(size) },
  });
  const put = (gameId: string) => {
    queue.put(state(gameId, Date.now()));
  };
  // The leader term runs the loop once under its signal; each test does the same.
  let run = new AbortController();
  const start = () => {
    run = new AbortController();
    void loop.run(run.signal);
  };
  const stop = () => run.abort();
  return { queue, loop, published, batches, failures, put, start, stop };
}

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - (times[i]));

beforeEach(() => {
  // Promises (publish) must settle on their own; only timers, immediates and the clock are fake.
  jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'], now: 1_000_000 });
});

afterEach(() => {
  jest.useRealTimers();
});

describe('LatestByGame hooks for the publish throttle', () => {
  it('tells onEntry of a game that had no entry, not of a put that replaces one', () => {
    const queue = new LatestByGame();
    const entered: string[] = [];
    queue.onEntry = (id) => entered.push(id);
    queue.put(state('a', 1));
    queue.put(state('a', 2));
    queue.put(state('b', 3));
    expect(entered).toEqual(['a', 'b']);
    expect(queue.take('a')?.tickTimeMs).toBe(2);
    expect(queue.take('a')).toBeUndefined();
    expect(queue.has('b')).toBe(true);
    queue.put(state('a', 4));
    expect(entered).toEqual(['a', 'b', 'a']);
  });
});

describe('PublishLoop: leading-edge throttle per game', () => {
  it('publishes an isolated tick at once, in the same turn, every quiet game of the turn in one batch', async () => {
    const h = harness(100);
    h.start();
    const t0 = Date.now();
    h.put('a');
    h.put('b');
    expect(h.published).toEqual([]); // not synchronously inside put: at the end of the turn
    await jest.advanceTimersByTimeAsync(0);
    expect(h.batches).toEqual([
      [
        { at: t0, gameId: 'a', tickTimeMs: t0 },
        { at: t0, gameId: 'b', tickTimeMs: t0 },
      ],
    ]);
    h.stop();
  });

  it('coalesces a burst to its last state, which leaves when the window ends', async () => {
    const h = harness(100);
    h.start();
    const t0 = Date.now();
    for (let i = 0; i <= 10; i++) {
      h.put('a'); // t0, t0+5, …, t0+50
      await jest.advanceTimersByTimeAsync(5);
    }
    expect(h.published).toEqual([{ at: t0, gameId: 'a', tickTimeMs: t0 }]);
    await jest.advanceTimersByTimeAsync(100);
    expect(h.published).toEqual([
      { at: t0, gameId: 'a', tickTimeMs: t0 },
      { at: t0 + 100, gameId: 'a', tickTimeMs: t0 + 50 },
    ]);
    h.stop();
  });

  it('publishes a game at most once per window, and its last state within a window of its last tick', async () => {
    const h = harness(100);
    h.start();
    const t0 = Date.now();
    let last = t0;
    for (let i = 0; i < 200; i++) {
      h.put('busy'); // every 5 ms for a second
      last = Date.now();
      await jest.advanceTimersByTimeAsync(5);
    }
    await jest.advanceTimersByTimeAsync(300);
    const times = h.published.map((p) => p.at);
    expect(times.length).toBeGreaterThanOrEqual(10);
    expect(times.length).toBeLessThanOrEqual(11);
    for (const gap of gaps(times)) expect(gap).toBeGreaterThanOrEqual(100);
    const final = h.published[h.published.length - 1];
    expect(final.tickTimeMs).toBe(last);
    expect(final.at - last).toBeLessThanOrEqual(100);
    h.stop();
  });

  it('does not hold a quiet game back behind a busy game’s window', async () => {
    const h = harness(100);
    h.start();
    h.put('busy');
    await jest.advanceTimersByTimeAsync(10);
    h.put('busy'); // waits for its window
    await jest.advanceTimersByTimeAsync(10);
    const t = Date.now();
    h.put('quiet');
    await jest.advanceTimersByTimeAsync(0);
    expect(h.published.map((p) => [p.gameId, p.at])).toEqual([
      ['busy', t - 20],
      ['quiet', t],
    ]);
    await jest.advanceTimersByTimeAsync(100);
    expect(h.published.map((p) => [p.gameId, p.at])).toEqual([
      ['busy', t - 20],
      ['quiet', t],
      ['busy', t + 80],
    ]);
    h.stop();
  });

  it('lets a window that saw no change end quietly: the next change leaves at once', async () => {
    const h = harness(100);
    h.start();
    h.put('a');
    await jest.advanceTimersByTimeAsync(150);
    const t = Date.now();
    h.put('a');
    await jest.advanceTimersByTimeAsync(0);
    expect(h.published.map((p) => p.at)).toEqual([t - 150, t]);
    h.stop();
  });

  it('keeps one batch in flight at a time, so each game’s states leave in order', async () => {
    let concurrent = 0;
    let maxConcurrent = 0;
    const order: Published[] = [];
    const h = harness(20, async (batch) => {
      concurrent += 1;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      const at = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 35)); // longer than the window
      for (const p of batch) order.push({ at, gameId: p.gameId, tickTimeMs: p.tickTimeMs });
      concurrent -= 1;
    });
    h.start();
    for (let i = 0; i < 100; i++) {
      h.put(`g${i % 3}`);
      await jest.advanceTimersByTimeAsync(3);
    }
    await jest.advanceTimersByTimeAsync(500);
    expect(maxConcurrent).toBe(1);
    for (const game of ['g0', 'g1', 'g2']) {
      const ticks = order.filter((p) => p.gameId === game).map((p) => p.tickTimeMs);
      expect(ticks).toEqual([...ticks].sort((a, b) => a - b));
      expect(new Set(ticks).size).toBe(ticks.length);
    }
    // The last state of each game was published.
    expect(order.filter((p) => p.gameId === 'g0').pop()?.tickTimeMs).toBe(1_000_000 + 99 * 3);
    h.stop();
  });

  it('requeues a failed batch under newer states and retries with backoff, publishing the newest', async () => {
    let release: ((ok: boolean) => void) | undefined;
    const published: Published[] = [];
    const h = harness(100, (batch) =>
      new Promise<void>((resolve, reject) => {
        release = (ok) => {
          if (!ok) return reject(new Error('redis down'));
          const at = Date.now();
          for (const p of batch) published.push({ at, gameId: p.gameId, tickTimeMs: p.tickTimeMs });
          resolve();
        };
      }),
    );
    h.start();
    const t0 = Date.now();
    h.put('a');
    h.put('b');
    await jest.advanceTimersByTimeAsync(0); // the batch [a@t0, b@t0] is in flight
    await jest.advanceTimersByTimeAsync(10);
    h.put('a'); // newer state of a while the batch is in flight
    release?.(false);
    await jest.advanceTimersByTimeAsync(0);
    expect(h.failures).toEqual([2]);
    expect(h.queue.size).toBe(2);
    await jest.advanceTimersByTimeAsync(49);
    expect(published).toEqual([]); // backing off
    await jest.advanceTimersByTimeAsync(1); // retry after 50 ms
    release?.(true);
    await jest.advanceTimersByTimeAsync(0);
    expect(published.map((p) => [p.gameId, p.tickTimeMs]).sort()).toEqual([
      ['a', t0 + 10],
      ['b', t0],
    ]);
    expect(h.queue.size).toBe(0);
    h.stop();
  });

  it('publishes an urgent state (a status change) at once, inside its game\'s window, then opens a new window', async () => {
    const h = harness(1000);
    h.start();
    const t0 = Date.now();
    h.put('a');
    await jest.advanceTimersByTimeAsync(10);
    h.put('a'); // inside the window: held
    await jest.advanceTimersByTimeAsync(10);
    expect(h.published.map((p) => p.at)).toEqual([t0]);
    h.queue.putUrgent(state('a', Date.now()));
    await jest.advanceTimersByTimeAsync(0);
    expect(h.published).toEqual([
      { at: t0, gameId: 'a', tickTimeMs: t0 },
      { at: t0 + 20, gameId: 'a', tickTimeMs: t0 + 20 },
    ]);
    h.put('a'); // the urgent publish opened a window of its own
    await jest.advanceTimersByTimeAsync(500);
    expect(h.published).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(600);
    expect(h.published).toHaveLength(3);
    h.stop();
  });

  it('with PUBLISH_INTERVAL_MS=0 publishes every change at once', async () => {
    const h = harness(0);
    h.start();
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) {
      h.put('a');
      await jest.advanceTimersByTimeAsync(1);
    }
    expect(h.published.map((p) => [p.at, p.tickTimeMs])).toEqual([0, 1, 2, 3, 4].map((d) => [t0 + d, t0 + d]));
    h.stop();
  });

  it('rounds window ends up to the grain, so games whose windows end close together leave in one batch', async () => {
    const h = harness(100); // grain 5 ms
    h.start();
    const t0 = Date.now();
    await jest.advanceTimersByTimeAsync(1);
    h.put('a');
    await jest.advanceTimersByTimeAsync(2);
    h.put('b');
    await jest.advanceTimersByTimeAsync(2);
    h.put('a');
    h.put('b'); // both wait: a's window would end at t0+101, b's at t0+103; both are rounded to t0+105
    await jest.advanceTimersByTimeAsync(110);
    expect(h.batches.map((b) => b.map((p) => [p.gameId, p.at - t0]))).toEqual([[['a', 1]], [['b', 3]], [['a', 105], ['b', 105]]]);
    h.stop();
  });

  it('flush() publishes everything queued, windows or not', async () => {
    const h = harness(100);
    h.start();
    h.put('a');
    await jest.advanceTimersByTimeAsync(10);
    h.put('a');
    h.stop();
    await h.loop.flush();
    expect(h.published.map((p) => p.tickTimeMs)).toEqual([1_000_000, 1_000_010]);
    expect(h.queue.size).toBe(0);
  });

  it('holds its rules under any schedule of changes (generated)', async () => {
    const interval = 50;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ game: fc.integer({ min: 0, max: 3 }), waitMs: fc.integer({ min: 0, max: 80 }) }), { maxLength: 60 }),
        async (steps) => {
          jest.setSystemTime(1_000_000);
          const h = harness(interval);
          h.start();
          const puts: { gameId: string; t: number }[] = [];
          const lastPublishAt = new Map<string, number>();
          for (const step of steps) {
            const gameId = `g${step.game}`;
            const t = Date.now();
            const before = h.published.length;
            const quietSince = lastPublishAt.get(gameId);
            h.put(gameId);
            puts.push({ gameId, t });
            await jest.advanceTimersByTimeAsync(0);
            for (const p of h.published.slice(before)) lastPublishAt.set(p.gameId, p.at);
            // Leading edge: a game with no publish in the last window publishes this tick in this turn.
            if (quietSince === undefined || t - quietSince >= interval + 2) {
              expect(h.published.slice(before).some((p) => p.gameId === gameId && p.tickTimeMs === t)).toBe(true);
            }
            const mark = h.published.length;
            await jest.advanceTimersByTimeAsync(step.waitMs);
            for (const p of h.published.slice(mark)) lastPublishAt.set(p.gameId, p.at);
          }
          await jest.advanceTimersByTimeAsync(interval * 2);
          h.stop();
          for (const gameId of new Set(puts.map((p) => p.gameId))) {
            const mine = h.published.filter((p) => p.gameId === gameId);
            for (const gap of gaps(mine.map((p) => p.at))) expect(gap).toBeGreaterThanOrEqual(interval);
            const ticks = mine.map((p) => p.tickTimeMs);
            expect(ticks).toEqual([...ticks].sort((a, b) => a - b));
            const lastPut = puts.filter((p) => p.gameId === gameId).pop() as { t: number };
            const lastOut = mine[mine.length - 1];
            expect(lastOut.tickTimeMs).toBe(lastPut.t);
            // Window ends are rounded up to the grain (interval / 20 = 2 ms here).
            expect(lastOut.at - lastPut.t).toBeLessThanOrEqual(interval + 2);
          }
          expect(h.queue.size).toBe(0);
        },
      ),
      { seed: 13, numRuns: 150 },
    );
  });
});
