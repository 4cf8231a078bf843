import { LatestByGame } from '../../src/prices/latest-by-game';
import type { GamePrices } from '../../src/prices/types';
import { delayToNextSlot } from '../../src/pipeline/flush-schedule';
import { FlushLoop } from '../../src/pipeline/flush-loop';
import { waitFor } from '../helpers/wait';

const state = (gameId: string, buy: number, t: number): GamePrices => ({
  gameId,
  slug: `slug-${gameId}`,
  awayTeam: { kalshiBuyPrice: buy, kalshiSellPrice: buy - 1 },
  homeTeam: { kalshiBuyPrice: 100 - buy + 1, kalshiSellPrice: 100 - buy },
  ticker: `T-${gameId}`,
  tickTimeMs: t,
  updatedAtMs: t,
});

describe('LatestByGame', () => {
  it('keeps one entry per game, the latest', () => {
    const queue = new LatestByGame();
    queue.put(state('a', 40, 1));
    queue.put(state('a', 41, 2));
    queue.put(state('b', 50, 3));
    expect(queue.size).toBe(2);
    const batch = queue.drain();
    expect(batch.map((p) => [p.gameId, p.awayTeam.kalshiBuyPrice])).toEqual([['a', 41], ['b', 50]]);
    expect(queue.size).toBe(0);
  });

  it('puts a failed batch back under newer entries', () => {
    const queue = new LatestByGame();
    queue.put(state('a', 40, 1));
    queue.put(state('b', 50, 1));
    const failed = queue.drain();
    queue.put(state('a', 45, 2)); // arrived while the batch was in flight
    queue.requeue(failed);
    const again = queue.drain();
    expect(again.find((p) => p.gameId === 'a')?.awayTeam.kalshiBuyPrice).toBe(45);
    expect(again.find((p) => p.gameId === 'b')?.awayTeam.kalshiBuyPrice).toBe(50);
  });
});

describe('delayToNextSlot', () => {
  it('aims at wall-clock times ≡ offset (mod interval)', () => {
    expect(delayToNextSlot(10_000, 5000, 2500)).toBe(2500);
    expect(delayToNextSlot(12_499, 5000, 2500)).toBe(1);
    expect(delayToNextSlot(12_500, 5000, 2500)).toBe(5000);
    expect(delayToNextSlot(13_000, 5000, 2500)).toBe(4500);
    expect(delayToNextSlot(13_000, 5000, 0)).toBe(2000);
  });
});

describe('FlushLoop', () => {
  it('flushes at aligned times, never two at once, and requeues a failed batch', async () => {
    const queue = new LatestByGame();
    const started: number[] = [];
    let concurrent = 0;
    let maxConcurrent = 0;
    let failNext = true;
    const written: GamePrices[][] = [];
    const loop = new FlushLoop({
      queue,
      intervalMs: 40,
      offsetMs: 10,
      maxQueueSize: 1000,
      write: async (batch) => {
        started.push(Date.now());
        concurrent += 1;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await new Promise((r) => setTimeout(r, 60)); // longer than the interval
        concurrent -= 1;
        if (failNext) {
          failNext = false;
          throw new Error('db down');
        }
        written.push([...batch]);
      },
      onFailure: () => undefined,
    });
    queue.put(state('a', 40, 1));
    loop.start();
    await waitFor(() => written.length >= 1, { message: 'the requeued batch is written' });
    loop.stop();
    expect(maxConcurrent).toBe(1);
    expect(written[0]?.map((p) => p.gameId)).toEqual(['a']);
    // Timers fire late, never early: every start is at or just after a slot ≡ 10 (mod 40).
    expect(started.length).toBeGreaterThanOrEqual(2);
    for (const at of started) expect((at - 10) % 40).toBeLessThan(20);
  });

  it('flushes early when the queue reaches MAX_QUEUE_SIZE', async () => {
    const queue = new LatestByGame();
    const written: number[] = [];
    const loop = new FlushLoop({
      queue,
      intervalMs: 60_000,
      offsetMs: 0,
      maxQueueSize: 3,
      write: async (batch) => {
        written.push(batch.length);
      },
      onFailure: () => undefined,
    });
    loop.start();
    for (const id of ['a', 'b', 'c']) {
      queue.put(state(id, 40, 1));
      loop.notifyQueued();
    }
    await waitFor(() => written.length === 1);
    loop.stop();
    expect(written).toEqual([3]);
  });
});

// PublishLoop (the leading-edge throttle) is tested on fake timers in publish-loop.test.ts.
