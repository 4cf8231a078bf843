import { FlushLoop, type BatchSink, type FlushLoopOptions } from '../../src/pipeline/flush-loop';
import type { GamePrices } from '../../src/prices/types';
import { LatestByGame } from '../../src/prices/latest-by-game';
import { gameState } from '../helpers/game-state';

const state = gameState;

/** A wall-clock start just past a whole second, so that slots are easy to read. */
const T0 = 1_800_000_000_000;

interface Sink {
  starts: number[];
  written: GamePrices[][];
  /** Decides each write: 'ok', 'fail', or 'hold' (stays in flight until release()). */
  plan: ('ok' | 'fail' | 'hold')[];
  release: () => void;
  concurrent: number;
  maxConcurrent: number;
}

function sink(): Sink & { write: BatchSink['write'] } {
  const s: Sink & { write: BatchSink['write'] } = {
    starts: [],
    written: [],
    plan: [],
    release: () => undefined,
    concurrent: 0,
    maxConcurrent: 0,
    write: async (batch) => {
      s.starts.push(Date.now() - T0);
      s.concurrent += 1;
      s.maxConcurrent = Math.max(s.maxConcurrent, s.concurrent);
      try {
        const step = s.plan.shift() ?? 'ok';
        if (step === 'hold') await new Promise<void>((resolve) => (s.release = resolve));
        if (step === 'fail') throw new Error('db down');
        s.written.push([...batch]);
      } finally {
        s.concurrent -= 1;
      }
    },
  };
  return s;
}

function loopWith(s: ReturnType<typeof sink>, queue: LatestByGame, extra: Partial<FlushLoopOptions> = {}): { loop: FlushLoop; failures: number[] } {
  const failures: number[] = [];
  const loop = new FlushLoop({
    queue,
    intervalMs: 1000,
    offsetMs: 250,
    maxQueueSize: 1000,
    store: s,
    failures: { failed: (_error, size) => void failures.push(size) },
    ...extra,
  });
  return { loop, failures };
}

const runs = new Map<FlushLoop, AbortController>();
/** The leader term runs each loop once under its signal; these tests do the same. */
function start(loop: FlushLoop): void {
  const controller = new AbortController();
  runs.set(loop, controller);
  void loop.run(controller.signal);
}
function stop(loop: FlushLoop): void {
  runs.get(loop)?.abort();
  runs.delete(loop);
}

beforeEach(() => {
  jest.useFakeTimers({ now: T0 });
});
afterEach(() => {
  jest.useRealTimers();
});

describe('FlushLoop', () => {
  it('flushes at wall-clock times ≡ offset (mod interval), and only when something is queued', async () => {
    const queue = new LatestByGame();
    const s = sink();
    const { loop } = loopWith(s, queue);
    start(loop);
    queue.put(state('a', 40, 1));
    await jest.advanceTimersByTimeAsync(249);
    expect(s.starts).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(s.starts).toEqual([250]);
    await jest.advanceTimersByTimeAsync(1000); // nothing queued: no write
    expect(s.starts).toEqual([250]);
    queue.put(state('b', 41, 2));
    await jest.advanceTimersByTimeAsync(1000);
    expect(s.starts).toEqual([250, 2250]);
    expect(s.written.map((b) => b.map((p) => p.gameId))).toEqual([['a'], ['b']]);
    stop(loop);
  });

  it('never runs two flushes at once: a slow write delays the next slot, it does not stack', async () => {
    const queue = new LatestByGame();
    const s = sink();
    s.plan = ['hold'];
    const { loop } = loopWith(s, queue);
    start(loop);
    queue.put(state('a', 40, 1));
    await jest.advanceTimersByTimeAsync(250);
    expect(loop.busy).toBe(true);
    queue.put(state('b', 41, 2));
    await jest.advanceTimersByTimeAsync(3000); // three slots pass while the write hangs
    expect(s.starts).toEqual([250]);
    s.release();
    await jest.advanceTimersByTimeAsync(0);
    expect(loop.busy).toBe(false);
    await jest.advanceTimersByTimeAsync(1000); // the next slot after the write ended (3250 → 4250)
    expect(s.starts).toEqual([250, 4250]);
    expect(s.maxConcurrent).toBe(1);
    stop(loop);
  });

  it('retries a failed batch on a short backoff, not at the next slot, then returns to the slots', async () => {
    const queue = new LatestByGame();
    const s = sink();
    s.plan = ['fail', 'fail', 'fail', 'ok'];
    const { loop, failures } = loopWith(s, queue, { intervalMs: 5000, offsetMs: 2500 });
    start(loop);
    queue.put(state('a', 40, 1));
    await jest.advanceTimersByTimeAsync(2500 + 100 + 200 + 400);
    expect(s.starts).toEqual([2500, 2600, 2800, 3200]);
    expect(failures).toEqual([1, 1, 1]);
    expect(s.written.map((b) => b.map((p) => p.gameId))).toEqual([['a']]);
    queue.put(state('b', 41, 2));
    await jest.advanceTimersByTimeAsync(5000);
    expect(s.starts).toEqual([2500, 2600, 2800, 3200, 7500]);
    stop(loop);
  });

  it('caps the retry delay at one second (or the interval, if shorter)', async () => {
    const queue = new LatestByGame();
    const s = sink();
    s.plan = Array.from({ length: 8 }, () => 'fail' as const);
    const { loop } = loopWith(s, queue, { intervalMs: 60_000, offsetMs: 0 });
    start(loop);
    queue.put(state('a', 40, 1));
    await jest.advanceTimersByTimeAsync(60_000);
    await jest.advanceTimersByTimeAsync(100 + 200 + 400 + 800 + 1000 + 1000 + 1000);
    const gaps = s.starts.slice(1).map((t, i) => t - (s.starts[i]));
    expect(gaps).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
    stop(loop);

    const short = sink();
    short.plan = ['fail', 'fail', 'fail', 'fail'];
    const q2 = new LatestByGame();
    const { loop: fast } = loopWith(short, q2, { intervalMs: 300, offsetMs: 0 });
    jest.setSystemTime(T0);
    start(fast);
    q2.put(state('a', 40, 1));
    await jest.advanceTimersByTimeAsync(300 + 100 + 200 + 300);
    expect(short.starts.slice(1).map((t, i) => t - (short.starts[i]))).toEqual([100, 200, 300]);
    stop(fast);
  });

  it('puts a failed batch back under entries that arrived while it was in flight', async () => {
    const q = new LatestByGame();
    let release: (() => void) | undefined;
    const batches: GamePrices[][] = [];
    let calls = 0;
    const failing = new FlushLoop({
      queue: q,
      intervalMs: 1000,
      offsetMs: 0,
      maxQueueSize: 1000,
      store: {
        write: async (batch) => {
        calls += 1;
        if (calls === 1) {
          await new Promise<void>((r) => (release = r));
          throw new Error('db down');
        }
        batches.push([...batch]);
        },
      },
      failures: { failed: () => undefined },
    });
    jest.setSystemTime(T0);
    start(failing);
    q.put(state('a', 40, 1));
    q.put(state('b', 50, 1));
    await jest.advanceTimersByTimeAsync(1000);
    q.put(state('a', 45, 2)); // newer than the batch in flight
    release?.();
    await jest.advanceTimersByTimeAsync(100);
    expect(batches).toHaveLength(1);
    const written = new Map(batches[0]?.map((p) => [p.gameId, p.awayTeam.kalshiBuyPrice]));
    expect(written).toEqual(new Map([['a', 45], ['b', 50]]));
    stop(failing);
  });

  it('flushes early when the queue reaches MAX_QUEUE_SIZE, but not while the sink is failing', async () => {
    const queue = new LatestByGame();
    const s = sink();
    const { loop } = loopWith(s, queue, { intervalMs: 60_000, offsetMs: 0, maxQueueSize: 3 });
    start(loop);
    for (const id of ['a', 'b']) {
      queue.put(state(id, 40, 1));
      loop.queued();
    }
    await jest.advanceTimersByTimeAsync(0);
    expect(s.starts).toEqual([]);
    queue.put(state('c', 40, 1));
    loop.queued();
    await jest.advanceTimersByTimeAsync(0);
    expect(s.starts).toEqual([0]);
    expect(s.written.map((b) => b.length)).toEqual([3]);

    s.plan = ['fail', 'ok'];
    for (const id of ['d', 'e', 'f']) {
      queue.put(state(id, 40, 1));
      loop.queued();
    }
    await jest.advanceTimersByTimeAsync(0);
    expect(s.starts).toEqual([0, 0]);
    // A failed early flush is retried on the backoff, not at the minute's slot.
    queue.put(state('g', 40, 1));
    loop.queued(); // failing: not forced again
    await jest.advanceTimersByTimeAsync(99);
    expect(s.starts).toEqual([0, 0]);
    await jest.advanceTimersByTimeAsync(1);
    expect(s.starts).toEqual([0, 0, 100]);
    expect(s.written.map((b) => b.length)).toEqual([3, 4]);
    stop(loop);
  });

  it('the signal ends the timer: nothing is written afterwards; flush() still writes on demand', async () => {
    const queue = new LatestByGame();
    const s = sink();
    const { loop } = loopWith(s, queue);
    start(loop);
    queue.put(state('a', 40, 1));
    stop(loop);
    await jest.advanceTimersByTimeAsync(5000);
    expect(s.starts).toEqual([]);
    await loop.flush();
    expect(s.written.map((b) => b.map((p) => p.gameId))).toEqual([['a']]);
    await loop.flush(); // empty: no write
    expect(s.starts).toHaveLength(1);
  });

  it('runs one chain: one flush per slot', async () => {
    const queue = new LatestByGame();
    const s = sink();
    const { loop } = loopWith(s, queue);
    start(loop);
    for (let i = 0; i < 3; i += 1) {
      queue.put(state('a', 40 + i, i));
      await jest.advanceTimersByTimeAsync(1000);
    }
    expect(s.starts).toEqual([250, 1250, 2250]);
    stop(loop);
  });
});
